"""The read side every egress path uses: which released artifact a caller may receive.

Nothing here computes redactions: the artifacts were materialized at release time, so an egress
path can only hand out files a reviewer approved for that audience.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .authz import Actor
from .models import Dataset
from .models.publication import Grant, GrantDownload, Release, ReleaseArtifact

__all__ = ["ArtifactRef", "artifact_for", "artifacts_for", "audiences_for", "current_release",
           "log_grant_download", "valid_grant_for"]


@dataclass(frozen=True)
class ArtifactRef:
    release_id: str
    release_number: int
    audience: str
    resource_id: str
    blob_key: str
    sha256: str
    size: int
    rows: int
    fields: list[str]
    channels: frozenset[str]
    grant_id: str | None


def valid_grant_for(session: Session, grant_id: str, dataset_id: str, now: datetime) -> Grant | None:
    grant = session.get(Grant, grant_id)
    if grant is None or grant.dataset_id != dataset_id or not grant.active(now):
        return None
    return grant


def _grants(session: Session, actor: Actor, dataset_id: str, now: datetime) -> list[Grant]:
    holders: list[sa.ColumnElement[bool]] = [Grant.org_id.in_(list(actor.roles))] if actor.roles else []
    if actor.user_id:
        holders.append(Grant.user_id == actor.user_id)
    if not holders:
        return []
    rows = session.scalars(sa.select(Grant).where(Grant.dataset_id == dataset_id, Grant.revoked_at.is_(None),
                                                  sa.or_(*holders)).order_by(Grant.created))
    return [g for g in rows if g.active(now)]


def audiences_for(session: Session, actor: Actor, dataset: Dataset, *, now: datetime) -> list[str]:
    """Audience keys the actor holds for this dataset, most privileged first.

    A token scoped to a grant holds that grant's audience only (and nothing once it lapses)."""
    scoped = (actor.scope or {}).get("grant_id")
    if scoped:
        grant = valid_grant_for(session, str(scoped), dataset.id, now)
        return [f"grant:{grant.id}"] if grant is not None and _holds(actor, grant) else []
    held: list[str] = []
    if actor.sysadmin or actor.role_in(dataset.org_id) is not None:
        held.append("owner")
    held += [f"grant:{g.id}" for g in _grants(session, actor, dataset.id, now)]
    if actor.government:
        held.append("government")
    held.append("public")
    return held


def _holds(actor: Actor, grant: Grant) -> bool:
    return grant.user_id == actor.user_id or (grant.org_id is not None and grant.org_id in actor.roles)


def current_release(session: Session, dataset_id: str) -> Release | None:
    """The latest active release of a dataset."""
    return session.scalar(sa.select(Release).where(Release.dataset_id == dataset_id, Release.state == "active")
                          .order_by(Release.number.desc()).limit(1))


def _ref(release: Release, art: ReleaseArtifact) -> ArtifactRef:
    return ArtifactRef(release.id, release.number, art.audience, art.resource_id, art.blob_key, art.sha256,
                       art.size, art.rows, list(art.fields), frozenset(art.channels), art.grant_id)


def artifacts_for(session: Session, actor: Actor, dataset: Dataset, *, now: datetime) -> list[ArtifactRef]:
    """Per resource, the artifact of the best audience the actor holds (resource order kept)."""
    release = current_release(session, dataset.id)
    if release is None:
        return []
    order = audiences_for(session, actor, dataset, now=now)
    best: dict[str, ReleaseArtifact] = {}
    for art in release.artifacts:
        if art.audience not in order:
            continue
        known = best.get(art.resource_id)
        if known is None or order.index(art.audience) < order.index(known.audience):
            best[art.resource_id] = art
    return [_ref(release, a) for a in sorted(best.values(), key=lambda a: a.position)]


def artifact_for(session: Session, actor: Actor, dataset: Dataset, resource_id: str, *,
                 now: datetime) -> ArtifactRef | None:
    """The artifact of the current release for the best audience the actor holds; None means 404."""
    for ref in artifacts_for(session, actor, dataset, now=now):
        if ref.resource_id == resource_id:
            return ref
    return None


def log_grant_download(session: Session, ref: ArtifactRef, actor: Actor, channel: str) -> None:
    """Every file handed out under a grant is logged (no-op for other audiences)."""
    if ref.grant_id is None:
        return
    session.add(GrantDownload(grant_id=ref.grant_id, user_id=actor.user_id, release_id=ref.release_id,
                              resource_id=ref.resource_id, sha256=ref.sha256, channel=channel))
    session.flush()
