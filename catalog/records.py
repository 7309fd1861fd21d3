"""Conversion between the profile record (a dict) and the database rows.

Columns hold what is queried or constrained; the rest of the record lives in ``meta``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from schemas import load_vocab

from .authz import readers
from .models import (
    DataElement,
    Dataset,
    DatasetTag,
    Group,
    Organization,
    Resource,
    dataset_groups,
    new_id,
    utcnow,
)

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


def _theme_group(slug: str) -> dict[str, Any]:
    """Columns of the group made for a theme the catalogue has not used before."""
    theme = next((t for t in load_vocab("themes") if t["id"] == slug), {})
    return {"name": slug, "title": theme.get("zh", slug), "title_en": theme.get("en")}


def _groups(session: Session, slugs: list[str], found: dict[str, Group]) -> list[Group]:
    """The theme groups, from ``found`` (by name) or the database, created when new."""
    if not slugs:
        return []
    missing = [s for s in slugs if s not in found]
    if missing:
        found.update({g.name: g for g in session.scalars(sa.select(Group).where(Group.name.in_(missing)))})
    for slug in slugs:
        if slug not in found:
            found[slug] = Group(**_theme_group(slug))
            session.add(found[slug])
    return [found[s] for s in dict.fromkeys(slugs)]


def _resource_columns(item: dict[str, Any], position: int) -> dict[str, Any]:
    columns = {column: item.get(key) for key, column in RESOURCE_COLUMNS.items()}
    checksum = item.get("checksum")
    columns["hash"] = f"{checksum.get('algorithm', 'sha256')}:{checksum['value']}" if checksum else None
    columns["meta"] = {k: v for k, v in item.items()
                       if k not in RESOURCE_COLUMNS and k not in ("id", "checksum", "created", "modified")}
    columns["position"] = position
    columns["last_modified"] = utcnow()
    return columns


def _element_columns(element: dict[str, Any], position: int) -> dict[str, Any]:
    return {"position": position, "name": element["name"], "name_en": element.get("name_en"),
            "type": element["type"], "length": element.get("length"), "unit": element.get("unit"),
            "description": element.get("description"), "tags": list(element.get("tags") or [])}


_SYSTEM_KEYS = frozenset({"id", "metadata_created", "metadata_modified", "harvest", *COLUMN_KEYS, *STRUCTURED_KEYS})


def _dataset_columns(record: dict[str, Any], org: Organization) -> dict[str, Any]:
    """The dataset row's own columns from a record (column keys it lacks are left as they are)."""
    columns = {key: record[key] for key in COLUMN_KEYS if key in record}
    columns["notes"] = record.get("description", "")
    columns["org_id"] = org.id
    columns["meta"] = {k: v for k, v in record.items() if k not in _SYSTEM_KEYS}
    return columns


def _apply_resources(ds: Dataset, resources: list[dict[str, Any]]) -> None:
    existing = {r.id: r for r in ds.resources}
    kept: list[Resource] = []
    for position, item in enumerate(resources):
        res = existing.get(item.get("id", "")) or Resource(**({"id": item["id"]} if item.get("id") else {}))
        for column, value in _resource_columns(item, position).items():
            setattr(res, column, value)
        kept.append(res)
    ds.resources = kept


def _apply_elements(ds: Dataset, elements: list[dict[str, Any]]) -> None:
    ds.elements = [DataElement(**_element_columns(e, i)) for i, e in enumerate(elements)]


def apply_record(session: Session, ds: Dataset, record: dict[str, Any], org: Organization) -> None:
    """Write a validated, normalized record onto a dataset row and its children."""
    with session.no_autoflush:
        _apply(session, ds, record, org)


def _apply(session: Session, ds: Dataset, record: dict[str, Any], org: Organization) -> None:
    for column, value in _dataset_columns(record, org).items():
        setattr(ds, column, value)
    ds.organization = org
    ds.tags = [DatasetTag(name=k) for k in dict.fromkeys(record.get("keywords") or [])]
    ds.groups = _groups(session, record.get("themes") or [], {})
    _apply_elements(ds, record.get("data_elements") or [])
    _apply_resources(ds, record.get("resources") or [])
    ds.metadata_modified = utcnow()


@dataclass
class NewRows:
    """Rows of new datasets and their children, written with one multi-row INSERT per table: the
    same columns ``apply_record`` sets on new objects, without the per-object cost of the ORM."""

    groups: dict[str, Any]  # theme name -> Group (or the view of one this batch makes)
    new_groups: list[dict[str, Any]] = field(default_factory=list)
    datasets: list[dict[str, Any]] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)
    elements: list[dict[str, Any]] = field(default_factory=list)
    tags: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)

    def add(self, record: dict[str, Any], org: Organization, system: dict[str, Any]) -> SimpleNamespace:
        """Rows for one new dataset (``system``: id, creator, harvest origin); returns a view with the
        attributes ``dataset_record`` reads, so the record it gives is the one the rows store.  Every
        resource must already carry its id."""
        now = utcnow()
        values = dict.fromkeys(COLUMN_KEYS) | _dataset_columns(record, org) | system
        values.update(metadata_created=now, metadata_modified=now, cached_record=None, search_doc=None,
                      search_doc_version=None)
        ds_id = values["id"]
        resources = [{"id": r["id"], "dataset_id": ds_id, **_resource_columns(r, i)}
                     for i, r in enumerate(record.get("resources") or [])]
        elements = [{"dataset_id": ds_id, **_element_columns(e, i)}
                    for i, e in enumerate(record.get("data_elements") or [])]
        tags = [{"dataset_id": ds_id, "name": k} for k in dict.fromkeys(record.get("keywords") or [])]
        groups = [self._group(slug) for slug in dict.fromkeys(record.get("themes") or [])]
        self.datasets.append(values)
        self.resources += resources
        self.elements += elements
        self.tags += tags
        self.links += [{"dataset_id": ds_id, "group_id": g.id} for g in groups]
        return SimpleNamespace(**values, organization=org, groups=groups,
                               tags=[SimpleNamespace(**t) for t in tags],
                               elements=[SimpleNamespace(**e) for e in elements],
                               resources=[SimpleNamespace(**r) for r in resources])

    def _group(self, slug: str) -> Any:
        if slug not in self.groups:
            row = {"id": new_id(), "created": utcnow(), **_theme_group(slug)}
            self.new_groups.append(row)
            self.groups[slug] = SimpleNamespace(**row)
        return self.groups[slug]

    def insert(self, session: Session) -> None:
        """Insert the rows, parents first (PostgreSQL checks foreign keys at once)."""
        for model, rows in ((Group, self.new_groups), (Dataset, self.datasets), (Resource, self.resources),
                            (DataElement, self.elements), (DatasetTag, self.tags)):
            if rows:
                session.execute(sa.insert(cast(sa.Table, model.__table__)), rows)
        if self.links:
            session.execute(sa.insert(dataset_groups), self.links)


def stored_search_document(ds: Dataset) -> dict[str, Any]:
    """``search_document`` without the readers, as the full rebuild reads it (``search_documents``):
    keywords and themes in code-point order whatever order the write gave them in.  For a Dataset or
    the stand-in ``NewRows.add`` returns; reads nothing from the database."""
    meta = ds.meta or {}
    tags = sorted(t.name for t in ds.tags)
    return {
        "id": ds.id, "name": ds.name, "title": ds.title, "title_en": meta.get("title_en") or "",
        "description": ds.notes or "", "keywords": tags, "org": ds.organization.name,
        "org_title": ds.organization.title, "themes": sorted(g.name for g in ds.groups), "tags": list(tags),
        "formats": sorted({(r.format or "").upper() for r in ds.resources if r.format}),
        "districts": list(meta.get("districts") or []), "update_cycle": ds.update_cycle or "",
        "open_type": ds.open_type, "license_id": ds.license_id or "", "state": ds.state,
        "modified": ds.metadata_modified, "created": ds.metadata_created,
        "resource_code": ds.resource_code or "", "elements": [e.name for e in ds.elements],
    }


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
