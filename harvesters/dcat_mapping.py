"""DCAT / DCAT-AP dataset description (an rdflib graph) → catalogue profile record.  Pure."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDFS, SKOS
from rdflib.term import Node

from harvesters.base import MappedRecord, RawRecord, SourceConfig, harvest_extras
from harvesters.common import (
    checksum,
    clip,
    email_or_none,
    fmt,
    license_id,
    media_or_none,
    parse_time,
    texts,
    themes_for,
    to_date,
    url_or_none,
)

DCT = DCTERMS
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # open namespace: DCAT 3 terms (version, DatasetSeries)
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SCHEMA = Namespace("http://schema.org/")
LOCN = Namespace("http://www.w3.org/ns/locn#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
LANG_PREF = ("zh", "zh-cn", "zh-hans", "", "en")
FREQUENCIES = {"CONT": "实时", "UPDATE_CONT": "实时", "DAILY": "每日", "WEEKLY": "每周", "MONTHLY": "每月",
               "QUARTERLY": "每季度", "BIANNUAL": "每半年", "ANNUAL": "每年", "IRREG": "不定期",
               "daily": "每日", "weekly": "每周", "monthly": "每月", "quarterly": "每季度", "annual": "每年"}
LANGUAGES = {"ZHO": "zh", "CHI": "zh", "ENG": "en", "DEU": "de", "FRA": "fr", "ITA": "it", "SPA": "es",
             "NLD": "nl", "POR": "pt", "SWE": "sv", "ELL": "el", "RUS": "ru", "JPN": "ja", "KOR": "ko"}
GEOMETRY_TYPES = ("Point", "Polygon", "MultiPolygon", "LineString", "MultiPoint", "MultiLineString")
WKT_POLYGON = re.compile(r"POLYGON\s*\(\(([^)]+)\)\)", re.I)


def _lang_rank(lit: Literal) -> int:
    lang = (lit.language or "").lower()
    return LANG_PREF.index(lang) if lang in LANG_PREF else len(LANG_PREF)


def text(graph: Graph, node: Node, *preds: URIRef, lang: str | None = None) -> str | None:
    values = [o for p in preds for o in graph.objects(node, p) if isinstance(o, Literal) and str(o).strip()]
    if lang is not None:
        values = [v for v in values if (v.language or "").lower().startswith(lang)]
    if not values:
        return None
    return str(sorted(values, key=lambda v: (_lang_rank(v), str(v)))[0]).strip()


def first(graph: Graph, node: Node, *preds: URIRef) -> Node | None:
    values = sorted((o for p in preds for o in graph.objects(node, p)), key=str)
    return values[0] if values else None


def remote_id_of(graph: Graph, root: Node) -> str:
    if isinstance(root, URIRef):
        return str(root)
    ident = text(graph, root, DCT.identifier)
    return ident or f"title:{text(graph, root, DCT.title) or 'untitled'}"


def dataset_modified(graph: Graph, root: Node) -> datetime | None:
    return parse_time(text(graph, root, DCT.modified))


def _name_of(graph: Graph, node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, Literal):
        return str(node)
    return text(graph, node, FOAF.name, VCARD.fn, SKOS.prefLabel, RDFS.label, DCT.title)


def _contact(graph: Graph, root: Node) -> dict[str, str] | None:
    node = first(graph, root, DCAT.contactPoint)
    if node is None:
        return None
    email = first(graph, node, VCARD.hasEmail)
    email_text = email_or_none(str(email).removeprefix("mailto:")) if email is not None else None
    tel = first(graph, node, VCARD.hasTelephone)
    tel_text = text(graph, tel, VCARD.hasValue) if tel is not None and not isinstance(tel, Literal) else tel
    values = {"name": _name_of(graph, node), "email": email_text,
              "phone": str(tel_text).removeprefix("tel:") if tel_text else None}
    out = {k: v for k, v in values.items() if v}
    return out or None


def _temporal(graph: Graph, root: Node) -> dict[str, str]:
    out: dict[str, str] = {}
    for node in graph.objects(root, DCT.temporal):
        start = text(graph, node, DCAT.startDate, SCHEMA.startDate)
        end = text(graph, node, DCAT.endDate, SCHEMA.endDate)
        if to_date(start):
            out["temporal_start"] = to_date(start) or ""
        if to_date(end):
            out["temporal_end"] = to_date(end) or ""
    return out


def _geometry(value: str) -> dict[str, Any] | None:
    try:
        geom = json.loads(value)
        if isinstance(geom, dict) and isinstance(geom.get("type"), str) and geom.get("coordinates"):
            kind = {t.lower(): t for t in GEOMETRY_TYPES}.get(geom["type"].lower())
            return {"type": kind, "coordinates": geom["coordinates"]} if kind else None
    except ValueError:
        pass
    m = WKT_POLYGON.search(value)
    if not m:
        return None
    ring = [[float(x) for x in pair.split()[:2]] for pair in m.group(1).split(",") if pair.strip()]
    return {"type": "Polygon", "coordinates": [ring]} if len(ring) >= 4 else None


def _spatial(graph: Graph, root: Node) -> tuple[dict[str, Any] | None, list[str]]:
    names: list[str] = []
    for node in graph.objects(root, DCT.spatial):
        for value in [*graph.objects(node, LOCN.geometry), *graph.objects(node, DCAT.bbox)]:
            geom = _geometry(str(value))
            if geom:
                return geom, names
        names.append(_name_of(graph, node) or str(node))
    return None, names


def _distribution(graph: Graph, node: Node, i: int) -> dict[str, Any] | None:
    access = url_or_none(str(first(graph, node, DCAT.accessURL) or ""))
    download = url_or_none(str(first(graph, node, DCAT.downloadURL) or ""))
    url = access or download
    if not url:
        return None
    media = first(graph, node, DCAT.mediaType)
    fmt_node = first(graph, node, DCT.format)
    size = text(graph, node, DCAT.byteSize)
    check = first(graph, node, SPDX.checksum)
    value = text(graph, check, SPDX.checksumValue) if check is not None else None
    algo = str(first(graph, check, SPDX.algorithm) or "").rsplit("_", 1)[-1] if check is not None else ""
    out: dict[str, Any] = {
        "name": clip(text(graph, node, DCT.title) or url.rsplit("/", 1)[-1] or f"资源{i + 1}", 500), "url": url,
        "download_url": download, "description": text(graph, node, DCT.description),
        "format": fmt(_name_of(graph, fmt_node) if fmt_node is not None and not isinstance(fmt_node, URIRef)
                      else str(fmt_node or media or "")),
        "media_type": media_or_none(str(media).rsplit("/", 2)[-2] + "/" + str(media).rsplit("/", 1)[-1]
                                    if media is not None and "iana.org" in str(media) else str(media or "")),
        "license_id": license_id(str(first(graph, node, DCT.license) or "")),
        "checksum": checksum(f"{algo}:{value}") if value else None,
    }
    if size and size.strip().isdigit():
        out["byte_size"] = int(size.strip())
    return {k: v for k, v in out.items() if v is not None}


def _languages(graph: Graph, root: Node) -> list[str]:
    codes = []
    for node in graph.objects(root, DCT.language):
        tail = str(node).rstrip("/").rsplit("/", 1)[-1]
        code = LANGUAGES.get(tail.upper()) or (tail.lower() if re.fullmatch(r"[a-zA-Z]{2}", tail) else None)
        if code and code not in codes:
            codes.append(code)
    return codes


def map_dataset(graph: Graph, root: Node, raw: RawRecord, source: SourceConfig) -> MappedRecord:
    title = text(graph, root, DCT.title) or remote_id_of(graph, root)
    keywords = texts(str(k) for k in sorted(graph.objects(root, DCAT.keyword), key=lambda v: str(v)))
    theme_words = [str(t) for t in graph.objects(root, DCAT.theme)]
    publisher = first(graph, root, DCT.publisher)
    licence_node = first(graph, root, DCT.license) or next(
        (first(graph, d, DCT.license) for d in graph.objects(root, DCAT.distribution)
         if first(graph, d, DCT.license) is not None), None)
    spatial, places = _spatial(graph, root)
    freq = str(first(graph, root, DCT.accrualPeriodicity) or "").rstrip("/").rsplit("/", 1)[-1]
    dists = [_distribution(graph, d, i) for i, d in enumerate(sorted(graph.objects(root, DCAT.distribution), key=str))]
    record: dict[str, Any] = {
        "name": text(graph, root, DCT.identifier) if not isinstance(root, URIRef) else str(root).rstrip("/").rsplit("/", 1)[-1],
        "title": clip(title, 200), "description": text(graph, root, DCT.description) or title,
        "title_en": clip(text(graph, root, DCT.title, lang="en"), 200), "keywords": keywords,
        "themes": themes_for(source, keywords + theme_words), "spatial": spatial,
        "license_id": license_id(str(licence_node or "")), "contact_point": _contact(graph, root),
        "landing_page": url_or_none(str(first(graph, root, DCAT.landingPage) or "")),
        "version": clip(text(graph, root, DCAT.version, OWL.versionInfo, ADMS.version), 50),
        "publish_date": to_date(text(graph, root, DCT.issued)), "update_cycle": FREQUENCIES.get(freq),
        "language": _languages(graph, root) or None, "resources": [d for d in dists if d],
        **_temporal(graph, root),
    }
    if record["title_en"] == record["title"]:
        record["title_en"] = None
    unmapped = {"identifier": text(graph, root, DCT.identifier), "uri": str(root) if isinstance(root, URIRef) else None,
                "publisher": _name_of(graph, publisher), "publisher_uri": str(publisher) if isinstance(publisher, URIRef) else None,
                "license": str(licence_node) if licence_node is not None and not record["license_id"] else None,
                "modified": text(graph, root, DCT.modified), "issued": text(graph, root, DCT.issued),
                "accrual_periodicity": freq or None, "themes": sorted(theme_words) or None,
                "spatial": "; ".join(places) or None, "dropped_distributions": len(dists) - len(record["resources"]) or None}
    record["extras"] = {k[:100]: v for k, v in harvest_extras(unmapped).items()}
    return MappedRecord({k: v for k, v in record.items() if v not in (None, [], "")})
