"""The vocabularies are complete, consistent with the profile, and match the real sources."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import schemas

PROFILE = schemas.load_profile("dataset")
PROPS = PROFILE["properties"]
EU = "http://publications.europa.eu/resource/authority/"
TABLE_TYPES = {"string", "number", "integer", "boolean", "object", "array", "list", "datetime", "date", "time",
               "year", "yearmonth", "duration", "geopoint", "geojson", "any"}
VOCABS = ["themes", "districts", "update_cycles", "licenses", "open_types", "share_types", "formats",
          "element_types", "departments", "stations"]


@pytest.mark.parametrize("name", VOCABS)
def test_every_entry_has_unique_id_and_both_labels(name: str) -> None:
    entries = schemas.load_vocab(name)
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids)), f"duplicate ids in {name}"
    for entry in entries:
        assert entry["zh"] and entry["en"], entry
        assert re.search(r"[\u4e00-\u9fff]", entry["zh"]) or name in {"element_types", "formats"}, entry


def test_districts_are_chongqing_38_divisions_plus_the_city() -> None:
    entries = schemas.load_vocab("districts")
    codes = [e["id"] for e in entries]
    districts = sorted(c for c, e in zip(codes, entries, strict=True) if e["kind"] == "district")
    counties = sorted(c for c, e in zip(codes, entries, strict=True) if e["kind"] == "county")
    assert len(entries) == 39 and len(set(codes)) == 39
    assert len(districts) == 26 and districts[0] == "500101" and districts[-1] == "500156"
    assert len(counties) == 12 and counties[0] == "500229" and counties[-1] == "500243"
    assert [e["zh"] for e in entries if e["id"] == "500000"] == ["重庆市"]
    assert len({e["zh"] for e in entries}) == 39
    names = {e["id"]: e["zh"] for e in entries}
    assert (names["500103"], names["500156"], names["500243"]) == ("渝中区", "武隆区", "彭水苗族土家族自治县")
    # 500232 was 武隆县 before it became 武隆区 (500156); it must not linger.
    assert "500232" not in names


def test_district_centroids_lie_inside_chongqing() -> None:
    for entry in schemas.load_vocab("districts"):
        assert 105.2 < entry["lon"] < 110.3 and 28.1 < entry["lat"] < 32.3, entry


def test_eleven_themes_each_mapped_to_eu_theme_and_national_class() -> None:
    themes = schemas.load_vocab("themes")
    assert [t["id"] for t in themes] == ["air", "surface-water", "groundwater", "drinking-water", "soil", "noise",
                                         "radiation", "pollution-source", "ecology", "meteorology", "general"]
    for theme in themes:
        assert theme["iri"].startswith(EU + "data-theme/"), theme
        assert theme["national"] == "生态环保"
        assert re.fullmatch(PROPS["classification_code"]["pattern"], theme["classification_code"])
    assert len({t["classification_code"] for t in themes}) == 11


@pytest.mark.parametrize(("vocab", "field", "table"), [
    ("update_cycles", "update_cycle", "frequency"),
    ("open_types", "open_type", "access-right"),
    ("share_types", "share_type", None),
])
def test_code_lists_equal_the_profile_enums(vocab: str, field: str, table: str | None) -> None:
    entries = schemas.load_vocab(vocab)
    assert [e["id"] for e in entries] == PROPS[field]["enum"]
    for entry in entries:
        if table:
            assert entry["iri"].startswith(f"{EU}{table}/"), entry


def test_access_rights_follow_the_standard_mapping() -> None:
    codes = {e["id"]: e["code"] for e in schemas.load_vocab("open_types")}
    assert codes == {"无条件开放": "PUBLIC", "有条件开放": "RESTRICTED", "不予开放": "NON_PUBLIC"}


def test_element_types_map_to_table_schema_types() -> None:
    entries = schemas.load_vocab("element_types")
    assert [e["id"] for e in entries] == PROFILE["$defs"]["data_element"]["properties"]["type"]["enum"]
    mapping = {e["id"]: e["table_type"] for e in entries}
    assert mapping["C"] == "string" and mapping["I"] == "integer" and mapping["T"] == "datetime"
    assert mapping["L"] == "boolean" and {mapping[k] for k in "NFBY"} == {"number"}
    assert set(mapping.values()) <= TABLE_TYPES


def test_licences_include_the_required_set_with_urls() -> None:
    index = schemas.vocab_index("licenses")
    assert {"cc-by-4.0", "cc-by-sa-4.0", "cc0-1.0", "odc-odbl", "odc-by", "cn-gov-open-1.0", "other-closed"} <= set(index)
    for licence_id, entry in index.items():
        assert re.fullmatch(PROFILE["$defs"]["license_id"]["pattern"], licence_id)
        assert entry["url"] is None or entry["url"].startswith("https://"), entry
    assert index["cn-gov-open-1.0"]["path"].startswith("/")
    assert index["other-closed"]["open"] is False


def test_formats_use_the_national_format_categories() -> None:
    categories = PROPS["resource_format"]["properties"]["category"]["enum"]
    document = schemas.load_vocab_document("formats")
    assert document["categories"] == categories
    for entry in document["entries"]:
        assert entry["category"] in categories, entry
        assert entry["media_type"] is None or "/" in entry["media_type"]


def test_departments_are_valid_organizations_with_scheme_codes() -> None:
    document = schemas.load_vocab_document("departments")
    scheme = document["code_scheme"]
    org_schema = Draft202012Validator(schemas.load_profile("organization"))
    entries = document["entries"]
    assert len(entries) >= 15
    ids = {e["id"] for e in entries}
    assert len({e["code"] for e in entries}) == len(entries)
    for entry in entries:
        assert entry["code"] == scheme["province"] + scheme["level"] + entry["seq"]
        assert set(entry["seq"]) <= set(scheme["seq_alphabet"].split()[0])
        assert entry["parent"] is None or entry["parent"] in ids
        record = {"name": entry["id"], "code": entry["code"], "title": entry["zh"], "title_en": entry["en"],
                  "parent": entry["parent"]}
        assert not list(org_schema.iter_errors(record)), entry
    titles = {e["zh"] for e in entries}
    assert {"重庆市生态环境局", "重庆市水利局", "重庆市生态环境监测中心", "重庆市交通运输委员会"} <= titles


def test_stations_sit_in_their_district() -> None:
    districts = schemas.vocab_index("districts")
    for station in schemas.load_vocab("stations"):
        centre = districts[station["district"]]
        assert abs(station["lon"] - centre["lon"]) < 0.35 and abs(station["lat"] - centre["lat"]) < 0.35, station


def test_stations_match_the_cnemc_release(corpora: Path) -> None:
    published: dict[str, tuple[str, float, float]] = {}
    for name in ("archive_2017-07-07-16.geojson", "airnow_2018-02-20T07.geojson"):
        features = json.loads((corpora / "envdata" / "cnemc-realtime" / name).read_text(encoding="utf-8"))["features"]
        for feature in features:
            props = feature["properties"]
            if props["area"] == "重庆市":
                lon, lat = feature["geometry"]["coordinates"]
                published[props["stationcode"]] = (props["positionname"], lon, lat)
    ours = {s["id"]: (s["zh"], s["lon"], s["lat"]) for s in schemas.load_vocab("stations")}
    assert ours == published


def test_profile_and_organization_schemas_are_valid_json_schema() -> None:
    for name in ("dataset", "organization"):
        Draft202012Validator.check_schema(schemas.load_profile(name))
    assert PROFILE["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_every_profile_property_is_labelled_in_both_languages() -> None:
    def walk(node: dict, path: str) -> None:
        for key, child in node.get("properties", {}).items():
            assert child.get("title") and child.get("x-title-en"), f"{path}{key}"
            walk(child, f"{path}{key}.")
    walk(PROFILE, "")
    for name in ("data_element", "resource", "contact_point", "checksum"):
        walk(PROFILE["$defs"][name], f"$defs.{name}.")


def test_national_core_items_and_dcat_properties_are_mapped() -> None:
    national = {p.get("x-national", "") for p in PROPS.values()}
    for item in ("信息资源名称", "信息资源代码", "信息资源摘要", "信息资源格式", "信息项信息", "更新周期", "发布日期",
                 "关联资源代码", "信息资源分类"):
        assert item in national, item
    assert any("提供方代码" in n for n in national)
    dcat = {p.get("x-dcat", "").split(" ")[0] for p in PROPS.values()}
    assert {"dct:title", "dct:description", "dcat:contactPoint", "dcat:distribution", "dcat:keyword",
            "dct:publisher", "dct:spatial", "dct:temporal", "dcat:theme"} <= dcat
    resource = {p.get("x-dcat", "") for p in PROFILE["$defs"]["resource"]["properties"].values()}
    assert {"dcat:accessURL", "dct:description", "dct:format", "dct:license", "dcatap:availability"} <= resource


def test_loader_returns_copies() -> None:
    schemas.load_vocab("themes")[0]["id"] = "changed"
    schemas.load_profile()["properties"].clear()
    assert schemas.load_vocab("themes")[0]["id"] == "air"
    assert "title" in schemas.load_profile()["properties"]
    assert schemas.schema_path("vocab", "themes.yaml").is_file()
    assert "500103" in schemas.vocab_ids("districts")
