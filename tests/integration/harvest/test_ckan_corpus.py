"""CKAN harvesting of real portal responses served by a real CKAN-style API on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harvesters.common import license_id

SEARCH_FILES = ("dados-gov-br/package_search_all.json", "dados-gov-br/package_search_organization.json",
                "data-birmingham-gov-uk/package_search.json", "dados-gov-br/package_search_title_or.json")
SHOW_FILES = ("data-gov-hk/package_show_hk-pland-tpedm.json", "transportdata-be/package_show_cambio-belgium.json",
              "dados-gov-br/package_show_bolsa-familia-pagamentos.json", "demo-ckan-org/package_show_frictionless.json")
BARE_FILES = ("ckanext-dcat/full_ckan_dataset_legacy.json", "hdx/unesco_dataset.json",
              "ckanext-dcat/ckan_dataset_multilingual.json")


def corpus_packages(corpora: Path) -> list[dict[str, Any]]:
    base = corpora / "ckan"
    packages: dict[str, dict[str, Any]] = {}
    for name in SEARCH_FILES:
        for pkg in json.loads((base / name).read_text(encoding="utf-8"))["result"]["results"]:
            packages[pkg["id"]] = pkg
    for name in SHOW_FILES:
        pkg = json.loads((base / name).read_text(encoding="utf-8"))["result"]
        packages[pkg.get("id") or pkg["name"]] = pkg
    for name in BARE_FILES:
        pkg = json.loads((base / name).read_text(encoding="utf-8"))
        packages[pkg.get("id") or pkg["name"]] = pkg
    return list(packages.values())


@pytest.fixture
def ckan_source(corpora: Path, server: Any, harvest: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    packages = corpus_packages(corpora)
    url = server.add_ckan("ckan", packages)
    harvest.source("real-ckan", "ckan", url, options={"rows": 7})
    return packages, harvest.run("real-ckan")


def test_every_corpus_package_is_harvested(ckan_source: Any, harvest: Any) -> None:
    packages, report = ckan_source
    assert report["status"] == "finished", report
    assert report["counts"]["added"] == len(packages), report["errors"]
    assert report["counts"]["invalid"] == report["counts"]["failed"] == 0
    assert set(harvest.records()) == {p.get("id") or p["name"] for p in packages}


def _tags(pkg: dict[str, Any]) -> list[str]:
    return [t.get("display_name") or t["name"] for t in pkg.get("tags", [])]


@pytest.mark.parametrize("pick", [0, 1, 5, 12, -1, -2, -3, -4])
def test_fields_match_the_source_record(ckan_source: Any, harvest: Any, pick: int) -> None:
    packages, _ = ckan_source
    pkg = packages[pick]
    rec = harvest.records()[pkg.get("id") or pkg["name"]]
    title = pkg["title"] if isinstance(pkg.get("title"), str) and pkg["title"] else None
    if title and len(title) <= 200:
        assert rec["title"] == title
    if isinstance(pkg.get("notes"), str) and pkg["notes"]:
        assert rec["description"] == pkg["notes"]
    assert rec["keywords"] == list(dict.fromkeys(t[:100] for t in _tags(pkg)))
    if pkg.get("organization"):
        assert rec["extras"]["harvest_publisher"] == pkg["organization"]["title"]
    expected_licence = license_id(pkg.get("license_id")) or license_id(pkg.get("license_url"))
    assert rec.get("license_id") == (expected_licence or license_id(pkg.get("license_title")))
    if pkg.get("license_id") and not rec.get("license_id"):
        assert rec["extras"]["harvest_license_title"] or rec["extras"].get("harvest_extra_license")
    urls = [r["url"] for r in pkg.get("resources", []) if isinstance(r.get("url"), str) and r["url"].startswith("http")]
    assert [r["url"] for r in rec["resources"]] == urls
    for got, res in zip(rec["resources"], [r for r in pkg["resources"] if r.get("url", "").startswith("http")],
                        strict=True):
        if res.get("format"):
            assert got["format"] == res["format"].upper().rsplit("/", 1)[-1][:50]
        if isinstance(res.get("size"), int):
            assert got["byte_size"] == res["size"]
    assert rec["extras"]["harvest_remote_id"] == (pkg.get("id") or pkg["name"])
    assert rec["organization"] == "cq-sthjj"


def test_hong_kong_contact_and_provenance(ckan_source: Any, harvest: Any, corpora: Path) -> None:
    pkg = json.loads((corpora / "ckan/data-gov-hk/package_show_hk-pland-tpedm.json").read_text())["result"]
    rec = harvest.records()[pkg["id"]]
    assert rec["contact_point"] == {"name": pkg["maintainer"], "email": pkg["maintainer_email"]}
    assert rec["name"] == pkg["name"]
    assert rec["extras"]["harvest_metadata_modified"] == pkg["metadata_modified"]
    assert rec["extras"]["harvest_source"] == "real-ckan"
    assert rec["extras"]["harvest_remote_url"].endswith(f"/dataset/{pkg['name']}")
    assert rec["extras"]["harvest_original"].startswith("/api/v1/harvest/objects/")


def test_spatial_and_temporal_extents(ckan_source: Any, harvest: Any, corpora: Path) -> None:
    legacy = json.loads((corpora / "ckan/ckanext-dcat/full_ckan_dataset_legacy.json").read_text())
    extras = {e["key"]: e["value"] for e in legacy["extras"]}
    rec = harvest.records()[legacy["id"]]
    west, south = float(extras["bbox-west-long"]), float(extras["bbox-south-lat"])
    east, north = float(extras["bbox-east-long"]), float(extras["bbox-north-lat"])
    # The GeoJSON ``spatial`` extra wins; it covers the same box as the bbox-* extras.
    assert rec["spatial"] == json.loads(extras["spatial"])
    corners = {tuple(p) for p in rec["spatial"]["coordinates"][0]}
    assert corners == {(west, south), (east, south), (east, north), (west, north)}
    assert rec["extras"]["harvest_extra_guid"] == extras["guid"]
    hdx = json.loads((corpora / "ckan/hdx/unesco_dataset.json").read_text())
    rec = harvest.records()[hdx["id"]]
    start, end = hdx["dataset_date"].strip("[]").split(" TO ")
    assert (rec["temporal_start"], rec["temporal_end"]) == (start[:10], end[:10])
    assert rec["extras"]["harvest_license_title"] == hdx["license_title"]


def test_ckan_api_errors_are_reported_clearly(corpora: Path, server: Any, harvest: Any) -> None:
    error = (corpora / "ckan/dados-gov-br/package_show_404_not_found.json").read_bytes()
    server.add_file("broken/api/3/action/package_search", error, "application/json")
    harvest.source("broken-ckan", "ckan", f"{server.url}/broken")
    report = harvest.run("broken-ckan")
    assert report["status"] == "failed"
    assert report["error"]["code"] in ("harvest_http_error", "harvest_ckan_error")
    assert "broken" in report["error"]["message_en"]
