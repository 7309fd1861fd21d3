"""The publication workflow: stage → submit → preview → approve (release) or reject → withdraw.

A release is numbered per dataset, immutable, signed, and materializes one artifact set per
audience (public, government, owner, each active grant) with the redactions already applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from publish_rules import Audience, RuleSet

from . import audit
from .authz import Actor, can_write_in
from .datasets import get_visible
from .errors import Conflict, Forbidden, NotFound
from .materialize import AudienceSpec, FileEntry, Source, build_manifest, materialize, preview_sources
from .models import CatalogChange, Dataset, Resource, utcnow
from .models.publication import Grant, Release, ReleaseArtifact, StagedTable, Submission
from .records import dataset_record
from .rules_runtime import runtime_for
from .settings import Config
from .signing import Signer, load_signer
from .storage import BlobStore, open_store

REVIEW_ROLES = frozenset({"reviewer", "admin"})


@dataclass(frozen=True)
class PublishContext:
    """What materializing needs: where blobs go, the rules in force and the signing key."""

    store: BlobStore
    ruleset: RuleSet
    signer: Signer


def stage_table(session: Session, actor: Actor, resource: Resource, *, blob_key: str, sha256: str, size: int,
                rows: int, table_schema: dict[str, Any], time_field: str | None = None) -> StagedTable:
    """Record the validated Parquet (``IngestResult.parquet``) that a resource's next release uses."""
    ds = resource.dataset
    if not can_write_in(actor, ds.org_id):
        raise Forbidden("只有数据集所属部门的编辑或管理员可以上传数据", "Only the owning department may stage data")
    staged = session.get(StagedTable, resource.id) or StagedTable(resource_id=resource.id, dataset_id=ds.id)
    staged.blob_key, staged.sha256, staged.size, staged.rows = blob_key, sha256, size, rows
    staged.table_schema, staged.time_field = table_schema, time_field
    staged.staged_by, staged.staged_at = actor.user_id, utcnow()
    session.add(staged)
    session.add(CatalogChange(dataset_id=ds.id))  # visibility may change: the dataset now carries data
    audit.append(session, audit.actor_label(actor), "data.staged", "resource", resource.id,
                 {"dataset": ds.name, "sha256": sha256, "rows": rows})
    return staged


def _sources(session: Session, ds: Dataset) -> dict[str, Any]:
    rows = session.scalars(sa.select(StagedTable).where(StagedTable.dataset_id == ds.id))
    live = {r.id for r in ds.resources}
    return {s.resource_id: Source(s.resource_id, s.blob_key, s.sha256, s.rows, s.table_schema, s.time_field)
            .to_dict() for s in rows if s.resource_id in live}


def _pinned(submission: Submission) -> tuple[dict[str, Any], list[Source]]:
    snapshot = submission.record
    return snapshot["dataset"], [Source.from_dict(k, v) for k, v in sorted(snapshot["sources"].items())]


def submit(session: Session, actor: Actor, name_or_id: str, comment: str | None = None) -> Submission:
    """An editor submits the dataset's current version (record + staged data) for review."""
    ds = get_visible(session, actor, name_or_id)
    if not can_write_in(actor, ds.org_id):
        raise Forbidden("只有数据集所属部门的编辑或管理员可以提交发布", "Only the owning department's editors may submit")
    if ds.state not in ("active", "draft"):
        raise Conflict(f"数据集状态为 {ds.state}，不能提交发布", f"a {ds.state} dataset cannot be submitted")
    if session.scalar(sa.select(Submission.id).where(Submission.dataset_id == ds.id, Submission.state == "pending")):
        raise Conflict("该数据集已有待审核的发布申请", "this dataset already has a pending submission")
    sub = Submission(dataset_id=ds.id, submitted_by=actor.user_id, comment=comment,
                     record={"dataset": dataset_record(ds), "sources": _sources(session, ds)})
    session.add(sub)
    session.flush()
    audit.append(session, audit.actor_label(actor), "publication.submitted", "submission", sub.id,
                 {"dataset": ds.name, "resources": sorted(sub.record["sources"])})
    return sub


def get_submission(session: Session, submission_id: str) -> Submission:
    sub = session.get(Submission, submission_id)
    if sub is None:
        raise NotFound(f"发布申请不存在：{submission_id}", f"Submission not found: {submission_id}")
    return sub


def may_review(actor: Actor, ds: Dataset) -> bool:
    return actor.sysadmin or actor.platform_reviewer or actor.role_in(ds.org_id) in REVIEW_ROLES


def require_reviewer(actor: Actor, sub: Submission) -> None:
    if actor.anonymous:
        raise Forbidden("需要登录", "Authentication required")
    if sub.submitted_by is not None and sub.submitted_by == actor.user_id:
        raise Forbidden("不能审核自己提交的发布申请", "You cannot review your own submission", code="self_review")
    if not may_review(actor, sub.dataset):
        raise Forbidden(f"只有部门 {sub.dataset.organization.name} 的审核员或平台审核员可以审核",
                        "Only a reviewer of the owning department or a platform reviewer may review",
                        code="not_reviewer")


def _pending(session: Session, submission_id: str) -> Submission:
    sub = get_submission(session, submission_id)
    if sub.state != "pending":
        raise Conflict(f"发布申请已处理（{sub.state}）", f"the submission is already {sub.state}")
    return sub


def audience_specs(ds: Dataset, grants: list[Grant]) -> list[AudienceSpec]:
    specs = [AudienceSpec("owner", Audience.owner(ds.organization.name)),
             AudienceSpec("government", Audience.government()), AudienceSpec("public", Audience.public())]
    return specs + [grant_spec(g) for g in grants]


def grant_spec(grant: Grant) -> AudienceSpec:
    """A grant's audience: its dataset, its field scope, and the applying department if any."""
    department = grant.organization.name if grant.organization is not None else None
    audience = Audience.grant([grant.dataset.name], grant.fields, department=department)
    return AudienceSpec(f"grant:{grant.id}", audience, grant.id)


def active_grants(session: Session, dataset_id: str, now: datetime) -> list[Grant]:
    rows = session.scalars(sa.select(Grant).where(Grant.dataset_id == dataset_id, Grant.revoked_at.is_(None))
                           .order_by(Grant.created))
    return [g for g in rows if g.active(now)]


def preview_submission(session: Session, ctx: PublishContext, actor: Actor, submission_id: str,
                       now: datetime | None = None) -> dict[str, Any]:
    """What each audience would receive if this submission were approved now."""
    sub = get_submission(session, submission_id)
    if not (may_review(actor, sub.dataset) or can_write_in(actor, sub.dataset.org_id)):
        raise NotFound(f"发布申请不存在：{submission_id}", f"Submission not found: {submission_id}")
    now = now or utcnow()
    record, sources = _pinned(sub)
    specs = audience_specs(sub.dataset, active_grants(session, sub.dataset_id, now))
    audiences = preview_sources(ctx.store, record, sources, ctx.ruleset, specs, now)
    return {"submission": sub.id, "dataset": record["name"], "ruleset_version": ctx.ruleset.version,
            "at": now.isoformat(), "audiences": audiences}


def approve(session: Session, ctx: PublishContext, actor: Actor, submission_id: str, comment: str | None = None,
            now: datetime | None = None) -> Release:
    sub = _pending(session, submission_id)
    require_reviewer(actor, sub)
    if dataset_record(sub.dataset) != sub.record["dataset"]:
        raise Conflict("数据集在提交后已被修改，请重新提交", "the dataset changed after it was submitted; submit again")
    now = now or utcnow()
    release = make_release(session, ctx, sub.dataset, sub.record["dataset"], _pinned(sub)[1],
                           approver=audit.actor_label(actor), approver_id=actor.user_id, now=now,
                           submission_id=sub.id)
    sub.state, sub.decided_by, sub.decided_at, sub.decision_comment = "approved", actor.user_id, now, comment
    audit.append(session, audit.actor_label(actor), "publication.approved", "submission", sub.id,
                 {"release": release.id, "number": release.number, "comment": comment})
    return release


def reject(session: Session, actor: Actor, submission_id: str, comment: str) -> Submission:
    sub = _pending(session, submission_id)
    require_reviewer(actor, sub)
    sub.state, sub.decided_by, sub.decided_at, sub.decision_comment = "rejected", actor.user_id, utcnow(), comment
    audit.append(session, audit.actor_label(actor), "publication.rejected", "submission", sub.id,
                 {"dataset": sub.dataset.name, "comment": comment})
    return sub


def _next_number(session: Session, dataset_id: str) -> int:
    top = session.scalar(sa.select(sa.func.max(Release.number)).where(Release.dataset_id == dataset_id))
    return (top or 0) + 1


def make_release(session: Session, ctx: PublishContext, ds: Dataset, record: dict[str, Any],
                 sources: list[Source], *, approver: str, approver_id: str | None, now: datetime,
                 submission_id: str | None, refresh_of: str | None = None) -> Release:
    """Materialize every audience (blobs first), then write the signed release in this transaction."""
    specs = audience_specs(ds, active_grants(session, ds.id, now))
    files, outcomes = materialize(ctx.store, record, sources, ctx.ruleset, specs, now)
    number = _next_number(session, ds.id)
    last = audit.head(session)
    manifest = build_manifest(
        dataset={"id": ds.id, "name": ds.name, "title": ds.title, "organization": ds.organization.name},
        number=number, submission_id=submission_id, record=record, ruleset_version=ctx.ruleset.version,
        approver=approver, approved_at=now, now=now, sources=sources, outcomes=outcomes, files=files,
        audit_head={"seq": last.seq, "hash": last.hash} if last else None, key_id=ctx.signer.key_id,
        refresh_of=refresh_of)
    release = Release(dataset_id=ds.id, number=number, submission_id=submission_id, manifest=manifest,
                      signature=ctx.signer.sign(manifest), key_id=ctx.signer.key_id,
                      ruleset_version=ctx.ruleset.version, approver_id=approver_id, approved_at=now,
                      artifacts=[_artifact(f, i) for i, f in enumerate(files)])
    session.add(release)
    session.add(CatalogChange(dataset_id=ds.id))
    session.flush()
    audit.append(session, approver, "release.created", "release", release.id,
                 {"dataset": ds.name, "number": number, "files": len(files), "ruleset": ctx.ruleset.version,
                  "refresh_of": refresh_of})
    return release


def _artifact(entry: FileEntry, position: int) -> ReleaseArtifact:
    return ReleaseArtifact(position=position, audience=entry.audience, resource_id=entry.resource_id,
                           format=entry.format, blob_key=entry.blob_key, sha256=entry.sha256, size=entry.size,
                           rows=entry.rows, fields=entry.fields, channels=entry.channels, grant_id=entry.grant_id)


def get_release(session: Session, release_id: str) -> Release:
    release = session.get(Release, release_id)
    if release is None:
        raise NotFound(f"发布版本不存在：{release_id}", f"Release not found: {release_id}")
    return release


def withdraw(session: Session, actor: Actor, release_id: str, reason: str) -> Release:
    """Stop serving a release; it stays in the history (and in ``ecodata verify``)."""
    release = get_release(session, release_id)
    ds = release.dataset
    if not (may_review(actor, ds) or can_write_in(actor, ds.org_id)):
        raise Forbidden("只有数据集所属部门或平台审核员可以撤回发布", "Only the owning department may withdraw a release")
    if release.state == "withdrawn":
        raise Conflict("该发布版本已撤回", "the release is already withdrawn")
    release.state, release.withdrawn_at, release.withdrawn_by = "withdrawn", utcnow(), actor.user_id
    release.withdraw_reason = reason
    session.add(CatalogChange(dataset_id=ds.id))
    audit.append(session, audit.actor_label(actor), "release.withdrawn", "release", release.id,
                 {"dataset": ds.name, "number": release.number, "reason": reason})
    return release


def context_for(config: Config, sessions: Any = None) -> PublishContext:
    """The publish context of a configured process: its blob store, rules in force and signing key."""
    store = open_store(config["ECODATA_STORAGE_URL"], config.home, config["ECODATA_S3_ENDPOINT"])
    return PublishContext(store, runtime_for(config, sessions).current(), load_signer(config.home))


def _delayed(release: Release) -> bool:
    return any((a or {}).get("delay_seconds", 0) > 0 for a in (release.manifest.get("audiences") or {}).values())


def refresh(session: Session, ctx: PublishContext, now: datetime | None = None) -> list[tuple[str, str]]:
    """Re-materialize delayed releases so rows that have aged past the delay go out.

    Uses the approved submission's pinned data and only when the rules in force are the ones the
    release was approved under (anything else needs a new review).  Returns (dataset, outcome) pairs."""
    now = now or utcnow()
    done: list[tuple[str, str]] = []
    actives = session.scalars(sa.select(Release).where(Release.state == "active").order_by(Release.number.desc()))
    latest = {r.dataset_id: r for r in reversed(list(actives))}
    for release in latest.values():
        name = release.dataset.name
        if not _delayed(release) or release.submission is None:
            continue
        if release.ruleset_version != ctx.ruleset.version:
            done.append((name, "rules changed since approval: submit again"))
            continue
        record, sources = _pinned(release.submission)
        fresh = make_release(session, ctx, release.dataset, record, sources, approver="system:refresh",
                             approver_id=release.approver_id, now=now, submission_id=release.submission_id,
                             refresh_of=release.id)
        done.append((name, f"release {fresh.number}"))
    return done
