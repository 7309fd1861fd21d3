"""Search documents built straight from the tables, for bulk indexing.

The ORM path (``records.search_document``) is right for a handful of changed datasets;
rebuilding an index of 100,000 datasets needs a few set-based queries instead of
hundreds of thousands of object loads.  A test pins that both paths build the same documents.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .authz import readers_for
from .models import DataElement, Dataset, DatasetTag, Group, Organization, Resource, dataset_groups
from .visibility import narrow_documents

_DATASET_COLUMNS = (Dataset.id, Dataset.name, Dataset.title, Dataset.notes, Dataset.meta, Dataset.org_id,
                    Dataset.state, Dataset.private, Dataset.open_type, Dataset.share_type, Dataset.update_cycle,
                    Dataset.license_id, Dataset.metadata_modified, Dataset.metadata_created,
                    Dataset.resource_code, Organization.name.label("org_name"),
                    Organization.title.label("org_title"))


def _grouped(session: Session, stmt: Any) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for key, value in session.execute(stmt):
        out[key].append(value)
    return out


def _children(session: Session, ids: Sequence[str]) -> tuple[dict[str, list[Any]], ...]:
    tags = _grouped(session, sa.select(DatasetTag.dataset_id, DatasetTag.name)
                    .where(DatasetTag.dataset_id.in_(ids)).order_by(DatasetTag.dataset_id, DatasetTag.name))
    themes = _grouped(session, sa.select(dataset_groups.c.dataset_id, Group.name)
                      .join(Group, Group.id == dataset_groups.c.group_id)
                      .where(dataset_groups.c.dataset_id.in_(ids)).order_by(dataset_groups.c.dataset_id,
                                                                            Group.name))
    formats = _grouped(session, sa.select(Resource.dataset_id, Resource.format)
                       .where(Resource.dataset_id.in_(ids), Resource.format.is_not(None)))
    elements = _grouped(session, sa.select(DataElement.dataset_id, DataElement.name)
                        .where(DataElement.dataset_id.in_(ids))
                        .order_by(DataElement.dataset_id, DataElement.position))
    return tags, themes, formats, elements


def documents(session: Session, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Search documents of the given datasets (deleted ones are skipped)."""
    rows = session.execute(sa.select(*_DATASET_COLUMNS).join(Organization, Organization.id == Dataset.org_id)
                           .where(Dataset.id.in_(ids), Dataset.state != "deleted")).all()
    # Code-point order by name, whatever the database's collation: equal-scoring hits then rank
    # the same on every backend (the index breaks ties by insertion order).
    rows.sort(key=lambda r: r.name)
    tags, themes, formats, elements = _children(session, ids)
    docs = []
    for r in rows:
        meta = r.meta or {}
        docs.append({
            "id": r.id, "name": r.name, "title": r.title, "title_en": meta.get("title_en") or "",
            "description": r.notes or "", "keywords": tags.get(r.id, []), "org": r.org_name,
            "org_title": r.org_title, "themes": themes.get(r.id, []), "tags": tags.get(r.id, []),
            "formats": sorted({f.upper() for f in formats.get(r.id, []) if f}),
            "districts": list(meta.get("districts") or []), "update_cycle": r.update_cycle or "",
            "open_type": r.open_type, "license_id": r.license_id or "", "state": r.state,
            "readers": readers_for(r.org_id, r.state, r.private, r.open_type, r.share_type),
            "modified": r.metadata_modified, "created": r.metadata_created,
            "resource_code": r.resource_code or "", "elements": elements.get(r.id, []),
        })
    narrow_documents(session, docs)
    return docs


def _binary(column: Any, session: Session) -> Any:
    return column.collate("C") if session.get_bind().dialect.name == "postgresql" else column


def all_documents(session: Session, batch: int = 5000) -> Iterator[list[dict[str, Any]]]:
    """Every live dataset's document, in batches, paging by name in code-point order (keyset, so no
    OFFSET scans, and the same order on SQLite and PostgreSQL)."""
    name = _binary(Dataset.name, session)
    last = ""
    while True:
        rows = session.execute(sa.select(Dataset.id, Dataset.name).where(name > last, Dataset.state != "deleted")
                               .order_by(name).limit(batch)).all()
        if not rows:
            return
        yield documents(session, [r.id for r in rows])
        last = rows[-1].name
