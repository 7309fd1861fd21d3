"""DCAT / DCAT-AP harvesting of the shared corpus (Turtle, RDF/XML, JSON-LD) over HTTP on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF

DCAT = Namespace("http://www.w3.org/ns/dcat#")
CONTEXT = "https://semiceu.github.io/uri.semic.eu-generated/DCAT-AP/releases/3.0.0/html/examples/context.jsonld"
PARSEABLE = ("ckanext-dcat/dataset.rdf", "ckanext-dcat/catalog.rdf", "ckanext-dcat/dataset_afs.ttl",
             "ckanext-dcat/dataset_gob_es.ttl", "ckanext-dcat/dataset_sweden.rdf", "ckanext-dcat/catalog_pod.jsonld",
             "ckanext-dcat/dataset_multilingual.ttl", "dcat-ap-it/catalog_dati_unibo.rdf",
             "dcat-ap-de/catalog-endpoint.rdf", "dcat-ap-de/metadata_max.rdf", "opendata-swiss/catalog.xml",
             "semiceu-examples/dcat-ap-3.0.1/example-bee-population-2022-2023.jsonld",
             "semiceu-examples/dcat-ap-3.0.1/example-bee-population-2022-2023.ttl")
BROKEN = ("ckanext-dcat/dataset.ttl", "ckanext-dcat/full_croissant_dataset.jsonld",
          "semiceu-examples/dcat-ap-hvd-3.0.0/example-bees_wasps_dataset.ttl")
FORMATS = {".ttl": "turtle", ".rdf": "xml", ".xml": "xml", ".jsonld": "json-ld"}


def _serve(server: Any, corpora: Path, rel: str) -> str:
    return server.add_file(f"dcat/{rel}", (corpora / "dcat" / rel).read_bytes(), "")


def _graph(corpora: Path, rel: str) -> Graph:
    path = corpora / "dcat" / rel
    graph = Graph()
    if path.suffix == ".jsonld":
        import json

        doc = json.loads(path.read_text())
        if doc.get("@context") == CONTEXT:
            doc["@context"] = json.loads((path.parent / "context.jsonld").read_text())["@context"]
        graph.parse(data=json.dumps(doc), format="json-ld")
    else:
        graph.parse(path, format=FORMATS[path.suffix])
    return graph


def _texts(graph: Graph, node: Any, pred: Any) -> set[str]:
    return {str(o).strip() for o in graph.objects(node, pred) if isinstance(o, Literal)}


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("rel", PARSEABLE)
def test_datasets_match_the_source_graph(rel: str, corpora: Path, server: Any, harvest: Any) -> None:
    ctx = server.add_file("ctx.jsonld", (corpora / "dcat/semiceu-examples/dcat-ap-3.0.1/context.jsonld").read_bytes(),
                          "application/ld+json")
    harvest.source("dcat", "dcat", _serve(server, corpora, rel), options={"jsonld_contexts": {CONTEXT: ctx}})
    report = harvest.run("dcat")
    assert report["status"] == "finished", report["error"]
    graph = _graph(corpora, rel)
    roots = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert sum(report["counts"].values()) == len(roots)
    records = harvest.records()
    for root in (r for r in roots if isinstance(r, URIRef) and str(r) in records):
        rec = records[str(root)]
        titles = _texts(graph, root, DCTERMS.title)
        assert rec["title"] in titles or rec["title"][:-1] in {t[:199] for t in titles}
        descriptions = _texts(graph, root, DCTERMS.description)
        assert rec["description"] in descriptions or (not descriptions and rec["description"] == rec["title"])
        assert set(rec.get("keywords", [])) == {k[:100] for k in _texts(graph, root, DCAT.keyword)}
        urls = {str(u) for d in graph.objects(root, DCAT.distribution)
                for u in [*graph.objects(d, DCAT.accessURL), *graph.objects(d, DCAT.downloadURL)][:1]}
        assert {r["url"] for r in rec.get("resources", [])} <= {str(u) for d in graph.objects(root, DCAT.distribution)
                                                               for u in [*graph.objects(d, DCAT.accessURL),
                                                                         *graph.objects(d, DCAT.downloadURL)]}
        assert len(rec.get("resources", [])) == len(urls)
        for publisher in graph.objects(root, DCTERMS.publisher):
            names = _texts(graph, publisher, FOAF.name)
            if names:
                assert rec["extras"]["harvest_publisher"] in names
    invalid = [e for e in report["errors"] if e["outcome"] == "invalid"]
    assert report["counts"]["invalid"] == len(invalid)


def test_full_dataset_fields(corpora: Path, server: Any, harvest: Any) -> None:
    harvest.source("dcat", "dcat", _serve(server, corpora, "ckanext-dcat/dataset.rdf"))
    assert harvest.run("dcat")["counts"]["added"] == 1
    rec = harvest.records()["https://data.some.org/catalog/datasets/9df8df51-63db-37a8-e044-0003ba9b0d98"]
    assert rec["title"] == "Zimbabwe Regional Geochemical Survey."
    assert rec["keywords"] == ["exploration", "geochemistry", "geology"]
    assert (rec["temporal_start"], rec["temporal_end"]) == ("1905-03-01", "2013-01-05")
    assert rec["spatial"] == {"type": "Polygon", "coordinates": [[
        [11.9936, 54.0486], [11.9936, 54.2466], [12.3045, 54.2466], [12.3045, 54.0486], [11.9936, 54.0486]]]}
    assert rec["update_cycle"] == "每日" and rec["version"] == "2.3" and rec["publish_date"] == "2012-05-10"
    assert rec["language"] == ["ca", "en", "es"] or sorted(rec["language"]) == ["ca", "en", "es"]
    assert rec["landing_page"] == "http://dataset.info.org"
    assert rec["extras"]["harvest_license"] == "https://data.some.org/link/to/license"
    assert rec["extras"]["harvest_identifier"] == "9df8df51-63db-37a8-e044-0003ba9b0d98"


def test_unreadable_dataset_descriptions_are_record_errors(corpora: Path, server: Any, harvest: Any) -> None:
    harvest.source("de", "dcat", _serve(server, corpora, "dcat-ap-de/catalog-endpoint.rdf"))
    report = harvest.run("de")
    assert report["status"] == "finished"
    assert report["counts"]["added"] >= 5
    for error in report["errors"]:
        assert error["remote_id"] and error["problems"][0]["location"]["record"] == error["remote_id"]


@pytest.mark.parametrize("rel", BROKEN)
def test_files_broken_upstream_fail_the_job_with_a_clear_error(rel: str, corpora: Path, server: Any,
                                                              harvest: Any) -> None:
    url = _serve(server, corpora, rel)
    harvest.source("broken", "dcat", url)
    report = harvest.run("broken")
    assert report["status"] == "failed"
    assert report["error"]["code"] == "harvest_parse_error"
    assert url in report["error"]["message_en"]


def test_hydra_pages_are_followed(server: Any, harvest: Any) -> None:
    page = """@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
<{base}/ds/{n}> a dcat:Dataset ; dct:title "{title}"@zh ; dct:description "{title}，逐日发布。"@zh ;
  dcat:keyword "空气质量" ; dcat:distribution [ a dcat:Distribution ; dcat:accessURL <{base}/files/{n}.csv> ;
  dct:format "CSV" ] .
<{base}/catalog?page={n}> a hydra:PartialCollectionView {next} ."""
    titles = ["渝中区空气质量日报", "江北区空气质量日报", "沙坪坝区空气质量日报"]
    for n, title in enumerate(titles, start=1):
        nxt = f'; hydra:next <{server.url}/catalog?page={n + 1}>' if n < len(titles) else ""
        server.add_file(f"catalog?page={n}", page.format(base=server.url, n=n, title=title, next=nxt), "text/turtle")
    server.files["/catalog"] = server.files["/catalog?page=1"]
    harvest.source("paged", "dcat", f"{server.url}/catalog", options={"format": "turtle"})
    report = harvest.run("paged")
    assert report["counts"]["added"] == 3
    assert sorted(r["title"] for r in harvest.records().values()) == sorted(titles)
