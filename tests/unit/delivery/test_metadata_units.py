"""Cursors, DCAT-AP mappings and datapackage schemas, without a server."""

from __future__ import annotations

import pyarrow as pa
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, XSD

from catalog.delivery import cursor, datapackage, dcat
from catalog.errors import ValidationFailed
from schemas import load_vocab

SITE = dcat.Site("http://127.0.0.1:5000", "重庆市生态环境监测数据开放平台", "开放目录", "cq-sthjj", "重庆市生态环境局")
PUBLISHER = dcat.Publisher("cq-sthjj", "重庆市生态环境局")


def record(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "name": "cq-air-hourly", "title": "渝中区空气质量小时数据", "description": "解放碑等站点小时浓度",
        "resource_code": "216001/000001", "organization": "cq-sthjj", "open_type": "有条件开放",
        "open_condition": "须签订数据利用协议", "share_type": "有条件共享", "share_condition": "仅限政务用途",
        "share_basis": "内部规定", "update_cycle": "每日", "themes": ["air"], "keywords": ["空气质量"],
        "publish_date": "2026-01-05", "metadata_modified": "2026-02-01T08:00:00+00:00"}
    base.update(overrides)
    return base


def test_cursor_round_trip_and_tampering() -> None:
    token = cursor.encode(500, b"k", "sha", "query-1")
    assert cursor.decode(token, b"k", "sha", "query-1") == 500
    for args in ((b"other", "sha", "query-1"), (b"k", "sha2", "query-1"), (b"k", "sha", "query-2")):
        with pytest.raises(ValidationFailed):
            cursor.decode(token, *args)
    with pytest.raises(ValidationFailed):
        cursor.decode(token[:-3] + "AAA", b"k", "sha", "query-1")
    with pytest.raises(ValidationFailed):
        cursor.decode("不是游标", b"k", "sha", "query-1")


@pytest.mark.parametrize("entry", load_vocab("open_types"), ids=lambda e: e["code"])
def test_open_type_maps_to_eu_access_right(entry: dict[str, str]) -> None:
    graph = dcat.dataset_graph(SITE, dcat.Entry(record(open_type=entry["id"]), PUBLISHER))
    ds = dcat.dataset_iri(SITE, "cq-air-hourly")
    assert list(graph.objects(ds, DCTERMS.accessRights)) == [URIRef(entry["iri"])]


@pytest.mark.parametrize("entry", load_vocab("update_cycles"), ids=lambda e: e["slug"])
def test_update_cycle_maps_to_eu_frequency(entry: dict[str, str]) -> None:
    graph = dcat.dataset_graph(SITE, dcat.Entry(record(update_cycle=entry["id"]), PUBLISHER))
    ds = dcat.dataset_iri(SITE, "cq-air-hourly")
    assert list(graph.objects(ds, DCTERMS.accrualPeriodicity)) == [URIRef(entry["iri"])]


def test_share_attribute_is_never_emitted() -> None:
    graph = dcat.dataset_graph(SITE, dcat.Entry(record(), PUBLISHER))
    text = dcat.serialize(graph, "ttl").decode()
    for secret in ("有条件共享", "仅限政务用途", "内部规定"):
        assert secret not in text
    ds = dcat.dataset_iri(SITE, "cq-air-hourly")
    assert (ds, DCTERMS.identifier, Literal("216001/000001")) in graph
    assert (ds, DCTERMS.issued, Literal("2026-01-05", datatype=XSD.date)) in graph
    assert (ds, DCTERMS.modified, Literal("2026-02-01T08:00:00+00:00", datatype=XSD.dateTime)) in graph
    assert (ds, DCTERMS.title, Literal("渝中区空气质量小时数据", lang="zh")) in graph
    assert (ds, DCAT.theme, URIRef("http://publications.europa.eu/resource/authority/data-theme/ENVI")) in graph


def test_distribution_without_download_channel_has_no_download_url() -> None:
    dist = dcat.Distribution("r1", "小时数据", "CSV", "http://127.0.0.1:5000/dataset/x/resource/r1")
    graph = dcat.dataset_graph(SITE, dcat.Entry(record(), PUBLISHER, [dist]))
    node = next(graph.objects(dcat.dataset_iri(SITE, "cq-air-hourly"), DCAT.distribution))
    assert list(graph.objects(node, DCAT.downloadURL)) == []
    assert list(graph.objects(node, DCAT.accessURL)) == [URIRef(dist.access_url)]


def test_released_schema_keeps_only_released_fields() -> None:
    arrow = pa.schema([("station_code", pa.string()), ("time", pa.timestamp("ms")), ("pm25", pa.float64()),
                       ("extra_count", pa.int64())])
    schema = datapackage.released_schema(arrow, ["station_code", "pm25", "extra_count"], "air_quality_hourly")
    assert [f["name"] for f in schema["fields"]] == ["station_code", "pm25", "extra_count"]
    assert schema["fields"][1]["title"] == "细颗粒物（PM2.5）"
    assert schema["fields"][2]["type"] == "integer"
    assert "primaryKey" not in schema  # its time field is not released
    assert "foreignKeys" not in schema


def test_package_descriptor_is_valid_v2() -> None:
    from frictionless import Package

    schema = datapackage.released_schema(pa.schema([("station_code", pa.string())]), ["station_code"], None)
    res = datapackage.PackageResource("r1", "https://example.org/r1.csv", "小时数据", schema, byte_size=10,
                                      sha256="0" * 64)
    descriptor = datapackage.package_descriptor(record(license_id="cc-by-4.0"), "重庆市生态环境局", [res],
                                                site_url="http://127.0.0.1:5000", release_number=3)
    assert descriptor["version"] == "3.0.0" and descriptor["resources"][0]["hash"] == "sha256:" + "0" * 64
    assert descriptor["licenses"][0]["path"] == "https://creativecommons.org/licenses/by/4.0/"
    report = Package.validate_descriptor(descriptor)
    assert report.valid, report.flatten(["type", "note"])
