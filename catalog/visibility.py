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

Wiring: decorate ``catalog.authz.readers`` with :func:`released_only`.
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


def _active_manifest(session: Session, dataset_id: str) -> dict[str, Any] | None:
    return session.scalar(sa.select(Release.manifest).where(Release.dataset_id == dataset_id,
                                                            Release.state == "active")
                          .order_by(Release.number.desc()).limit(1))


def _carries_data(session: Session, dataset_id: str) -> bool:
    staged = sa.select(StagedTable.resource_id).where(StagedTable.dataset_id == dataset_id)
    released = sa.select(Release.id).where(Release.dataset_id == dataset_id)
    return bool(session.scalar(sa.select(sa.or_(sa.exists(staged), sa.exists(released)))))


def narrow(dataset: Dataset, by_attributes: list[str], session: Session | None = None) -> list[str]:
    """The readers of ``dataset`` once release state is taken into account."""
    owner = _owner(dataset)
    if by_attributes == [owner] or dataset.id is None:
        return by_attributes
    session = session or object_session(dataset)
    if session is None:
        return by_attributes
    manifest = _active_manifest(session, dataset.id)
    if manifest is not None:
        # Never wider than the attributes allow, whatever a manifest says (public implies government).
        allowed = set(by_attributes) | ({GOVERNMENT} if PUBLIC in by_attributes else set()) | {owner}
        return [p for p in release_readers(manifest, owner) if p in allowed]
    if _carries_data(session, dataset.id):
        return [owner]
    return by_attributes


def released_only(attribute_readers: Callable[[Dataset], list[str]]) -> Callable[[Dataset], list[str]]:
    """Decorator for ``authz.readers``: narrow attribute-based readers by release state."""

    @functools.wraps(attribute_readers)
    def readers(dataset: Dataset) -> list[str]:
        return narrow(dataset, attribute_readers(dataset))

    return readers
