"""Searching the embedded index: relevance, synonyms, visibility, filters, facets, sorting, paging.

Expected results come from the corpus itself (brute force over the documents), never from the engine.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from catalog.errors import ValidationFailed
from catalog.search.analysis import title_collation
from catalog.search.base import AllOf, AnyOf, Exists, Filter, Not, Range, SearchQuery, Term
from catalog.search.tantivy_index import TantivyIndex

EVERYONE = None
PUBLIC = frozenset({"public"})
GOV = frozenset({"public", "gov"})


def visible(doc: dict, principals: frozenset[str] | None) -> bool:
    return principals is None or bool(set(doc["readers"]) & principals)


def passes(doc: dict, filters: list[tuple[str, str]]) -> bool:
    def values(name: str) -> list[str]:
        value = doc[name]
        return value if isinstance(value, list) else [value]
    return all(value in values(name) for name, value in filters)


def brute_facets(docs: list[dict], name: str, limit: int) -> list[tuple[str, int]]:
    counts = Counter(v for d in docs for v in (d[name] if isinstance(d[name], list) else [d[name]]))
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def all_ids(index: TantivyIndex, **kwargs: object) -> list[str]:
    return index.search(SearchQuery(rows=1000, **kwargs)).ids  # type: ignore[arg-type]


def test_synonyms_find_pm25_datasets_by_chinese_name_and_code(shared_index: TantivyIndex) -> None:
    by_code = set(all_ids(shared_index, q="PM2.5", principals=EVERYONE))
    by_name = set(all_ids(shared_index, q="细颗粒物", principals=EVERYONE))
    by_hj212 = set(all_ids(shared_index, q="a34004", principals=EVERYONE))
    assert {"pm25-monthly", "pm-annual"} <= by_code
    assert by_code == by_name == by_hj212


def test_synonyms_work_the_other_way_round(shared_index: TantivyIndex) -> None:
    # "so2-stack" says 二氧化硫 in its title and SO2 / a21026 only in its description.
    assert "so2-stack" in all_ids(shared_index, q="SO2", principals=EVERYONE)
    assert "air-hourly" in all_ids(shared_index, q="二氧化硫", principals=EVERYONE)
    assert "wwtp-online" in all_ids(shared_index, q="w21003", principals=EVERYONE)
    assert "o3-8h" in all_ids(shared_index, q="a05024", principals=EVERYONE)


def test_water_quality_ranks_water_quality_datasets_first(shared_index: TantivyIndex, corpus: list[dict]) -> None:
    ids = all_ids(shared_index, q="水质", principals=EVERYONE)
    titled = {d["id"] for d in corpus if "水质" in d["title"]}
    assert set(ids[:len(titled)]) == titled
    assert "soil-metal" in ids[len(titled):]           # mentions 地下水水质 only in its description


def test_air_quality_ranks_air_quality_datasets_first(shared_index: TantivyIndex, corpus: list[dict]) -> None:
    ids = all_ids(shared_index, q="空气质量", principals=EVERYONE)
    titled = {d["id"] for d in corpus if "空气质量" in d["title"]}
    assert set(ids[:len(titled)]) == titled
    assert {d["themes"][0] for d in corpus if d["id"] in ids[:len(titled)]} == {"air"}
    assert "weather" in ids[len(titled):]


def test_title_outranks_keywords_outranks_description(tmp_path, corpus: list[dict]) -> None:
    base = corpus[0]
    docs = [dict(base, id="in-desc", title="年度监测数据汇编", keywords=[], tags=[], description="含酸雨监测结果。"),
            dict(base, id="in-title", title="酸雨监测数据", keywords=[], tags=[], description="年度汇编。"),
            dict(base, id="in-keywords", title="年度监测数据汇编", keywords=["酸雨"], tags=[], description="年度汇编。")]
    index = TantivyIndex(tmp_path, writer_heap_mb=20, writer_threads=1)
    index.upsert(docs)
    index.commit()
    assert index.search(SearchQuery(q="酸雨", principals=None)).ids == ["in-title", "in-keywords", "in-desc"]


def test_partial_words_match_through_title_bigrams(shared_index: TantivyIndex) -> None:
    # 干流国控 is no dictionary word; its bigrams still run through the title of yangtze-wq.
    assert all_ids(shared_index, q="干流国控", principals=EVERYONE) == ["yangtze-wq"]


def test_several_words_must_all_match_when_there_are_two(shared_index: TantivyIndex, corpus: list[dict]) -> None:
    ids = set(all_ids(shared_index, q="嘉陵江 氨氮", principals=EVERYONE))
    assert ids == {"jialing-auto"}


@pytest.mark.parametrize("principals", [PUBLIC, GOV, frozenset({"org:cq-sthjj"}), EVERYONE])
def test_principals_hide_documents_from_results_and_facets(
        shared_index: TantivyIndex, corpus: list[dict], principals: frozenset[str] | None) -> None:
    result = shared_index.search(SearchQuery(principals=principals, rows=1000, facet_fields=["readers", "org"]))
    expected = [d for d in corpus if visible(d, principals)]
    assert sorted(result.ids) == sorted(d["id"] for d in expected)
    assert result.count == len(expected)
    assert result.facets["readers"] == brute_facets(expected, "readers", 50)
    assert result.facets["org"] == brute_facets(expected, "org", 50)


def test_no_principals_means_nothing_is_visible(shared_index: TantivyIndex) -> None:
    result = shared_index.search(SearchQuery(principals=frozenset(), facet_fields=["org"]))
    assert (result.count, result.ids, result.facets) == (0, [], {"org": []})


def test_the_default_audience_is_the_public(shared_index: TantivyIndex, corpus: list[dict]) -> None:
    assert shared_index.search(SearchQuery()).count == sum(visible(d, PUBLIC) for d in corpus)


@pytest.mark.parametrize("filters", [
    [("themes", "air")],
    [("themes", "air"), ("formats", "CSV")],
    [("themes", "surface-water"), ("districts", "500000"), ("formats", "PDF")],
    [("org", "cq-sthjj"), ("state", "active"), ("open_type", "无条件开放")],
    [("formats", "API"), ("formats", "CSV")],
    [("themes", "air"), ("themes", "noise")],
])
def test_filters_are_anded(shared_index: TantivyIndex, corpus: list[dict], filters: list[tuple[str, str]]) -> None:
    ids = all_ids(shared_index, filters=filters, principals=GOV)
    assert sorted(ids) == sorted(d["id"] for d in corpus if visible(d, GOV) and passes(d, filters))


@pytest.mark.parametrize(("q", "filters", "principals"), [
    ("", [], EVERYONE),
    ("", [("state", "active")], PUBLIC),
    ("水质", [], GOV),
    ("空气质量", [("themes", "air")], EVERYONE),
    ("监测", [("districts", "500000")], PUBLIC),
])
def test_facet_counts_are_exact_over_the_whole_result(shared_index: TantivyIndex, corpus: list[dict], q: str,
                                                      filters: list[tuple[str, str]],
                                                      principals: frozenset[str] | None) -> None:
    fields = ["org", "themes", "tags", "formats", "districts", "update_cycle", "open_type", "license_id"]
    result = shared_index.search(SearchQuery(q=q, filters=filters, principals=principals, rows=2,
                                             facet_fields=fields))
    matched = set(all_ids(shared_index, q=q, filters=filters, principals=principals))
    assert len(matched) == result.count > 2           # facets cover more than the page
    if not q:
        assert matched == {d["id"] for d in corpus if visible(d, principals) and passes(d, filters)}
    docs = [d for d in corpus if d["id"] in matched]
    for name in fields:
        assert result.facets[name] == brute_facets(docs, name, 50), name


@pytest.mark.parametrize("limit", [1, 2, 3, 5])
def test_facet_limit_cuts_after_count_then_value_order(shared_index: TantivyIndex, corpus: list[dict],
                                                      limit: int) -> None:
    # Formats and tags have many tied counts, so the cut falls inside a tie for some limits.
    result = shared_index.search(SearchQuery(principals=None, facet_fields=["formats", "tags"], facet_limit=limit))
    assert result.facets["formats"] == brute_facets(corpus, "formats", limit)
    assert result.facets["tags"] == brute_facets(corpus, "tags", limit)


def test_negative_facet_limit_returns_every_value(shared_index: TantivyIndex, corpus: list[dict]) -> None:
    result = shared_index.search(SearchQuery(principals=None, facet_fields=["tags"], facet_limit=-1))
    assert result.facets["tags"] == brute_facets(corpus, "tags", 10_000)


@pytest.mark.parametrize(("sort", "key", "reverse"), [
    ("modified desc", lambda d: d["modified"], True),
    ("modified asc", lambda d: d["modified"], False),
    ("title asc", lambda d: title_collation(d["title"]), False),
    ("title desc", lambda d: title_collation(d["title"]), True),
    ("name asc", lambda d: d["name"], False),
])
def test_sorting(shared_index: TantivyIndex, corpus: list[dict], sort: str, key, reverse: bool) -> None:
    ids = all_ids(shared_index, sort=sort, principals=EVERYONE)
    assert ids == [d["id"] for d in sorted(corpus, key=key, reverse=reverse)]


def test_relevance_without_text_means_newest_first(shared_index: TantivyIndex, corpus: list[dict]) -> None:
    ids = all_ids(shared_index, q="*:*", principals=EVERYONE)
    assert ids == [d["id"] for d in sorted(corpus, key=lambda d: d["modified"], reverse=True)]


def test_sorting_applies_to_text_matches(shared_index: TantivyIndex, corpus: list[dict]) -> None:
    ids = all_ids(shared_index, q="水质", sort="modified asc", principals=EVERYONE)
    assert ids == sorted(ids, key=lambda i: next(d["modified"] for d in corpus if d["id"] == i))


@pytest.mark.parametrize("sort", ["relevance", "modified desc", "title asc"])
def test_pages_concatenate_to_the_full_list(shared_index: TantivyIndex, sort: str) -> None:
    full = all_ids(shared_index, q="监测", sort=sort, principals=EVERYONE)
    pages = [shared_index.search(SearchQuery(q="监测", sort=sort, principals=None, start=s, rows=3))
             for s in range(0, len(full) + 3, 3)]
    assert [i for p in pages for i in p.ids] == full
    assert {p.count for p in pages} == {len(full)}
    assert pages[-1].ids == []


def test_rows_zero_gives_count_and_facets_only(shared_index: TantivyIndex, corpus: list[dict]) -> None:
    result = shared_index.search(SearchQuery(principals=None, rows=0, facet_fields=["themes"]))
    assert result.ids == [] and result.count == len(corpus)
    assert result.facets["themes"] == brute_facets(corpus, "themes", 50)


@pytest.mark.parametrize(("query", "code"), [
    (SearchQuery(sort="score desc"), "search_bad_sort"),
    (SearchQuery(rows=5000), "search_bad_paging"),
    (SearchQuery(start=-1), "search_bad_paging"),
    (SearchQuery(filters=[("description", "水")]), "search_bad_filter"),
    (SearchQuery(facet_fields=["title"]), "search_bad_facet"),
])
def test_bad_queries_are_refused_with_a_reason(shared_index: TantivyIndex, query: SearchQuery, code: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        shared_index.search(query)
    assert [p.code for p in exc.value.problems] == [code]
    assert exc.value.problems[0].message and exc.value.problems[0].message_en


@pytest.mark.parametrize("sort", ["modified desc", "modified asc", "title asc", "title desc"])
def test_ties_are_ordered_by_name_whatever_the_indexing_order(tmp_path, corpus: list[dict], sort: str) -> None:
    """Datasets written in the same second (or to the microsecond), or with the same title, page
    alike in every process, however its indexing threads happened to add them."""
    same = corpus[0]["modified"]
    docs = [dict(d, title="同名数据集", modified=same + timedelta(microseconds=i % 3)) for i, d in enumerate(corpus)]
    expected_key = {"modified desc": lambda d: (d["modified"], d["name"]), "modified asc": lambda d: (d["modified"], d["name"]),
                    "title asc": lambda d: d["name"], "title desc": lambda d: d["name"]}[sort]
    expected = [d["id"] for d in sorted(docs, key=expected_key, reverse=sort.endswith("desc"))]
    for n, order in enumerate([docs, docs[::-1], docs[1::2] + docs[::2]]):
        idx = TantivyIndex(tmp_path / str(n), writer_heap_mb=64, writer_threads=4)
        idx.upsert(order)
        idx.commit(1)
        pages = [idx.search(SearchQuery(sort=sort, principals=None, start=s, rows=4)).ids
                 for s in range(0, len(docs), 4)]
        idx.close()
        assert [i for page in pages for i in page] == expected


def _matches(doc: dict, expr: Filter) -> bool:
    """The filter expression evaluated over one corpus document (the reference the engine must meet)."""
    if isinstance(expr, Term):
        value = doc[expr.field]
        return expr.value in (value if isinstance(value, list) else [value])
    if isinstance(expr, Exists):
        return bool(doc[expr.field])
    if isinstance(expr, Range):
        moment = doc[expr.field]
        above = expr.lower is None or moment > expr.lower or (expr.include_lower and moment == expr.lower)
        below = expr.upper is None or moment < expr.upper or (expr.include_upper and moment == expr.upper)
        return above and below
    if isinstance(expr, Not):
        return not _matches(doc, expr.part)
    results = [_matches(doc, part) for part in expr.parts]
    return all(results) if isinstance(expr, AllOf) else any(results)


def _at(corpus: list[dict], i: int, **shift: int) -> datetime:
    return corpus[i]["modified"] + timedelta(**shift)


FILTER_CASES = [
    lambda c: AnyOf((Term("org", "cq-hjjczx"), Term("org", "cq-qxj"))),
    lambda c: AllOf((Not(Term("org", "cq-sthjj")),)),
    lambda c: AllOf((Not(Term("org", "cq-sthjj")), Not(Term("themes", "air")))),
    lambda c: AllOf((Term("themes", "surface-water"), Not(Term("tags", "年报")))),
    lambda c: Range("modified", lower=_at(c, 10)),
    lambda c: Range("modified", lower=_at(c, 10), include_lower=False),
    lambda c: Range("modified", upper=_at(c, 3)),
    lambda c: Range("modified", lower=_at(c, 3, microseconds=1), upper=_at(c, 8), include_upper=False),
    lambda c: Range("created", lower=_at(c, 5, days=-30), upper=_at(c, 9, days=-30)),
    lambda c: AllOf((AnyOf((Term("tags", "水质"), Term("tags", "空气质量"))), Range("modified", lower=_at(c, 6)))),
    lambda c: AnyOf((Not(Term("formats", "CSV")), Term("districts", "500103"))),
    lambda c: AnyOf(()),
    lambda c: AllOf(()),
    lambda c: AllOf((Exists("org"), Not(Exists("license_id")))),
    lambda c: Exists("districts"),
]


@pytest.mark.parametrize("case", range(len(FILTER_CASES)))
def test_filter_expressions_match_brute_force(shared_index: TantivyIndex, corpus: list[dict], case: int) -> None:
    expr = FILTER_CASES[case](corpus)
    result = shared_index.search(SearchQuery(where=expr, principals=EVERYONE, rows=1000, sort="name asc",
                                             facet_fields=["org"]))
    expected = sorted((d for d in corpus if _matches(d, expr)), key=lambda d: d["name"])
    assert result.ids == [d["id"] for d in expected]
    assert result.facets["org"] == brute_facets(expected, "org", 50)


def test_filter_expressions_combine_with_text_and_visibility(shared_index: TantivyIndex, corpus: list[dict]) -> None:
    expr = AllOf((Not(Term("org", "cq-hjjczx")), Range("modified", lower=_at(corpus, 2))))
    ids = all_ids(shared_index, q="水质", where=expr, principals=PUBLIC)
    everything = all_ids(shared_index, q="水质", principals=PUBLIC)
    assert ids == [i for i in everything if _matches(next(d for d in corpus if d["id"] == i), expr)]
    assert 0 < len(ids) < len(everything)


@pytest.mark.parametrize(("expr", "code"), [
    (Term("title", "水质"), "search_bad_filter"),
    (AnyOf((Term("org", "x"), Not(Term("nonsense", "y")))), "search_bad_filter"),
    (Range("name", lower=datetime(2025, 1, 1, tzinfo=UTC)), "search_bad_range"),
    (Range("modified"), "search_bad_range"),
])
def test_bad_filter_expressions_are_refused(shared_index: TantivyIndex, expr: Filter, code: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        shared_index.search(SearchQuery(where=expr))
    assert code in [p.code for p in err.value.problems]


@pytest.mark.parametrize(("sort", "key", "reverse"), [
    ("created desc", lambda d: d["created"], True),
    ("created asc", lambda d: d["created"], False),
    ("name desc", lambda d: d["name"], True),
    ("id asc", lambda d: d["id"], False),
    ("id desc", lambda d: d["id"], True),
])
def test_more_sorts(shared_index: TantivyIndex, corpus: list[dict], sort: str, key, reverse: bool) -> None:
    assert all_ids(shared_index, sort=sort, principals=EVERYONE) == [
        d["id"] for d in sorted(corpus, key=key, reverse=reverse)]
