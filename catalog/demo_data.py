"""Deterministic, realistic demo content: Chongqing departments and monitoring datasets.

The templates live in schemas/demo/datasets.yaml; this module expands them (per district, per
national air station) into complete profile records.  The same inputs always give the same
records, so demos, screenshots and tests are reproducible.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from datetime import date, timedelta
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

import schemas
from catalog.profile import generate_resource_code

__all__ = ["demo_datasets", "demo_departments", "generate_datasets"]

BASE_URL = "https://ecodata.example"
_CITY = "500000"
_CITY_BBOX = (105.28, 28.16, 110.19, 32.20)
_SHARE_CONDITION = "仅向承担生态环境监管职责的市级部门和区县政府共享，限用于环境监管和执法，不得向第三方提供。"
_OPEN_CONDITION = "须提交用途说明并签订数据利用协议，仅限科研和环境管理用途，不得公开发布企业排放明细。"
_OPEN_BASIS = "涉及国家秘密，依据《中华人民共和国保守国家秘密法》不予开放。"
_SHARE_BASIS = "涉及国家秘密，依据《中华人民共和国保守国家秘密法》不予共享。"


@cache
def _templates() -> dict[str, Any]:
    text = files("schemas").joinpath("demo", "datasets.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def demo_departments() -> list[dict[str, Any]]:
    """Every department in vocab/departments.yaml, shaped as organization records."""
    return [{"name": d["id"], "code": d["code"], "title": d["zh"], "title_en": d["en"], "parent": d["parent"]}
            for d in schemas.load_vocab("departments")]


def demo_datasets() -> list[dict[str, Any]]:
    """The demo catalogue: over 100 valid records covering every theme and most districts."""
    return copy.deepcopy(list(_demo_records()))


@cache
def _demo_records() -> tuple[dict[str, Any], ...]:
    records: list[dict[str, Any]] = []
    sequence: dict[str, int] = {}
    for template in _templates()["templates"]:
        for fill in _expansions(template):
            classification = _classification(template["themes"][0])
            sequence[classification] = sequence.get(classification, 0) + 1
            records.append(_record(template, fill, len(records), sequence[classification]))
    return tuple(records)


def _expansions(template: dict[str, Any]) -> list[dict[str, Any]]:
    """One fill per dataset the template yields: placeholders and the districts it covers."""
    districts = _districts()
    expand = template.get("expand")
    if expand == "stations":
        return [{"station": s["zh"], "code": s["id"], "district": districts[s["district"]]["zh"],
                 "districts": [s["district"]], "slug": s["id"].lower(), "keyword": s["zh"]}
                for s in schemas.load_vocab("stations")]
    if expand:
        return [{"district": districts[str(c)]["zh"], "districts": [str(c)], "keyword": districts[str(c)]["zh"],
                 "slug": _district_slug(districts[str(c)])} for c in expand]
    return [{"districts": [str(c) for c in template.get("districts", [_CITY])], "slug": None, "keyword": None}]


@cache
def _districts() -> dict[str, dict[str, Any]]:
    return schemas.vocab_index("districts")


def _district_slug(district: dict[str, Any]) -> str:
    return district["en"].split(" ")[0].lower().replace("'", "")


@cache
def _classification(theme: str) -> str:
    return schemas.vocab_index("themes")[theme]["classification_code"]


def _record(template: dict[str, Any], fill: dict[str, Any], index: int, seq: int) -> dict[str, Any]:
    name = f"cq-{template['key']}" + (f"-{fill['slug']}" if fill["slug"] else "")
    open_type = template.get("open", "无条件开放")
    record: dict[str, Any] = {
        "name": name,
        "title": template["title"].format(**fill),
        "description": template["description"].format(**fill),
        "organization": template["org"],
        "classification_code": _classification(template["themes"][0]),
        "resource_code": generate_resource_code(_classification(template["themes"][0]), seq),
        "resource_format": _resource_format(template["format"]),
        "data_elements": _elements(template["elements"]),
        "update_cycle": template["cycle"],
        "publish_date": (date(2019, 3, 1) + timedelta(days=(index * 37) % 2200)).isoformat(),
        "themes": list(template["themes"]),
        "keywords": list(template["keywords"]) + ([fill["keyword"]] if fill["keyword"] else []),
        "districts": fill["districts"],
        "spatial": _bbox(fill["districts"]),
        "license_id": _license(open_type, index),
        "contact_point": _contact(template["org"]),
        "language": ["zh"],
        "version": "1.0",
        "private": False,
        "state": "active",
        "extras": {"source": "demo"},
    }
    if "title_en" in template and not fill["slug"]:
        record["title_en"] = template["title_en"]
    record.update(_temporal(template["cycle"], index))
    record.update(_share(template))
    record.update(_open(template, open_type))
    if open_type != "不予开放":
        record["resources"] = [_resource(name, record["title"], template["format"], record)]
        table = _templates()["table_schemas"].get(template["elements"])
        if table and template["format"] in {"CSV", "XLSX", "API"}:
            record["resources"][0]["table_schema"] = table
    return record


def _elements(set_name: str) -> list[dict[str, Any]]:
    out = []
    for name, name_en, kind, length, unit, tags in _templates()["element_sets"][set_name]:
        element: dict[str, Any] = {"name": name, "name_en": name_en, "type": kind}
        if length:
            element["length"] = length
        if unit:
            element["unit"] = unit
        if tags:
            element["tags"] = list(tags)
        out.append(element)
    return out


def _resource_format(fmt: str) -> dict[str, str]:
    return {"category": schemas.vocab_index("formats")[fmt]["category"], "type": fmt}


def _bbox(codes: list[str]) -> dict[str, Any]:
    if codes == [_CITY]:
        west, south, east, north = _CITY_BBOX
    else:
        index = _districts()
        lons = [index[c]["lon"] for c in codes]
        lats = [index[c]["lat"] for c in codes]
        west, south, east, north = min(lons) - 0.12, min(lats) - 0.12, max(lons) + 0.12, max(lats) + 0.12
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [[[round(x, 3), round(y, 3)] for x, y in ring]]}


@cache
def _district_bbox(code: str) -> dict[str, Any]:
    return _bbox([code])


def _unshare(record: dict[str, Any]) -> None:
    """Give a variant its own copies of the small nested values (cheaper than deepcopy)."""
    for key in ("themes", "language"):
        record[key] = list(record[key])
    for key in ("resource_format", "contact_point", "extras", "share_method"):
        if key in record:
            record[key] = dict(record[key])
    ring = record["spatial"]["coordinates"][0]
    record["spatial"] = {"type": "Polygon", "coordinates": [[list(point) for point in ring]]}


def _license(open_type: str, index: int) -> str:
    if open_type == "不予开放":
        return "other-closed"
    return "cc-by-4.0" if open_type == "无条件开放" and index % 4 == 0 else "cn-gov-open-1.0"


@cache
def _contact(org: str) -> dict[str, str]:
    dept = schemas.vocab_index("departments")[org]
    return {"name": f"{dept['zh']}数据开放联络员", "email": f"opendata-{org}@ecodata.example",
            "phone": f"023-6{int(dept['code'], 36) % 10_000_000:07d}"}


def _temporal(cycle: str, index: int) -> dict[str, str]:
    if cycle in {"实时", "每日", "每周"}:
        return {"temporal_start": f"{2016 + index % 6}-01-01"}
    return {"temporal_start": f"{2012 + index % 6}-01-01", "temporal_end": "2024-12-31"}


def _share(template: dict[str, Any]) -> dict[str, Any]:
    share_type = template.get("share", "无条件共享")
    if share_type == "不予共享":
        return {"share_type": share_type, "share_basis": template.get("share_basis", _SHARE_BASIS)}
    realtime = template["format"] == "API" or template["cycle"] == "实时"
    out: dict[str, Any] = {"share_type": share_type, "share_method": {
        "category": "共享平台方式", "type": "接口" if realtime else ("数据库" if share_type == "有条件共享" else "文件下载")}}
    if share_type == "有条件共享":
        out["share_condition"] = template.get("share_condition", _SHARE_CONDITION)
    return out


def _open(template: dict[str, Any], open_type: str) -> dict[str, str]:
    if open_type == "有条件开放":
        return {"open_type": open_type, "open_condition": template.get("open_condition", _OPEN_CONDITION)}
    if open_type == "不予开放":
        return {"open_type": open_type, "open_basis": template.get("open_basis", _OPEN_BASIS)}
    return {"open_type": open_type}


def _resource(name: str, title: str, fmt: str, record: dict[str, Any]) -> dict[str, Any]:
    media_type = schemas.vocab_index("formats")[fmt]["media_type"]
    if fmt == "API":
        url = f"{BASE_URL}/api/3/datastore/{name}"
        resource: dict[str, Any] = {"name": f"{title}数据接口", "url": url, "format": fmt}
    else:
        url = f"{BASE_URL}/files/{name}/{name}-2024.{fmt.lower()}"
        resource = {"name": f"{title}（2024年）", "url": url, "download_url": url, "format": fmt,
                    "byte_size": 40_960 + (sum(map(ord, name)) * 97) % 5_000_000}
    if media_type:
        resource["media_type"] = media_type
    resource.update({"license_id": record["license_id"], "language": ["zh"], "availability": "STABLE",
                     "issued": record["publish_date"]})
    return resource


def generate_datasets(n: int, seed: int) -> Iterator[dict[str, Any]]:
    """``n`` varied valid records (unique names and resource codes within one call), for load tests."""
    rng = random.Random(seed)
    base = _localizable()
    districts = [d for d in _districts().values() if d["id"] != _CITY]
    for i in range(n):
        template, place, stem = base[rng.randrange(len(base))]
        district = districts[rng.randrange(len(districts))]
        name = f"{stem[:60]}-{_district_slug(district)}-s{seed}-{i:07d}"
        yield _variant(template, place, district, rng.randint(2013, 2025), name, i)


@cache
def _localizable() -> tuple[tuple[dict[str, Any], str, str], ...]:
    """(record, place, name stem) for demo records whose title starts with a replaceable place name."""
    out = []
    for record in _demo_records():
        city = record["districts"] == [_CITY]
        place = "重庆市" if city else _districts()[record["districts"][0]]["zh"]
        if record["title"].startswith(place):
            slug = "" if city else "-" + _district_slug(_districts()[record["districts"][0]])
            out.append((record, place, record["name"].removesuffix(slug)))
    return tuple(out)


def _variant(template: dict[str, Any], place: str, district: dict[str, Any], year: int, name: str,
             i: int) -> dict[str, Any]:
    record = dict(template)
    local = district["zh"] + template["title"].removeprefix(place)
    keywords = [k for k in template["keywords"] if k != place and k != district["zh"]]
    record.update({
        "name": name,
        "title": f"{local}（{year}年）",
        "description": f"{template['description']}本数据集为{district['zh']}{year}年度数据。",
        "resource_code": generate_resource_code(template["classification_code"], 1_000_000 + i),
        "data_elements": [dict(e) for e in template["data_elements"]],
        "keywords": [*keywords, district["zh"], f"{year}年"],
        "districts": [district["id"]],
        "spatial": _district_bbox(district["id"]),
        "publish_date": f"{min(year + 1, 2025)}-0{1 + i % 9}-1{i % 10}",
        "temporal_start": f"{year}-01-01",
        "temporal_end": f"{year}-12-31",
    })
    record.pop("title_en", None)
    _unshare(record)
    if "resources" in template:
        record["resources"] = [{**r, "name": f"{local}（{year}年）", "download_url": None,
                                "url": r["url"].replace(template["name"], record["name"])} for r in template["resources"]]
        for resource in record["resources"]:
            del resource["download_url"]
    return record
