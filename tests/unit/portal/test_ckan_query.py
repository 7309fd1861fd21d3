"""Reading CKAN's Solr-flavoured q and fq into filter expressions, and Solr's times."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from catalog.errors import ValidationFailed
from catalog.search.base import AllOf, AnyOf, Exists, Not, Range, Term
from portal.ckan.query import search_query, with_org_names
from portal.ckan.solr_time import solr_time

T = datetime(2026, 11, 29, 10, 0, 0, 123456, tzinfo=UTC)


@pytest.mark.parametrize(("fq", "where"), [
    ("organization:a", Term("org", "a")),
    ("organization:a OR organization:b", AnyOf((Term("org", "a"), Term("org", "b")))),
    ("organization:a || organization:b", AnyOf((Term("org", "a"), Term("org", "b")))),
    ("-organization:a", Not(Term("org", "a"))),
    ("NOT groups:air", Not(Term("themes", "air"))),
    ("+tags:水质 -tags:年报", AllOf((Term("tags", "水质"), Not(Term("tags", "年报"))))),
    ("tags:水质 AND res_format:csv", AllOf((Term("tags", "水质"), Term("formats", "CSV")))),
    ("tags:(水质 OR 地表水)", AnyOf((Term("tags", "水质"), Term("tags", "地表水")))),
    ("tags:(水质 -年报)", AllOf((Term("tags", "水质"), Not(Term("tags", "年报"))))),
    ('tags:"空气 质量"', Term("tags", "空气 质量")),
    (r"name:cq\-air", Term("name", "cq-air")),
    ("(organization:a OR organization:b) districts:500103",
     AllOf((AnyOf((Term("org", "a"), Term("org", "b"))), Term("districts", "500103")))),
    ("tags:*", Exists("tags")),
    ("*:*", AllOf(())),
    ("dataset_type:dataset", AllOf(())),
    ("type:harvest", AnyOf(())),
    ("metadata_modified:[2026-11-29T10:00:00.123456Z TO *]", Range("modified", lower=T)),
    ("metadata_modified:{2026-11-29T10:00:00.123456Z TO *]", Range("modified", lower=T, include_lower=False)),
    ("metadata_created:[* TO 2026-11-29T10:00:00.123456]", Range("created", upper=T)),
    ("metadata_modified:[* TO *]", AllOf(())),
    ("metadata_modified:2026-11-29T10:00:00.123456Z", Range("modified", T, T)),
])
def test_fq(fq: str, where: object) -> None:
    query, _facets, _private = search_query({"fq": fq})
    assert query.where == where and query.q == ""


@pytest.mark.parametrize(("q", "text", "where"), [
    ("空气质量 监测", "空气质量 监测", None),
    ('水质 "嘉陵江', '水质 "嘉陵江', None),                   # no colon: text, as in CKAN
    ("空气质量 organization:a", "空气质量", Term("org", "a")),
    ("title:水质 notes:长江", "水质 长江", None),
    ("text:(水质 长江)", "水质 长江", None),
    ("name:cq-air tags:PM2.5", "", AllOf((Term("name", "cq-air"), Term("tags", "PM2.5")))),
    ("*:*", "", None),
])
def test_q(q: str, text: str, where: object) -> None:
    query, _facets, _private = search_query({"q": q})
    assert (query.q, query.where) == (text, where)


@pytest.mark.parametrize(("params", "field"), [
    ({"fq": "tags:(a"}, "fq"), ({"fq": "tags:a)"}, "fq"), ({"fq": "OR tags:a"}, "fq"),
    ({"fq": "metadata_modified:[2026 TO]"}, "fq"), ({"fq": "metadata_modified:[x TO *]"}, "fq"),
    ({"fq": "license:x"}, "fq"), ({"fq": "words only"}, "fq"), ({"q": "水质 OR tags:x"}, "q"),
    ({"q": "-水质 tags:x"}, "q"), ({"q": "title:[a TO b]"}, "q"), ({"fq_list": ["tags:a", "x"]}, "fq_list"),
    ({"sort": "views desc"}, "sort"),
])
def test_refusals_name_the_parameter(params: dict, field: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        search_query(params)
    assert [p.location.field for p in err.value.problems] == [field]


def test_owner_org_ids_become_names() -> None:
    query, _f, _p = search_query({"fq": "owner_org:id-1 OR -organization:id-2 OR tags:id-1"})
    assert with_org_names(query.where, {"id-1": "cq-slj", "id-2": "cq-sthjj"}) == AnyOf((
        Term("org", "cq-slj"), Not(Term("org", "cq-sthjj")), Term("tags", "id-1")))


@pytest.mark.parametrize("sort", ["id asc", "metadata_created desc", "name desc", "title_string asc",
                                  "score desc, metadata_modified desc", "METADATA_MODIFIED  DESC"])
def test_sorts(sort: str) -> None:
    search_query({"sort": sort})


NOW = datetime(2026, 11, 30, 8, 15, 42, 123456, tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("NOW", NOW),
    ("NOW/DAY", datetime(2026, 11, 30, tzinfo=UTC)),
    ("NOW-7DAYS/DAY", datetime(2026, 11, 23, tzinfo=UTC)),
    ("NOW-1MONTH", datetime(2026, 10, 30, 8, 15, 42, 123456, tzinfo=UTC)),
    ("NOW/YEAR", datetime(2026, 1, 1, tzinfo=UTC)),
    ("NOW/HOUR+1HOUR", datetime(2026, 11, 30, 9, tzinfo=UTC)),
    ("2026-01-31T00:00:00Z+1MONTH", datetime(2026, 2, 28, tzinfo=UTC)),
    ("2026-11-29", datetime(2026, 11, 29, tzinfo=UTC)),
    ("2026-11-29T18:00:00+08:00", datetime(2026, 11, 29, 10, tzinfo=UTC)),
    ("2026-11-29T10:00:00.123456", T),
])
def test_solr_times(text: str, expected: datetime) -> None:
    assert solr_time(text, NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "NOW-1FORTNIGHT", "2026-13-01", "NOW+", "2026-11-29T10:00:00Zjunk"])
def test_bad_solr_times(text: str) -> None:
    with pytest.raises(ValueError):
        solr_time(text, NOW)
