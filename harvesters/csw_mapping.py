"""Pieces shared by the ISO 19139 and Dublin Core mappings of the CSW source type.

Everything here is pure: vocabularies (themes, licences, formats, languages), dates, bounding
boxes and the Chongqing district guess, safe XML parsing, and the per-record problems the
mappings report.  Nothing reads the network or the clock.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime
from typing import Any

from lxml import etree

import schemas
from catalog.errors import Problem
from harvesters.base import SourceConfig, problem

# Resolving entities or fetching DTDs would let a remote record read local files or the network.
_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False,
                   "remove_comments": True}

TOPIC_THEMES = {
    "climatologyMeteorologyAtmosphere": "meteorology",
    "inlandWaters": "surface-water",
    "environment": "ecology",
    "biota": "ecology",
}

# ISO 639-2 (bibliographic and terminology) codes that metadata records actually use.
LANGUAGES = {
    "chi": "zh", "zho": "zh", "eng": "en", "fre": "fr", "fra": "fr", "ger": "de", "deu": "de",
    "gre": "el", "ell": "el", "dut": "nl", "nld": "nl", "spa": "es", "ita": "it", "jpn": "ja",
    "kor": "ko", "rus": "ru", "por": "pt", "wel": "cy", "cym": "cy", "gle": "ga",
}

_LICENCE_PATTERNS = (
    (re.compile(r"publicdomain/zero|\bcc0\b|cc-zero", re.I), "cc0-1.0"),
    (re.compile(r"licenses/by-sa/4\.0|\bcc[ -]by[ -]sa[ -]4\.0|attribution-sharealike 4\.0", re.I), "cc-by-sa-4.0"),
    (re.compile(r"licenses/by/4\.0|\bcc[ -]by[ -]4\.0|attribution 4\.0", re.I), "cc-by-4.0"),
    (re.compile(r"\bodbl\b|open database licen[cs]e|opendatacommons\.org/licenses/odbl", re.I), "odc-odbl"),
    (re.compile(r"opendatacommons\.org/licenses/by|odc[ -]by\b", re.I), "odc-by"),
    (re.compile(r"政府数据开放许可"), "cn-gov-open-1.0"),
)

_PROTOCOL_FORMATS = (
    ("OGC:WMS", "WMS"), ("OGC:WFS", "WFS"), ("OGC:WMTS", "WMTS"), ("OGC:WCS", "WCS"),
    ("OGC:CSW", "CSW"), ("OPENDAP", "OPeNDAP"), ("ESRI:REST", "API"), ("ESRI:ARCGIS", "API"),
)

_EXTENSION_FORMATS = {
    "csv": "CSV", "xlsx": "XLSX", "xls": "XLS", "json": "JSON", "geojson": "GeoJSON", "xml": "XML",
    "pdf": "PDF", "zip": "ZIP", "shp": "SHP", "tif": "GeoTIFF", "tiff": "GeoTIFF", "png": "PNG",
    "jpg": "JPEG", "jpeg": "JPEG", "txt": "TXT", "nc": "NetCDF", "kml": "KML", "kmz": "KMZ",
    "parquet": "Parquet", "html": "HTML", "htm": "HTML", "rtf": "RTF", "docx": "DOCX",
}

_MEDIA_FORMATS = {
    "text/csv": "CSV", "application/json": "JSON", "application/geo+json": "GeoJSON",
    "application/xml": "XML", "text/xml": "XML", "application/pdf": "PDF", "application/zip": "ZIP",
    "image/tiff": "GeoTIFF", "image/png": "PNG", "image/jpeg": "JPEG", "text/html": "HTML",
    "text/plain": "TXT", "text/rtf": "RTF", "image/svg+xml": "SVG",
}

# Chongqing municipality's extent, rounded outwards: the district guess only runs inside it.
CHONGQING_BBOX = (105.28, 28.16, 110.20, 32.21)
_WHOLE_CITY_SHARE = 0.5
_SLUG_BAD = re.compile(r"[^a-z0-9_-]+")


def parse_xml(content: bytes) -> etree._Element:
    """The root element; raises ``etree.XMLSyntaxError`` (or ``ValueError``) on broken input."""
    return etree.fromstring(content, etree.XMLParser(**_PARSER_OPTIONS))


def clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(value.split())
    return text or None


_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ].*)?$")


def iso_date(value: str | None, *, end: bool = False) -> str | None:
    """``YYYY-MM-DD`` from a date, date-time, year-month or year; a partial date becomes the first
    day of its period, or the last day when ``end`` (so 1998–2010 covers both whole years)."""
    found = _DATE.match((value or "").strip())
    if not found:
        return None
    year, month, day = (int(g) if g else None for g in found.groups())
    try:
        if day:
            return date(year, month, day).isoformat()  # type: ignore[arg-type]
        if month:
            return date(year, month, calendar.monthrange(year, month)[1] if end else 1).isoformat()  # type: ignore[arg-type]
        return date(year, 12, 31).isoformat() if end else date(year, 1, 1).isoformat()  # type: ignore[arg-type]
    except ValueError:
        return None


def parse_datetime(value: str | None) -> datetime | None:
    """A UTC-aware datetime from an ISO date or date-time; naive values are taken as UTC."""
    text = (value or "").strip()
    day = iso_date(text)
    if not day:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = datetime.fromisoformat(day)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def language_code(value: str | None) -> str | None:
    text = (value or "").strip().lower()
    if re.fullmatch(r"[a-z]{2}([-_][a-z]{2})?", text):
        return text[:2]
    return LANGUAGES.get(text[:3]) if text else None


def themes_for(source: SourceConfig, categories: list[str], keywords: list[str]) -> list[str]:
    """The source's own ``theme_map`` (topic category or keyword → theme) first, then ISO topic
    categories, else the source's default theme."""
    mapping = source.option("theme_map") or {}
    found = [mapping[w] for w in [*categories, *keywords] if w in mapping]
    found += [TOPIC_THEMES[c] for c in categories if c in TOPIC_THEMES]
    return list(dict.fromkeys(found)) or [source.theme]


def classification_for(themes: list[str]) -> str | None:
    """The national 分类码 of the first theme (themes carry it in the vocabulary)."""
    entry = schemas.vocab_index("themes").get(themes[0]) if themes else None
    code = entry.get("classification_code") if entry else None
    return str(code) if code else None


def license_for(texts: list[str]) -> str | None:
    for text in texts:
        for pattern, license_id in _LICENCE_PATTERNS:
            if pattern.search(text):
                return license_id
    return None


def format_for(protocol: str | None, url: str | None, media_type: str | None = None) -> str | None:
    """A distribution format guessed from the protocol, then a media type, then the URL's extension."""
    upper = (protocol or "").upper()
    for prefix, fmt in _PROTOCOL_FORMATS:
        if upper.startswith(prefix):
            return fmt
    if media_type and media_type.lower() in _MEDIA_FORMATS:
        return _MEDIA_FORMATS[media_type.lower()]
    path = (url or "").split("?")[0].split("#")[0].rstrip("/")
    extension = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    if extension in _EXTENSION_FORMATS:
        return _EXTENSION_FORMATS[extension]
    lowered = (url or "").lower()
    for key, fmt in (("service=wms", "WMS"), ("service=wfs", "WFS"), ("service=csw", "CSW")):
        if key in lowered:
            return fmt
    return None


def is_url(value: str | None) -> bool:
    return bool(value and re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$", value))


def bbox(west: float, south: float, east: float, north: float) -> tuple[float, float, float, float] | None:
    """The box if it is a sane WGS 84 extent, else None."""
    inside = -180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90
    return (west, south, east, north) if inside and west <= east else None


def bbox_polygon(box: tuple[float, float, float, float]) -> dict[str, Any]:
    """A GeoJSON polygon of the box; a box shrunk to one spot (a fixed sensor) is a Point."""
    west, south, east, north = box
    if west == east and south == north:
        return {"type": "Point", "coordinates": [west, south]}
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def districts_for(box: tuple[float, float, float, float]) -> list[str]:
    """A guess at the Chongqing districts a box covers; [] for boxes not inside Chongqing."""
    west, south, east, north = box
    cq_west, cq_south, cq_east, cq_north = CHONGQING_BBOX
    if not (cq_west <= west and east <= cq_east and cq_south <= south and north <= cq_north):
        return []
    districts = [e for e in schemas.load_vocab("districts") if e.get("kind") != "city"]
    inside = [e["id"] for e in districts if west <= e["lon"] <= east and south <= e["lat"] <= north]
    if len(inside) > len(districts) * _WHOLE_CITY_SHARE:
        return ["500000"]
    if inside:
        return inside
    centre = ((west + east) / 2, (south + north) / 2)
    nearest = min(districts, key=lambda e: (e["lon"] - centre[0]) ** 2 + (e["lat"] - centre[1]) ** 2)
    return [nearest["id"]]


def spatial_fields(box: tuple[float, float, float, float] | None) -> dict[str, Any]:
    if box is None:
        return {}
    out: dict[str, Any] = {"spatial": bbox_polygon(box)}
    districts = districts_for(box)
    if districts:
        out["districts"] = districts
    return out


def base_record(source: SourceConfig, title: str | None, categories: list[str],
                keywords: list[str]) -> dict[str, Any]:
    """The source's national defaults, title, a proposed name, themes and their classification code."""
    record = source.defaults()
    record["themes"] = themes_for(source, categories, keywords)
    record["title"] = title or ""
    name = _SLUG_BAD.sub("-", (title or "").lower()).strip("-_")[:100]
    if len(name) >= 2:
        record["name"] = name
    code = classification_for(record["themes"])
    if code:
        record["classification_code"] = code
    if keywords:
        record["keywords"] = keywords
    return record


# ---------------------------------------------------------------- problems

def bad_xml(remote_id: str, detail: str) -> Problem:
    return problem("csw_bad_xml", f"元数据记录不是合法的 XML，无法读取（{detail}），请联系来源方修正该记录。",
                   f"The metadata record is not well-formed XML ({detail}).", remote_id)


def unknown_record(remote_id: str, tag: str) -> Problem:
    return problem("csw_unknown_record",
                   f"元数据记录的根元素 {tag} 既不是 ISO 19139（gmd:MD_Metadata）也不是都柏林核心（csw:Record），无法映射。",
                   f"The record's root element {tag} is neither ISO 19139 gmd:MD_Metadata nor csw:Record.",
                   remote_id)


def missing_identifier(remote_id: str, where: str) -> Problem:
    return problem("csw_missing_identifier",
                   f"元数据记录缺少标识符（{where}），无法与目录中的数据集对应，请来源方补充。",
                   f"The metadata record has no identifier ({where}).", remote_id)


def missing_title(remote_id: str, where: str) -> Problem:
    return problem("csw_missing_title", f"元数据记录缺少标题（{where}），请来源方补充信息资源名称。",
                   f"The metadata record has no title ({where}).", remote_id, "title")
