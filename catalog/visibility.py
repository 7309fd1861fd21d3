"""Metadata visibility narrowed by publication: "not released → only the owning department".

The rule, applied on top of the open/share attributes (``authz.readers``):

1. A dataset the attributes already limit to its department stays so.
2. A dataset with an active release is visible to exactly the audiences whose decision in that
   release was ``release`` or ``metadata_only`` (the latter is what lets a conditional dataset
   show its metadata and the "apply for access" path); the owning department always sees it.
3. A dataset that carries data (staged tables, or a release that was withdrawn) but has no
   active release is visible only to its department: nothing has been approved for anyone else.
4. A dataset without data — e.g. harvested metadata-only records — keeps the attribute-based
   readers: there is nothing to release, so release state cannot narrow it.

Wiring: decorate ``catalog.authz.readers`` with :func:`released_only` (per-object checks and the ORM
indexing path), and call :func:`narrow_documents` on the documents ``catalog.search_documents.documents``
builds (the set-based indexing path).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from .models import Dataset
from .models.publication import Release, StagedTable

PUBLIC = "public"
GOVERNMENT = "gov"
VISIBLE_OUTCOMES = frozenset({"release", "metadata_only"})
_PRINCIPAL = {"public": PUBLIC, "government": GOVERNMENT}


def _owner(dataset: Dataset) -> str:
    return f"org:{dataset.org_id}"


def release_readers(manifest: dict[str, Any], owner: str) -> list[str]:
    """Reader principals of a release from its manifest's per-audience outcomes."""
    outcomes = manifest.get("audiences") or {}
    held = [principal for audience, principal in _PRINCIPAL.items()
            if (outcomes.get(audience) or {}).get("outcome") in VISIBLE_OUTCOMES]
    return [*held, owner]


def _active_manifests(session: Session, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Per dataset, the manifest of its latest active release."""
    rows = session.execute(sa.select(Release.dataset_id, Release.manifest)
                           .where(Release.dataset_id.in_(ids), Release.state == "active").order_by(Release.number))
    return {dataset_id: manifest for dataset_id, manifest in rows}


def _carrying_data(session: Session, ids: list[str]) -> set[str]:
    staged = sa.select(StagedTable.dataset_id).where(StagedTable.dataset_id.in_(ids))
    released = sa.select(Release.dataset_id).where(Release.dataset_id.in_(ids))
    return set(session.scalars(sa.union(staged, released)))


def release_state(session: Session, ids: list[str]) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """(manifest of each dataset's latest active release, datasets that carry data) for these datasets:
    everything ``narrowed`` needs beyond the dataset's own columns."""
    return _active_manifests(session, ids), _carrying_data(session, ids)


def narrowed(owner: str, by_attributes: list[str], manifest: dict[str, Any] | None, carries_data: bool) -> list[str]:
    """The rule above as a pure function of what the database says about one dataset."""
    if by_attributes == [owner]:
        return by_attributes
    if manifest is not None:
        # Never wider than the attributes allow, whatever a manifest says (public implies government).
        allowed = set(by_attributes) | ({GOVERNMENT} if PUBLIC in by_attributes else set()) | {owner}
        return [p for p in release_readers(manifest, owner) if p in allowed]
    return [owner] if carries_data else by_attributes


def narrow(dataset: Dataset, by_attributes: list[str], session: Session | None = None) -> list[str]:
    """The readers of one loaded dataset once release state is taken into account."""
    session = session or object_session(dataset)
    if session is None or dataset.id is None or by_attributes == [_owner(dataset)]:
        return by_attributes
    manifest = _active_manifests(session, [dataset.id]).get(dataset.id)
    return narrowed(_owner(dataset), by_attributes, manifest, bool(_carrying_data(session, [dataset.id])))


def narrow_documents(session: Session, docs: list[dict[str, Any]]) -> None:
    """Set-based form for bulk indexing: rewrite each search document's ``readers`` in place."""
    ids = [d["id"] for d in docs]
    if not ids:
        return
    owners = dict(session.execute(sa.select(Dataset.id, Dataset.org_id).where(Dataset.id.in_(ids))).all())
    manifests, carrying = _active_manifests(session, ids), _carrying_data(session, ids)
    for doc in docs:
        owner = f"org:{owners.get(doc['id'])}"
        doc["readers"] = narrowed(owner, list(doc["readers"]), manifests.get(doc["id"]), doc["id"] in carrying)


def released_only(attribute_readers: Callable[[Dataset], list[str]]) -> Callable[[Dataset], list[str]]:
    """Decorator for ``authz.readers``: narrow attribute-based readers by release state."""

    @functools.wraps(attribute_readers)
    def readers(dataset: Dataset) -> list[str]:
        return narrow(dataset, attribute_readers(dataset))

    return readers
