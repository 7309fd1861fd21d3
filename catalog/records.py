"""Conversion between the profile record (a dict) and the database rows.

Columns hold what is queried or constrained; the rest of the record lives in ``meta``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from schemas import load_vocab

from .authz import readers
from .models import DataElement, Dataset, DatasetTag, Group, Organization, Resource, utcnow

COLUMN_KEYS = ("name", "title", "resource_code", "open_type", "share_type", "update_cycle", "license_id",
               "private", "state")
STRUCTURED_KEYS = ("description", "organization", "keywords", "themes", "data_elements", "resources")
RESOURCE_COLUMNS = {"name": "name", "description": "description", "url": "url", "format": "format",
                    "media_type": "mimetype", "byte_size": "size"}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def resource_record(res: Resource) -> dict[str, Any]:
    out: dict[str, Any] = {"id": res.id}
    for key, column in RESOURCE_COLUMNS.items():
        value = getattr(res, column)
        if value is not None:
            out[key] = value
    if res.hash:
        algorithm, _, value = res.hash.partition(":")
        out["checksum"] = {"algorithm": algorithm, "value": value} if value else {"algorithm": "sha256",
                                                                                    "value": algorithm}
    out.update(res.meta or {})
    if res.last_modified:
        out["modified"] = _iso(res.last_modified)
    return out


def element_record(el: DataElement) -> dict[str, Any]:
    out: dict[str, Any] = {"name": el.name, "type": el.type}
    for key in ("name_en", "length", "unit", "description"):
        value = getattr(el, key)
        if value is not None:
            out[key] = value
    if el.tags:
        out["tags"] = list(el.tags)
    return out


def dataset_record(ds: Dataset) -> dict[str, Any]:
    """The full profile record of a dataset, plus system fields (id, issued, modified)."""
    record: dict[str, Any] = {"id": ds.id}
    for key in COLUMN_KEYS:
        record[key] = getattr(ds, key)
    record["description"] = ds.notes or ""
    record["organization"] = ds.organization.name
    record["keywords"] = [t.name for t in ds.tags]
    record["themes"] = [g.name for g in ds.groups]
    record["data_elements"] = [element_record(e) for e in ds.elements]
    record["resources"] = [resource_record(r) for r in ds.resources]
    for key, value in (ds.meta or {}).items():
        record.setdefault(key, value)
    record["metadata_created"] = _iso(ds.metadata_created)
    record["metadata_modified"] = _iso(ds.metadata_modified)
    if ds.harvest_source_id:
        record["harvest"] = {"source_id": ds.harvest_source_id, "remote_id": ds.harvest_remote_id}
    return {k: v for k, v in record.items() if v is not None}


def _groups(session: Session, slugs: list[str]) -> list[Group]:
    if not slugs:
        return []
    found = {g.name: g for g in session.scalars(sa.select(Group).where(Group.name.in_(slugs)))}
    themes = {t["id"]: t for t in load_vocab("themes")}
    for slug in slugs:
        if slug not in found:
            theme = themes.get(slug, {})
            found[slug] = Group(name=slug, title=theme.get("zh", slug), title_en=theme.get("en"))
            session.add(found[slug])
    return [found[s] for s in dict.fromkeys(slugs)]


def _apply_resources(ds: Dataset, resources: list[dict[str, Any]]) -> None:
    existing = {r.id: r for r in ds.resources}
    kept: list[Resource] = []
    for position, item in enumerate(resources):
        res = existing.get(item.get("id", "")) or Resource(**({"id": item["id"]} if item.get("id") else {}))
        for key, column in RESOURCE_COLUMNS.items():
            setattr(res, column, item.get(key))
        checksum = item.get("checksum")
        res.hash = f"{checksum.get('algorithm', 'sha256')}:{checksum['value']}" if checksum else None
        res.meta = {k: v for k, v in item.items()
                    if k not in RESOURCE_COLUMNS and k not in ("id", "checksum", "created", "modified")}
        res.position = position
        res.last_modified = utcnow()
        kept.append(res)
    ds.resources = kept


def _apply_elements(ds: Dataset, elements: list[dict[str, Any]]) -> None:
    ds.elements = [
        DataElement(position=i, name=e["name"], name_en=e.get("name_en"), type=e["type"], length=e.get("length"),
                    unit=e.get("unit"), description=e.get("description"), tags=list(e.get("tags") or []))
        for i, e in enumerate(elements)
    ]


def apply_record(session: Session, ds: Dataset, record: dict[str, Any], org: Organization) -> None:
    """Write a validated, normalized record onto a dataset row and its children."""
    with session.no_autoflush:
        _apply(session, ds, record, org)


def _apply(session: Session, ds: Dataset, record: dict[str, Any], org: Organization) -> None:
    for key in COLUMN_KEYS:
        if key in record:
            setattr(ds, key, record[key])
    ds.notes = record.get("description", "")
    ds.org_id = org.id
    ds.organization = org
    ds.tags = [DatasetTag(name=k) for k in dict.fromkeys(record.get("keywords") or [])]
    ds.groups = _groups(session, record.get("themes") or [])
    _apply_elements(ds, record.get("data_elements") or [])
    _apply_resources(ds, record.get("resources") or [])
    system = {"id", "metadata_created", "metadata_modified", "harvest", *COLUMN_KEYS, *STRUCTURED_KEYS}
    ds.meta = {k: v for k, v in record.items() if k not in system}
    ds.metadata_modified = utcnow()


def search_document(ds: Dataset) -> dict[str, Any]:
    meta = ds.meta or {}
    return {
        "id": ds.id,
        "name": ds.name,
        "title": ds.title,
        "title_en": meta.get("title_en") or "",
        "description": ds.notes or "",
        "keywords": [t.name for t in ds.tags],
        "org": ds.organization.name,
        "org_title": ds.organization.title,
        "themes": [g.name for g in ds.groups],
        "tags": [t.name for t in ds.tags],
        "formats": sorted({(r.format or "").upper() for r in ds.resources if r.format}),
        "districts": list(meta.get("districts") or []),
        "update_cycle": ds.update_cycle or "",
        "open_type": ds.open_type,
        "license_id": ds.license_id or "",
        "state": ds.state,
        "readers": readers(ds),
        "modified": ds.metadata_modified,
        "created": ds.metadata_created,
        "resource_code": ds.resource_code or "",
        "elements": [e.name for e in ds.elements],
    }


# The share attribute (共享属性) concerns government departments only: never shown to the public.
GOVERNMENT_ONLY_KEYS = ("share_type", "share_condition", "share_basis", "share_method")


def public_view(record: dict[str, Any], government: bool) -> dict[str, Any]:
    """The record as a caller may see it: without the share attribute unless they are government."""
    if government:
        return record
    return {k: v for k, v in record.items() if k not in GOVERNMENT_ONLY_KEYS}
