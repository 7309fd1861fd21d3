"""Access requests and grants for conditional datasets, and tokens scoped to one grant.

A user (or a department, through one of its members) applies with a purpose and a period; the
owning department approves with a scope and an expiry, or rejects.  A grant gives its holder the
grant's own artifact set — in the portal and through a token that expires with the grant.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import accounts, audit
from .accounts import IssuedToken
from .authz import Actor
from .datasets import get_visible
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .materialize import Source, materialize
from .models import ApiToken, CatalogChange, User, utcnow
from .models.publication import AccessRequest, Grant, GrantAddendum, ReleaseArtifact
from .publication import REVIEW_ROLES, PublishContext, grant_spec
from .releases import current_release

DECIDE_ROLES = REVIEW_ROLES


def request_access(session: Session, actor: Actor, name_or_id: str, *, purpose: str, period_end: datetime,
                   period_start: datetime | None = None, org: str | None = None) -> AccessRequest:
    if actor.anonymous:
        raise Forbidden("申请数据需要先登录", "Sign in to apply for access")
    ds = get_visible(session, actor, name_or_id)
    if not purpose.strip():
        raise ValidationFailed("请填写数据用途", "A purpose is required")
    start = period_start or utcnow()
    if period_end <= start:
        raise ValidationFailed("使用期限的结束时间必须晚于开始时间", "The period must end after it starts")
    org_id = None
    if org:
        org_id = accounts.get_org(session, org).id
        if actor.role_in(org_id) not in ("admin", "editor", "reviewer", "member"):
            raise Forbidden("只能以本人所在部门的名义申请", "You may apply only on behalf of your own department")
    req = AccessRequest(dataset_id=ds.id, user_id=actor.user_id, org_id=org_id, purpose=purpose,
                        period_start=start, period_end=period_end)
    session.add(req)
    session.flush()
    audit.append(session, audit.actor_label(actor), "access.requested", "access_request", req.id,
                 {"dataset": ds.name, "org": org, "period_end": period_end.isoformat()})
    return req


def get_request(session: Session, request_id: str) -> AccessRequest:
    req = session.get(AccessRequest, request_id)
    if req is None:
        raise NotFound(f"数据申请不存在：{request_id}", f"Access request not found: {request_id}")
    return req


def may_decide(actor: Actor, org_id: str) -> bool:
    return actor.sysadmin or actor.role_in(org_id) in DECIDE_ROLES


def _decidable(session: Session, actor: Actor, request_id: str) -> AccessRequest:
    req = get_request(session, request_id)
    if not may_decide(actor, req.dataset.org_id):
        raise Forbidden("只有数据集所属部门的审核员或管理员可以处理数据申请",
                        "Only the owning department's reviewers or admins decide access requests")
    if req.state != "pending":
        raise Conflict(f"该申请已处理（{req.state}）", f"the request is already {req.state}")
    return req


def approve_request(session: Session, ctx: PublishContext, actor: Actor, request_id: str, *,
                    expires_at: datetime | None = None, fields: list[str] | None = None,
                    comment: str | None = None, now: datetime | None = None) -> Grant:
    """Approve with a scope (fields; None = what the rules allow) and an expiry (default: the period)."""
    req = _decidable(session, actor, request_id)
    now = now or utcnow()
    expiry = expires_at or req.period_end
    if expiry <= now:
        raise ValidationFailed("授权到期时间必须晚于当前时间", "The grant must expire in the future")
    req.state, req.decided_by, req.decided_at, req.decision_comment = "approved", actor.user_id, now, comment
    grant = Grant(request_id=req.id, dataset_id=req.dataset_id, user_id=None if req.org_id else req.user_id,
                  org_id=req.org_id, fields=fields, purpose=req.purpose, created_by=actor.user_id,
                  expires_at=expiry, created=now)
    session.add(grant)
    session.flush()
    audit.append(session, audit.actor_label(actor), "access.granted", "grant", grant.id,
                 {"dataset": req.dataset.name, "request": req.id, "fields": fields,
                  "expires_at": expiry.isoformat()})
    materialize_grant(session, ctx, grant, now)
    return grant


def reject_request(session: Session, actor: Actor, request_id: str, comment: str) -> AccessRequest:
    req = _decidable(session, actor, request_id)
    req.state, req.decided_by, req.decided_at, req.decision_comment = "rejected", actor.user_id, utcnow(), comment
    audit.append(session, audit.actor_label(actor), "access.rejected", "access_request", req.id,
                 {"dataset": req.dataset.name, "comment": comment})
    return req


def materialize_grant(session: Session, ctx: PublishContext, grant: Grant, now: datetime) -> GrantAddendum | None:
    """Add the grant's artifact set to the current release as a separately signed addendum."""
    release = current_release(session, grant.dataset_id)
    if release is None or release.submission is None:
        return None  # the next release materializes the grant with everything else
    record = release.submission.record["dataset"]
    sources = [Source.from_dict(k, v) for k, v in sorted(release.submission.record["sources"].items())]
    spec = grant_spec(grant)
    files, outcomes = materialize(ctx.store, record, sources, ctx.ruleset, [spec], now)
    manifest = {"format": "ecodata-grant-addendum/1", "release": release.id, "release_number": release.number,
                "grant": grant.id, "dataset": release.manifest.get("dataset"), "ruleset_version": ctx.ruleset.version,
                "materialized_at": now.isoformat(), "audiences": outcomes, "files": [f.to_dict() for f in files],
                "key_id": ctx.signer.key_id}
    addendum = GrantAddendum(release_id=release.id, grant_id=grant.id, manifest=manifest,
                             signature=ctx.signer.sign(manifest), key_id=ctx.signer.key_id, created=now)
    session.add(addendum)
    for offset, entry in enumerate(files):
        session.add(ReleaseArtifact(release_id=release.id, position=10_000 + offset, audience=entry.audience,
                                    resource_id=entry.resource_id, format=entry.format, blob_key=entry.blob_key,
                                    sha256=entry.sha256, size=entry.size, rows=entry.rows, fields=entry.fields,
                                    channels=entry.channels, grant_id=grant.id))
    session.flush()
    session.expire(release, ["artifacts"])
    return addendum


def get_grant(session: Session, grant_id: str) -> Grant:
    grant = session.get(Grant, grant_id)
    if grant is None:
        raise NotFound(f"授权不存在：{grant_id}", f"Grant not found: {grant_id}")
    return grant


def revoke_grant(session: Session, actor: Actor, grant_id: str, reason: str = "") -> Grant:
    """Revoke at once: the grant, and every token scoped to it."""
    grant = get_grant(session, grant_id)
    if not may_decide(actor, grant.dataset.org_id):
        raise Forbidden("只有数据集所属部门可以撤销授权", "Only the owning department may revoke a grant")
    if grant.revoked_at is None:
        grant.revoked_at, grant.revoked_by = utcnow(), actor.user_id
        for token in _grant_tokens(session, grant.id):
            token.revoked_at = token.revoked_at or grant.revoked_at
        session.add(CatalogChange(dataset_id=grant.dataset_id))
        audit.append(session, audit.actor_label(actor), "access.revoked", "grant", grant.id,
                     {"dataset": grant.dataset.name, "reason": reason})
    return grant


def _grant_tokens(session: Session, grant_id: str) -> list[ApiToken]:
    holders = session.scalars(sa.select(ApiToken).where(ApiToken.revoked_at.is_(None)))
    return [t for t in holders if (t.scope or {}).get("grant_id") == grant_id]


def holds_grant(actor: Actor, grant: Grant) -> bool:
    return grant.user_id == actor.user_id or (grant.org_id is not None and grant.org_id in actor.roles)


def issue_grant_token(session: Session, actor: Actor, grant_id: str, name: str = "grant",
                      now: datetime | None = None) -> IssuedToken:
    """A token that reaches only this grant's artifacts and expires with the grant."""
    grant = get_grant(session, grant_id)
    now = now or utcnow()
    if not holds_grant(actor, grant):
        raise NotFound(f"授权不存在：{grant_id}", f"Grant not found: {grant_id}")
    if not grant.active(now):
        raise Conflict("授权已过期或已撤销", "the grant has expired or been revoked")
    user = session.get(User, actor.user_id)
    assert user is not None
    issued = accounts.create_token(session, user, name, scope={"grant_id": grant.id},
                                   expires_in=max(grant.expires_at - now, timedelta(seconds=1)))
    audit.append(session, audit.actor_label(actor), "access.token_issued", "grant", grant.id,
                 {"token": issued.record.id})
    return issued


def grants_visible_to(session: Session, actor: Actor) -> list[Grant]:
    """Grants the actor holds, plus those of datasets whose department the actor decides for."""
    rows = session.scalars(sa.select(Grant).order_by(Grant.created.desc()))
    return [g for g in rows if holds_grant(actor, g) or may_decide(actor, g.dataset.org_id)]
