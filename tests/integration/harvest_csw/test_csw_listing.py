"""The CSW source type against a real pycsw: paging, output schemas, fallback, constraints, since."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from harvesters.base import RawRecord, SourceConfig
from harvesters.csw import CswSourceType
from harvesters.http import HttpClient

CSW = CswSourceType()
ISO_IDS_SINCE_2014 = {  # dateStamps read from the files: 2020-09-02, 2017-10-27, 2014-04-16
    "S2B_MSIL2A_20200902T090559_N0214_R050_T34SFG_20200902T113910.SAFE", "org.maracoos:avhrr.sst", "NS06agg"}


@pytest.fixture
def http() -> Iterator[HttpClient]:
    client = HttpClient(allow_private=True, retries=0, timeout=30)
    yield client
    client.close()


def source(url: str, **options: object) -> SourceConfig:
    return SourceConfig(name="cq-csw-test", type="csw", url=url, options=dict(options), org="cq-sthjj",
                        allow_private=True)


def corpus_ids(csw_corpus: Path) -> set[str]:
    """Identifiers of every record loaded into pycsw, read straight from the corpus files."""
    ids = set()
    for path in (csw_corpus / "iso19139-records").glob("*.xml"):
        ids.add(etree.parse(str(path)).findtext(
            "{http://www.isotc211.org/2005/gmd}fileIdentifier/{http://www.isotc211.org/2005/gco}CharacterString"))
    for path in (csw_corpus / "cite-dc-records").glob("*.xml"):
        ids.add(etree.parse(str(path)).findtext("{http://purl.org/dc/elements/1.1/}identifier"))
    return ids


def listed(src: SourceConfig, http: HttpClient, since: datetime | None = None) -> list[RawRecord]:
    found = list(CSW.list_records(src, since, http))
    assert all(isinstance(r, RawRecord) for r in found)
    return found  # type: ignore[return-value]


def root_name(raw: RawRecord) -> str:
    return etree.QName(etree.fromstring(raw.content)).localname


def test_pages_through_every_record_as_iso(pycsw_url: str, http: HttpClient, csw_corpus: Path) -> None:
    records = listed(source(pycsw_url, page_size=7), http)
    assert len(records) == 31 == len({r.remote_id for r in records})
    assert {r.remote_id for r in records} == corpus_ids(csw_corpus)
    assert {root_name(r) for r in records} == {"MD_Metadata", "MI_Metadata"}
    assert CSW.count(source(pycsw_url), None, http) == 31


def test_server_page_cap_is_followed_through_next_record(pycsw_url: str, http: HttpClient) -> None:
    # The test server caps pages at 10 records; asking for 50 must still reach all 31.
    records = listed(source(pycsw_url, page_size=50), http)
    assert len({r.remote_id for r in records}) == 31


def test_dublin_core_output(pycsw_url: str, http: HttpClient, csw_corpus: Path) -> None:
    records = listed(source(pycsw_url, output_schema="dc"), http)
    assert {root_name(r) for r in records} == {"Record"}
    assert {r.remote_id for r in records} == corpus_ids(csw_corpus)


def test_falls_back_to_dublin_core_when_iso_is_refused(pycsw_dc_url: str, http: HttpClient,
                                                       csw_corpus: Path) -> None:
    records = listed(source(pycsw_dc_url), http)
    assert {root_name(r) for r in records} == {"Record"}
    assert {r.remote_id for r in records} == corpus_ids(csw_corpus)
    mapped = CSW.to_record(next(r for r in records if r.remote_id == "NS06agg"), source(pycsw_dc_url))
    assert mapped.record["title"] == "PacIOOS Nearshore Sensor 06: Pohnpei, Micronesia"
    assert mapped.record["extras"]["harvest_source_schema"] == "dc"


def test_since_filters_on_modified(pycsw_url: str, http: HttpClient) -> None:
    records = listed(source(pycsw_url), http, since=datetime(2014, 1, 1, tzinfo=UTC))
    assert {r.remote_id for r in records} == ISO_IDS_SINCE_2014
    assert all(r.modified and r.modified >= datetime(2014, 1, 1, tzinfo=UTC) for r in records)
    assert CSW.count(source(pycsw_url), datetime(2014, 1, 1, tzinfo=UTC), http) == 3


def test_cql_constraint_and_since(pycsw_url: str, http: HttpClient) -> None:
    # Five records are titled "Aerial Photos" (four T_aerfo_* files and test.xml), all stamped 2009-10-09.
    photos = listed(source(pycsw_url, constraint="dc:title like '%Aerial%'"), http)
    assert len(photos) == 5
    assert {root_name(r) for r in photos} == {"MD_Metadata"}
    later = listed(source(pycsw_url, constraint="dc:title like '%Aerial%'"), http,
                   since=datetime(2009, 10, 10, tzinfo=UTC))
    assert later == []


def test_ogc_filter_constraint_anded_with_since(pycsw_url: str, http: HttpClient) -> None:
    like = ('<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc"><ogc:PropertyIsLike wildCard="%" singleChar="_" '
            'escapeChar="\\"><ogc:PropertyName>dc:title</ogc:PropertyName><ogc:Literal>%Sensor%</ogc:Literal>'
            '</ogc:PropertyIsLike></ogc:Filter>')
    assert [r.remote_id for r in listed(source(pycsw_url, constraint=like), http)] == ["NS06agg"]
    assert listed(source(pycsw_url, constraint=like), http, since=datetime(2015, 1, 1, tzinfo=UTC)) == []


def test_fetch_by_id_matches_the_listing(pycsw_url: str, http: HttpClient) -> None:
    from harvesters.base import RemoteRef

    raw = CSW.fetch(source(pycsw_url), RemoteRef("NS06agg"), http)
    assert raw.remote_id == "NS06agg"
    assert root_name(raw) == "MI_Metadata"
    assert CSW.to_record(raw, source(pycsw_url)).record["title"] == "PacIOOS Nearshore Sensor 06: Pohnpei, Micronesia"


def test_loopback_server_refused_unless_allowed(pycsw_url: str) -> None:
    from harvesters.base import HarvestError

    strict = HttpClient(retries=0)
    with pytest.raises(HarvestError) as caught:
        listed(source(pycsw_url), strict)
    assert caught.value.code == "harvest_private_address"
    strict.close()
