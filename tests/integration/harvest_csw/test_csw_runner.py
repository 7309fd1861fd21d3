"""Harvesting a real pycsw through the framework runner into the catalogue (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from catalog.models import Dataset, HarvestJob
from catalog.records import dataset_record
from catalog.service import Catalog
from harvesters import runner, sources

# The three CITE records without a dc:title (read from cite-dc-records/*.xml).
UNTITLED = {"urn:uuid:1ef30a8b-876d-4828-9246-c37ab4510bbd", "urn:uuid:88247b56-4cbc-4df9-9860-db3f8042e357",
            "urn:uuid:ab42a8c4-95e8-4630-bf79-33e59241605a"}


def counts(report: dict[str, Any]) -> dict[str, int]:
    return {k: v for k, v in report["counts"].items() if v}


def add_source(catalog: Catalog, url: str, **options: Any) -> None:
    with catalog.write() as session:
        sources.add_source(session, name="cq-geo-csw", org="cq-sthjj", type="csw", url=url,
                           title="测绘地理信息元数据目录", options={"page_size": 10, **options},
                           defaults={"share_type": "有条件共享", "share_condition": "仅限政务部门内部使用",
                                     "open_type": "无条件开放", "update_cycle": "每年", "theme": "general"},
                           allow_private=True)


def record_of(catalog: Catalog, remote_id: str) -> dict[str, Any]:
    with catalog.read() as session:
        ds = session.scalar(sa.select(Dataset).where(Dataset.harvest_remote_id == remote_id))
        assert ds is not None, remote_id
        return dataset_record(ds)


def test_harvests_every_record_and_reruns_unchanged(catalog: Catalog, people: Any, pycsw_url: str) -> None:
    add_source(catalog, pycsw_url)
    first = runner.run_source(catalog, "cq-geo-csw")
    assert first["status"] == "finished", first["error"]
    assert counts(first) == {"added": 28, "invalid": 3}
    assert {e["remote_id"] for e in first["errors"]} == UNTITLED
    assert {p["code"] for e in first["errors"] for p in e["problems"]} == {"csw_missing_title"}
    with catalog.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Dataset)) == 28

    second = runner.run_source(catalog, "cq-geo-csw")
    assert counts(second) == {"unchanged": 28, "invalid": 3}


def test_harvested_fields_of_an_iso_dataset(catalog: Catalog, people: Any, pycsw_url: str) -> None:
    add_source(catalog, pycsw_url)
    runner.run_source(catalog, "cq-geo-csw")
    # pacioos-NS06agg.xml, read by hand.
    record = record_of(catalog, "NS06agg")
    assert record["title"] == "PacIOOS Nearshore Sensor 06: Pohnpei, Micronesia"
    assert record["description"].startswith("The nearshore sensors are part of the Pacific Islands Ocean")
    assert record["organization"] == "cq-sthjj"
    assert record["share_type"] == "有条件共享" and record["share_condition"] == "仅限政务部门内部使用"
    assert record["open_type"] == "无条件开放" and record["update_cycle"] == "每年"
    assert record["themes"] == ["meteorology"]  # topic category climatologyMeteorologyAtmosphere
    assert "Oceans > Water Quality" in record["keywords"] and "sea_water_salinity" in record["keywords"]
    assert record["publish_date"] == "2011-04-19"  # the citation's "issued" date
    assert (record["temporal_start"], record["temporal_end"]) == ("2010-05-07", "2014-03-17")
    assert record["spatial"] == {"type": "Point", "coordinates": [158.22402954101562, 6.955227375030518]}
    assert "districts" not in record or record["districts"] == []  # Micronesia is not in Chongqing
    assert record["contact_point"] == {"name": "Margaret McManus", "email": "mamc@hawaii.edu"}
    assert record["extras"]["harvest_publisher"] == "University of Hawaii"
    assert record["extras"]["harvest_hierarchy_level"] == "dataset, service"
    assert record["extras"]["harvest_source"] == "cq-geo-csw"
    assert record["language"] == ["en"]
    # Seven links in gmd:distributionInfo plus the OPeNDAP connect point of the service section.
    by_name = {r["name"]: r for r in record["resources"]}
    assert by_name["THREDDS Catalog"]["url"] == "http://oos.soest.hawaii.edu/thredds/idd/nss_pacioos.html?dataset=NS06agg"
    assert by_name["THREDDS Catalog"]["format"] == "HTML"
    assert by_name["OPeNDAP"]["url"] == "http://oos.soest.hawaii.edu/thredds/dodsC/pacioos/nss/ns06agg"
    assert by_name["OPeNDAP"]["format"] == "OPeNDAP"
    assert by_name["OPeNDAP"]["description"] == "THREDDS OPeNDAP"
    assert len(record["resources"]) == 8


def test_harvested_fields_of_a_dublin_core_record(catalog: Catalog, people: Any, pycsw_url: str) -> None:
    add_source(catalog, pycsw_url, output_schema="dc")
    report = runner.run_source(catalog, "cq-geo-csw")
    assert counts(report) == {"added": 28, "invalid": 3}
    # Record_e9330592-….xml, read by hand.
    record = record_of(catalog, "urn:uuid:e9330592-0932-474b-be34-c3a3bb67c7db")
    assert record["title"] == "Fuscé vitae ligulä"
    assert record["description"].startswith("Morbi ultriçes, dui suscipit vestibulum prètium")
    assert record["keywords"] == ["Land titles"]
    assert record["publish_date"] == "2003-05-09"
    assert record["extras"]["harvest_dc_type"] == "http://purl.org/dc/dcmitype/Text"
    assert record["extras"]["harvest_formats"] == "text/rtf"
    assert record["themes"] == ["general"]


def test_incremental_run_lists_only_records_modified_since(catalog: Catalog, people: Any, pycsw_url: str) -> None:
    add_source(catalog, pycsw_url)
    runner.run_source(catalog, "cq-geo-csw")
    job_id = runner.queue_job(catalog, "cq-geo-csw")
    with catalog.write() as session:
        session.get(HarvestJob, job_id).since = datetime(2014, 1, 1, tzinfo=UTC)  # type: ignore[union-attr]
    report = runner.run_job(catalog, job_id)
    assert counts(report) == {"unchanged": 3}  # NS06agg, org.maracoos:avhrr.sst, the Sentinel-2 scene
    with catalog.read() as session:
        states = set(session.scalars(sa.select(Dataset.state)))
    assert states == {"active"}  # an incremental run never withdraws what it did not list


def test_source_options_are_validated_against_the_schema(catalog: Catalog, people: Any) -> None:
    from catalog.errors import ValidationFailed

    with catalog.write() as session:
        try:
            sources.add_source(session, name="bad-csw", org="cq-sthjj", type="csw", url="http://127.0.0.1/csw",
                               options={"output_schema": "fgdc"})
        except ValidationFailed as exc:
            assert exc.problems[0].location.field == "options.output_schema"
        else:
            raise AssertionError("an unknown output_schema was accepted")
