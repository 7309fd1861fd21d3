"""Pure mapping of a CSW Dublin Core record (csw:Record, csw:SummaryRecord) to a profile record."""

from __future__ import annotations

from typing import Any

from lxml import etree

from harvesters import csw_mapping as cm
from harvesters.base import MappedRecord, SourceConfig, harvest_extras

CSW = "http://www.opengis.net/cat/csw/2.0.2"
NS = {
    "csw": CSW,
    "dc": "http://purl.org/dc/elements/1.1/",
    "dct": "http://purl.org/dc/terms/",
    "ows": "http://www.opengis.net/ows",
}
ROOT_NAMES = ("Record", "SummaryRecord", "BriefRecord")
_TOPIC_SCHEME = "MD_TopicCategoryCode"


def is_dc(root: etree._Element) -> bool:
    qname = etree.QName(root)
    return qname.namespace == CSW and qname.localname in ROOT_NAMES


def texts(root: etree._Element, path: str) -> list[str]:
    return list(dict.fromkeys(t for t in (cm.clean(n.text) for n in root.xpath(path, namespaces=NS)) if t))


def one(root: etree._Element, path: str) -> str | None:
    found = texts(root, path)
    return found[0] if found else None


def identifier(root: etree._Element) -> str | None:
    return one(root, "dc:identifier")


def modified(root: etree._Element) -> str | None:
    return one(root, "dct:modified")


def map_dc(root: etree._Element, remote_id: str, source: SourceConfig) -> MappedRecord:
    problems = []
    if not identifier(root):
        problems.append(cm.missing_identifier(remote_id, "dc:identifier"))
    title = one(root, "dc:title")
    if not title:
        problems.append(cm.missing_title(remote_id, "dc:title"))
    categories = texts(root, f"dc:subject[contains(@scheme, '{_TOPIC_SCHEME}')]")
    keywords = [k for k in texts(root, f"dc:subject[not(contains(@scheme, '{_TOPIC_SCHEME}'))]") if len(k) <= 100]
    record = cm.base_record(source, title, categories, keywords)
    record["description"] = one(root, "dct:abstract") or one(root, "dc:description") or title or ""
    extras: dict[str, Any] = {"source_schema": "dc", "dc_identifier": identifier(root),
                              "topic_categories": ", ".join(categories)}
    for part in (_dates(root, extras), _spatial(root, extras), _rights(root, extras),
                 _languages(root, extras), _resources(root, extras)):
        record.update(part)
    extras.update(dc_type=", ".join(texts(root, "dc:type")), publisher=one(root, "dc:publisher"),
                  creator=", ".join(texts(root, "dc:creator")), source=one(root, "dc:source"),
                  relation=", ".join(texts(root, "dc:relation")))
    record["extras"] = harvest_extras(extras)
    return MappedRecord(record, problems)


def _dates(root: etree._Element, extras: dict[str, Any]) -> dict[str, Any]:
    changed = cm.iso_date(modified(root))
    issued = cm.iso_date(one(root, "dct:issued")) or cm.iso_date(one(root, "dc:date")) or changed
    extras["modified"] = changed
    return {"publish_date": issued} if issued else {}


def _corners(node: etree._Element) -> tuple[float, float, float, float] | None:
    try:
        low = [float(v) for v in (one(node, "ows:LowerCorner") or "").split()]
        high = [float(v) for v in (one(node, "ows:UpperCorner") or "").split()]
    except ValueError:
        return None
    if len(low) != 2 or len(high) != 2:
        return None
    crs = (node.get("crs") or "").upper()
    # EPSG:4326 written as a URN or URL has latitude first; CRS84 and bare "EPSG:4326" put longitude first.
    lat_first = "4326" in crs and ("URN:" in crs or "HTTP" in crs)
    if lat_first:
        return cm.bbox(low[1], low[0], high[1], high[0])
    return cm.bbox(low[0], low[1], high[0], high[1])


def _spatial(root: etree._Element, extras: dict[str, Any]) -> dict[str, Any]:
    extras["spatial_text"] = ", ".join(texts(root, "dct:spatial"))
    boxes = [b for b in (_corners(n) for n in root.xpath("ows:BoundingBox | ows:WGS84BoundingBox",
                                                          namespaces=NS)) if b]
    return cm.spatial_fields(boxes[0]) if boxes else {}


def _rights(root: etree._Element, extras: dict[str, Any]) -> dict[str, Any]:
    rights = texts(root, "dc:rights | dct:license | dct:accessRights")
    extras["rights"] = "; ".join(rights)
    license_id = cm.license_for(rights)
    return {"license_id": license_id} if license_id else {}


def _languages(root: etree._Element, extras: dict[str, Any]) -> dict[str, Any]:
    raw = texts(root, "dc:language")
    codes = [c for c in (cm.language_code(r) for r in raw) if c]
    unknown = [r for r in raw if not cm.language_code(r)]
    if unknown:
        extras["language"] = ", ".join(unknown)
    return {"language": list(dict.fromkeys(codes))} if codes else {}


def _resources(root: etree._Element, extras: dict[str, Any]) -> dict[str, Any]:
    formats = texts(root, "dc:format")
    extras["formats"] = ", ".join(formats)
    media = formats[0] if len(formats) == 1 else None
    resources: list[dict[str, Any]] = []
    for node in root.xpath("dct:references | dc:URI", namespaces=NS):
        url = cm.clean(node.text)
        if not cm.is_url(url) or any(r["url"] == url for r in resources):
            continue
        scheme = node.get("scheme") or node.get("protocol")
        scheme = None if scheme in (None, "None") else scheme
        resource: dict[str, Any] = {"name": node.get("name") or str(url).rstrip("/").rsplit("/", 1)[-1] or str(url),
                                    "url": url}
        fmt = cm.format_for(scheme, url, media)
        if fmt:
            resource["format"] = fmt
        if scheme:
            resource["description"] = scheme
        resources.append(resource)
    return {"resources": resources} if resources else {}
