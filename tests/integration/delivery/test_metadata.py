"""DCAT-AP 3 feeds (validated with the official SHACL shapes), datapackage.json and the dataset zip
(validated with frictionless against the v2 profile)."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF

from catalog import publication_demo as demo

SHAPES = ("html_shacl_shapes.ttl", "html_shacl_shapes_recommended.ttl", "html_shacl_range.ttl")
OFFLINE_VOCABS = ("eu-data-theme-skos.rdf", "eu-filetypes-skos.rdf", "eu-frequencies-skos.rdf")
# EU tables the mdr-vocabularies shapes check membership in but that are not available offline.
# The offline file-type table is the 2016-09-21 edition, older than its PARQUET entry.
NOT_OFFLINE = ("http://publications.europa.eu/resource/authority/language/",
               "http://publications.europa.eu/resource/authority/planned-availability/",
               "http://publications.europa.eu/resource/authority/file-type/PARQUET")
SH = "http://www.w3.org/ns/shacl#"
INTERNAL = ("无条件共享", "有条件共享", "不予共享", "share_type", "shareType", "share_condition", "share_basis")


def shapes(corpora: Path, names: tuple[str, ...]) -> Graph:
    graph = Graph()
    for name in names:
        graph.parse(corpora / "dcat" / "shacl" / "dcat-ap-3.0.1" / name)
    return graph


def violations(data: Graph, shacl: Graph, own: Graph) -> list[tuple[str, str, str]]:
    _, results, _ = pyshacl.validate(data, shacl_graph=shacl, inference="none", advanced=True, allow_warnings=True)
    out = []
    nested = set(results.objects(None, URIRef(SH + "detail")))
    for result in results.subjects(RDF.type, URIRef(SH + "ValidationResult")):
        if result in nested:  # explained by its parent result
            continue
        if results.value(result, URIRef(SH + "resultSeverity")) != URIRef(SH + "Violation"):
            continue
        focus = results.value(result, URIRef(SH + "focusNode"))
        value = results.value(result, URIRef(SH + "value"))
        if (focus, None, None) not in own:  # a node only the merged vocabularies describe
            continue
        out.append((str(focus), str(results.value(result, URIRef(SH + "resultPath"))), str(value)))
    return out


def feed(client: Any, path: str, fmt: str) -> Graph:
    resp = client.get(path)
    assert resp.status_code == 200, resp.data[:300]
    body = resp.data.decode()
    for word in INTERNAL:
        assert word not in body, word
    return Graph().parse(data=body, format=fmt)


def test_catalog_passes_dcat_ap_3_shapes(client: Any, delivered: Any, corpora: Path) -> None:
    graph = feed(client, "/catalog.ttl", "turtle")
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == 3
    assert violations(graph, shapes(corpora, SHAPES), graph) == []
    vocabs = Graph()
    for name in OFFLINE_VOCABS:
        vocabs.parse(corpora / "dcat" / "vocabularies" / name)
    mdr = violations(graph + vocabs, shapes(corpora, ("html_shacl_mdr-vocabularies.shape.ttl",)), graph)
    assert [v for v in mdr if not v[2].startswith(NOT_OFFLINE)] == []


@pytest.mark.parametrize(("suffix", "fmt", "media"), [("ttl", "turtle", "text/turtle"),
                                                      ("jsonld", "json-ld", "application/ld+json"),
                                                      ("rdf", "xml", "application/rdf+xml")])
def test_every_serialization_says_the_same(client: Any, delivered: Any, suffix: str, fmt: str, media: str) -> None:
    reference = feed(client, "/catalog.ttl", "turtle")
    assert client.get(f"/catalog.{suffix}").mimetype == media
    assert len(feed(client, f"/catalog.{suffix}", fmt)) == len(reference)
    negotiated = client.get("/catalog", headers={"Accept": media})
    assert negotiated.mimetype == media and "Accept" in negotiated.headers["Vary"]
    one = feed(client, f"/dataset/{demo.AIR}.{suffix}", fmt)
    assert (URIRef(f"http://127.0.0.1:5000/dataset/{demo.AIR}"), RDF.type, DCAT.Dataset) in one


def test_distributions_only_for_released_channel_allowed_artifacts(client: Any, delivered: Any,
                                                                   people: Any) -> None:
    made = client.post("/api/v1/datasets", json={**_unreleased()}, headers=people.auth("editor"))
    assert made.status_code == 201, made.get_json()
    graph = feed(client, "/catalog.ttl", "turtle")
    unreleased = URIRef("http://127.0.0.1:5000/dataset/cq-noise-unreleased")
    assert (unreleased, RDF.type, DCAT.Dataset) in graph
    assert list(graph.objects(unreleased, DCAT.distribution)) == []
    air = URIRef(f"http://127.0.0.1:5000/dataset/{demo.AIR}")
    downloads = {str(o) for d in graph.objects(air, DCAT.distribution) for o in graph.objects(d, DCAT.downloadURL)}
    rid = delivered.resources[demo.AIR]
    assert downloads == {f"http://127.0.0.1:5000/dataset/{demo.AIR}/resource/{rid}/download.csv",
                         f"http://127.0.0.1:5000/dataset/{demo.AIR}/resource/{rid}/download.parquet"}
    text = client.get(f"/dataset/{demo.POLLUTION}.ttl").data.decode()
    assert "contact_person" not in text and demo.SECRET_CONTACT not in text


def _unreleased() -> dict[str, Any]:
    record = demo.records()[demo.AIR] | {"name": "cq-noise-unreleased", "title": "城市区域环境噪声监测（未发布）",
                                         "themes": ["noise"]}
    return record


def test_suffix_routes_win_and_pages_negotiate(client: Any, delivered: Any) -> None:
    resp = client.get(f"/dataset/{demo.AIR}.ttl")
    assert resp.mimetype == "text/turtle"
    redirect = client.get(f"/dataset/{demo.AIR}", headers={"Accept": "text/turtle"})
    assert redirect.status_code == 303 and redirect.headers["Location"].endswith(f"/dataset/{demo.AIR}.ttl")
    assert client.get("/dataset/no-such-dataset.ttl").status_code == 404


def test_catalog_is_paged_with_hydra(client: Any, delivered: Any, monkeypatch: Any) -> None:
    import portal.dcat as dcat_routes

    monkeypatch.setattr(dcat_routes, "PER_PAGE", 2)
    hydra = "http://www.w3.org/ns/hydra/core#"
    first = feed(client, "/catalog.ttl?page=1", "turtle")
    second = feed(client, "/catalog.ttl?page=2", "turtle")
    view = URIRef("http://127.0.0.1:5000/catalog?page=2")
    assert (view, RDF.type, URIRef(hydra + "PartialCollectionView")) in second
    assert str(second.value(view, URIRef(hydra + "previous"))).endswith("page=1")
    assert second.value(view, URIRef(hydra + "next")) is None
    assert int(second.value(view, URIRef(hydra + "totalItems"))) == 3
    names = {str(s) for g in (first, second) for s in g.subjects(RDF.type, DCAT.Dataset)}
    assert len(names) == 3


def test_zip_holds_a_valid_data_package(client: Any, delivered: Any, tmp_path: Path) -> None:
    import frictionless

    resp = client.get(f"/dataset/{demo.POLLUTION}/download.zip")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    assert "filename*=UTF-8''" in resp.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(resp.data)) as zf:
        zf.extractall(tmp_path)
        descriptor = json.loads(zf.read("datapackage.json"))
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    fields = {f["name"] for r in descriptor["resources"] for f in r["schema"]["fields"]}
    assert "contact_person" not in fields and "enterprise_name" in fields
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])


@pytest.fixture
def live(catalog: Any, config: Any, delivered: Any) -> Iterator[str]:
    """The same catalogue served over HTTP on 127.0.0.1, its site URL being where it listens."""
    import waitress

    from portal.app import create_app

    holder: dict[str, Any] = {}
    server = waitress.create_server(lambda env, start: holder["app"](env, start), host="127.0.0.1", port=0,
                                    threads=2)
    base = f"http://127.0.0.1:{server.effective_port}"
    holder["app"] = create_app(config.with_overrides(ECODATA_SITE_URL=base), catalog=catalog)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield base
    server.close()
    thread.join(timeout=5)


def test_datapackage_json_validates_over_http(live: str) -> None:
    import frictionless

    for name in (demo.AIR, demo.POLLUTION):
        report = frictionless.validate(f"{live}/dataset/{name}/datapackage.json")
        assert report.valid, report.flatten(["type", "note"])


def test_catalog_publisher_follows_the_settings(app: Any, delivered: Any) -> None:
    app.extensions["ecodata.config"] = app.extensions["ecodata.config"].with_overrides(
        ECODATA_PUBLISHER_CODE="cq-dsjj", ECODATA_PUBLISHER_NAME="重庆市大数据应用发展管理局")
    app.extensions.pop("ecodata.delivery", None)
    graph = feed(app.test_client(), "/catalog.ttl", "turtle")
    catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
    publisher = graph.value(catalogs[0], URIRef("http://purl.org/dc/terms/publisher"))
    names = {str(o) for o in graph.objects(publisher, URIRef("http://xmlns.com/foaf/0.1/name"))}
    assert "cq-dsjj" in str(publisher) and "重庆市大数据应用发展管理局" in names
