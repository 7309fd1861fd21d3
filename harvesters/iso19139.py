"""Pure mapping of an ISO 19139 record (gmd:MD_Metadata, gmi:MI_Metadata) to a profile record.

Only the parsed element and the source's defaults go in; no network, no clock.  Fields the
profile has no place for are kept as ``harvest_*`` scalar extras so nothing is silently lost.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from harvesters import csw_mapping as cm
from harvesters.base import MappedRecord, SourceConfig, harvest_extras

NS = {
    "gmd": "http://www.isotc211.org/2005/gmd",
    "gco": "http://www.isotc211.org/2005/gco",
    "gmx": "http://www.isotc211.org/2005/gmx",
    "srv": "http://www.isotc211.org/2005/srv",
    "xlink": "http://www.w3.org/1999/xlink",
}
_VALUE_TAGS = {f"{{{NS['gco']}}}{t}" for t in ("CharacterString", "Date", "DateTime", "Decimal", "Real",
                                                "Integer", "Boolean")} | {
    f"{{{NS['gmx']}}}Anchor", f"{{{NS['gmd']}}}URL", f"{{{NS['gmd']}}}LanguageCode"}
ROOT_NAMES = ("MD_Metadata", "MI_Metadata")
_PUBLISHER_ROLES = ("publisher", "owner", "custodian", "originator", "distributor", "pointOfContact",
                    "resourceProvider", "author")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+() -]{5,30}$")


def is_iso(root: etree._Element) -> bool:
    """ISO 19139 and its extensions (gmi:MI_Metadata, national profiles such as che:CHE_MD_Metadata),
    but not ISO 19115-3 (mdb:MD_Metadata), whose elements live in other namespaces."""
    if not etree.QName(root).localname.endswith(ROOT_NAMES):
        return False
    return any(etree.QName(child).namespace == NS["gmd"] for child in root if isinstance(child.tag, str))


def value(node: etree._Element | None) -> str | None:
    """The text of a property element: its gco/gmx value child, its code list value, or its own text."""
    if node is None:
        return None
    for child in node:
        if child.tag in _VALUE_TAGS:
            return cm.clean(child.get("codeListValue") or child.text)
        if child.get("codeListValue"):
            return cm.clean(child.get("codeListValue"))
    return cm.clean(node.get("codeListValue") or node.text)


def first(node: etree._Element, path: str) -> str | None:
    for found in node.xpath(path, namespaces=NS):
        text = value(found)
        if text:
            return text
    return None


def every(node: etree._Element, path: str) -> list[str]:
    return list(dict.fromkeys(t for t in (value(n) for n in node.xpath(path, namespaces=NS)) if t))


def identifier(root: etree._Element) -> str | None:
    return first(root, "gmd:fileIdentifier")


def modified(root: etree._Element) -> str | None:
    return first(root, "gmd:dateStamp")


def identification(root: etree._Element) -> etree._Element | None:
    found = root.xpath("gmd:identificationInfo/*[1]", namespaces=NS)
    return found[0] if found else None


def map_iso(root: etree._Element, remote_id: str, source: SourceConfig) -> MappedRecord:
    ident = identification(root)
    if ident is None:  # a record without identification info has no title either
        return MappedRecord({}, [cm.missing_title(remote_id, "gmd:identificationInfo")])
    problems = []
    if not identifier(root):
        problems.append(cm.missing_identifier(remote_id, "gmd:fileIdentifier"))
    title = first(ident, "gmd:citation/gmd:CI_Citation/gmd:title")
    if not title:
        problems.append(cm.missing_title(remote_id, "gmd:citation/gmd:CI_Citation/gmd:title"))
    categories = every(ident, "gmd:topicCategory/gmd:MD_TopicCategoryCode")
    keywords = [w for w in every(ident, "gmd:descriptiveKeywords/gmd:MD_Keywords/gmd:keyword") if len(w) <= 100]
    record = cm.base_record(source, title, categories, keywords)
    record["description"] = first(ident, "gmd:abstract") or title or ""
    extras: dict[str, Any] = {"source_schema": "iso19139", "file_identifier": identifier(root),
                              "topic_categories": ", ".join(categories)}
    for part in (_dates(root, ident, extras), _temporal(ident), _spatial(ident),
                 _contact(root, ident, extras), _constraints(ident, extras), _languages(root, ident, extras),
                 _resources(root, extras), _misc(root, ident, extras)):
        record.update(part)
    record["extras"] = harvest_extras(extras)
    return MappedRecord(record, problems)


def _dates(root: etree._Element, ident: etree._Element, extras: dict[str, Any]) -> dict[str, Any]:
    by_type: dict[str, str] = {}
    for entry in ident.xpath("gmd:citation/gmd:CI_Citation/gmd:date/gmd:CI_Date", namespaces=NS):
        kind, when = first(entry, "gmd:dateType"), cm.iso_date(first(entry, "gmd:date"))
        if kind and when:
            by_type.setdefault(kind, when)
    stamp = cm.iso_date(modified(root))
    extras.update(metadata_date=stamp, created=by_type.get("creation"), revised=by_type.get("revision"),
                  modified=by_type.get("revision") or stamp)
    # NOAA and ISO 19115-1 records say "issued" where 19139's code list says "publication".
    published = by_type.get("publication") or by_type.get("issued") or by_type.get("creation") or stamp
    return {"publish_date": published} if published else {}


def _temporal(ident: etree._Element) -> dict[str, Any]:
    extent = ".//gmd:EX_TemporalExtent/gmd:extent/*"
    starts = [cm.iso_date(t) for t in ident.xpath(
        f"{extent}//*[local-name()='beginPosition' or local-name()='begin']//text()[normalize-space()]"
        f" | {extent}[local-name()='TimeInstant']/*[local-name()='timePosition']/text()", namespaces=NS)]
    ends = [cm.iso_date(t, end=True) for t in ident.xpath(
        f"{extent}//*[local-name()='endPosition' or local-name()='end']//text()[normalize-space()]"
        f" | {extent}[local-name()='TimeInstant']/*[local-name()='timePosition']/text()", namespaces=NS)]
    out: dict[str, Any] = {}
    if any(starts):
        out["temporal_start"] = min(s for s in starts if s)
    if any(ends):
        out["temporal_end"] = max(e for e in ends if e)
    if out.get("temporal_end", "9999") < out.get("temporal_start", "0000"):
        out.pop("temporal_end")  # reversed upstream; keep the start rather than invent an order
    return out


def _spatial(ident: etree._Element) -> dict[str, Any]:
    boxes = []
    for node in ident.xpath(".//gmd:EX_GeographicBoundingBox", namespaces=NS):
        sides = [first(node, f"gmd:{side}") for side in ("westBoundLongitude", "southBoundLatitude",
                                                         "eastBoundLongitude", "northBoundLatitude")]
        try:
            box = cm.bbox(*(float(s) for s in sides))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        if box:
            boxes.append(box)
    if not boxes:
        return {}
    union = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    return cm.spatial_fields(union)


def _parties(root: etree._Element, ident: etree._Element) -> list[etree._Element]:
    paths = ("gmd:pointOfContact/gmd:CI_ResponsibleParty",
             "gmd:citation/gmd:CI_Citation/gmd:citedResponsibleParty/gmd:CI_ResponsibleParty")
    found = [p for path in paths for p in ident.xpath(path, namespaces=NS)]
    return found + root.xpath("gmd:contact/gmd:CI_ResponsibleParty", namespaces=NS)


def _contact(root: etree._Element, ident: etree._Element, extras: dict[str, Any]) -> dict[str, Any]:
    parties = _parties(root, ident)
    if not parties:
        return {}
    ranked = sorted((p for p in parties if first(p, "gmd:organisationName")),
                    key=lambda p: _role_rank(first(p, "gmd:role")))
    if ranked:
        extras["publisher"] = first(ranked[0], "gmd:organisationName")
        extras["publisher_role"] = first(ranked[0], "gmd:role")
    party = parties[0]
    name = first(party, "gmd:individualName") or first(party, "gmd:organisationName") \
        or first(party, "gmd:positionName")
    if not name:
        return {}
    contact = {"name": name}
    email = first(party, ".//gmd:electronicMailAddress")
    phone = first(party, ".//gmd:CI_Telephone/gmd:voice")
    for key, found, pattern in (("email", email, _EMAIL), ("phone", phone, _PHONE)):
        if found and pattern.match(found):
            contact[key] = found
        elif found:
            extras[f"contact_{key}"] = found
    return {"contact_point": contact}


def _role_rank(role: str | None) -> int:
    return _PUBLISHER_ROLES.index(role) if role in _PUBLISHER_ROLES else len(_PUBLISHER_ROLES)


def _constraints(ident: etree._Element, extras: dict[str, Any]) -> dict[str, Any]:
    base = "gmd:resourceConstraints/*"
    limitations = every(ident, f"{base}/gmd:useLimitation")
    others = every(ident, f"{base}/gmd:otherConstraints")
    hrefs = [h for h in ident.xpath(f"{base}/*/gmx:Anchor/@xlink:href", namespaces=NS) if h]
    extras.update(use_limitation="; ".join(limitations), other_constraints="; ".join(others),
                  access_constraints=", ".join(every(ident, f"{base}/gmd:accessConstraints")),
                  use_constraints=", ".join(every(ident, f"{base}/gmd:useConstraints")),
                  classification=", ".join(every(ident, f"{base}/gmd:classification")))
    license_id = cm.license_for([*hrefs, *limitations, *others])
    return {"license_id": license_id} if license_id else {}


def _languages(root: etree._Element, ident: etree._Element, extras: dict[str, Any]) -> dict[str, Any]:
    raw = every(ident, "gmd:language") or every(root, "gmd:language")
    codes = [c for c in (cm.language_code(r) for r in raw) if c]
    unknown = [r for r in raw if not cm.language_code(r)]
    if unknown:
        extras["language"] = ", ".join(unknown)
    return {"language": list(dict.fromkeys(codes))} if codes else {}


def _resources(root: etree._Element, extras: dict[str, Any]) -> dict[str, Any]:
    formats = every(root, "gmd:distributionInfo/gmd:MD_Distribution/gmd:distributionFormat/gmd:MD_Format/gmd:name")
    extras["formats"] = ", ".join(formats)
    resources: list[dict[str, Any]] = []
    skipped = 0
    links = "gmd:distributionInfo//gmd:CI_OnlineResource" \
        " | gmd:identificationInfo/srv:SV_ServiceIdentification/srv:containsOperations//gmd:CI_OnlineResource"
    for node in root.xpath(links, namespaces=NS):
        url = first(node, "gmd:linkage")
        if not cm.is_url(url) or any(r["url"] == url for r in resources):
            skipped += 0 if cm.is_url(url) else 1
            continue
        resources.append(_resource(node, str(url), len(resources) + 1, formats))
    if skipped:
        extras["skipped_links"] = skipped
    return {"resources": resources} if resources else {}


def _resource(node: etree._Element, url: str, number: int, formats: list[str]) -> dict[str, Any]:
    protocol = first(node, "gmd:protocol")
    name = first(node, "gmd:name") or first(node, "gmd:description") or url.rstrip("/").rsplit("/", 1)[-1] \
        or f"在线资源 {number}"
    resource: dict[str, Any] = {"name": name, "url": url}
    description = first(node, "gmd:description")
    if description and description != name:
        resource["description"] = description
    fmt = cm.format_for(protocol or first(node, "gmd:name"), url) or (formats[0] if len(formats) == 1 and len(formats[0]) <= 50 else None)
    if fmt:
        resource["format"] = fmt
    if first(node, "gmd:function") == "download" or (protocol or "").upper().startswith("WWW:DOWNLOAD"):
        resource["download_url"] = url
    return resource


def _misc(root: etree._Element, ident: etree._Element, extras: dict[str, Any]) -> dict[str, Any]:
    extras.update(hierarchy_level=", ".join(every(root, "gmd:hierarchyLevel")),
                  parent_identifier=first(root, "gmd:parentIdentifier"),
                  metadata_standard=first(root, "gmd:metadataStandardName"),
                  lineage=first(root, "gmd:dataQualityInfo/gmd:DQ_DataQuality/gmd:lineage/gmd:LI_Lineage"
                                      "/gmd:statement"),
                  service_type=first(ident, "srv:serviceType"))
    out: dict[str, Any] = {}
    edition = first(ident, "gmd:citation/gmd:CI_Citation/gmd:edition")
    if edition and len(edition) <= 50:
        out["version"] = edition
    landing = first(root, "gmd:dataSetURI")
    if cm.is_url(landing):
        out["landing_page"] = landing
    return out
