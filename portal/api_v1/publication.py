"""/api/v1/publication: submissions, previews, review, releases, access requests and grants.

Data leaves only as released artifacts: ``/datasets/<name>/release`` lists what the caller's best
audience holds in the current release, ``/datasets/<name>/resources/<rid>/rows`` reads that file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from catalog import access, publication, releases
from catalog.authz import Actor
from catalog.datasets import get_visible
from catalog.errors import NotFound
from catalog.models import utcnow
from catalog.models.publication import AccessRequest, Release, Submission
from portal.app import get_catalog
from portal.auth import require_user, resolve_actor

from .publication_views import (
    artifact_rows,
    grant_dict,
    release_dict,
    request_dict,
    submission_dict,
)

PATH = "/publication"
blp = Blueprint("publication", __name__, description="发布审核、发布版本与数据申请 · Publication")


class PubSubmitSchema(Schema):
    dataset = fields.String(required=True)
    comment = fields.String(load_default=None)


class PubCommentSchema(Schema):
    comment = fields.String(load_default=None)


class PubReasonSchema(Schema):
    reason = fields.String(required=True)


class PubAccessRequestSchema(Schema):
    dataset = fields.String(required=True)
    purpose = fields.String(required=True)
    period_end = fields.AwareDateTime(required=True, default_timezone=None)
    org = fields.String(load_default=None)


class PubGrantDecisionSchema(Schema):
    expires_at = fields.AwareDateTime(load_default=None)
    fields_ = fields.List(fields.String(), data_key="fields", load_default=None)
    comment = fields.String(load_default=None)


class PubGrantTokenSchema(Schema):
    name = fields.String(load_default="grant")


class PubRowsArgsSchema(Schema):
    limit = fields.Integer(load_default=100)
    offset = fields.Integer(load_default=0)


def _ctx() -> publication.PublishContext:
    catalog = get_catalog()
    return publication.context_for(catalog.config, catalog.db.sessionmaker)


def _visible_submission(session: Any, actor: Actor, sid: str) -> Submission:
    sub = publication.get_submission(session, sid)
    ds = sub.dataset
    if not (publication.may_review(actor, ds) or actor.role_in(ds.org_id)):
        raise NotFound(f"发布申请不存在：{sid}", f"Submission not found: {sid}")
    return sub


@blp.route("/submissions")
class Submissions(MethodView):
    @blp.arguments(PubSubmitSchema)
    @blp.response(201)
    @blp.doc(security=[{"token": []}])
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Submit a dataset's current version for publication · 提交发布申请."""
        actor = require_user()
        with get_catalog().write() as session:
            return submission_dict(publication.submit(session, actor, args["dataset"], args["comment"]))

    @blp.response(200)
    @blp.doc(security=[{"token": []}])
    def get(self) -> list[dict[str, Any]]:
        """Submissions of datasets you may edit or review · 待审核与已处理的发布申请."""
        actor = require_user()
        with get_catalog().read() as session:
            rows = session.scalars(sa.select(Submission).order_by(Submission.submitted_at.desc()).limit(500))
            return [submission_dict(s) for s in rows
                    if publication.may_review(actor, s.dataset) or actor.role_in(s.dataset.org_id)]


@blp.route("/submissions/<sid>")
class SubmissionItem(MethodView):
    @blp.response(200)
    def get(self, sid: str) -> dict[str, Any]:
        """One submission."""
        actor = require_user()
        with get_catalog().read() as session:
            return submission_dict(_visible_submission(session, actor, sid))


@blp.route("/submissions/<sid>/preview")
class SubmissionPreview(MethodView):
    @blp.response(200)
    def get(self, sid: str) -> dict[str, Any]:
        """Exactly what each audience would receive if approved now · 各受众发布预览."""
        actor = require_user()
        with get_catalog().read() as session:
            _visible_submission(session, actor, sid)
            return publication.preview_submission(session, _ctx(), actor, sid)


@blp.route("/submissions/<sid>/approve")
class SubmissionApprove(MethodView):
    @blp.arguments(PubCommentSchema)
    @blp.response(201)
    def post(self, args: dict[str, Any], sid: str) -> dict[str, Any]:
        """Approve: makes the signed release · 审核通过并发布."""
        actor = require_user()
        with get_catalog().write() as session:
            release = publication.approve(session, _ctx(), actor, sid, args["comment"])
            return release_dict(release, full=True)


@blp.route("/submissions/<sid>/reject")
class SubmissionReject(MethodView):
    @blp.arguments(PubCommentSchema)
    @blp.response(200)
    def post(self, args: dict[str, Any], sid: str) -> dict[str, Any]:
        """Reject with a comment · 退回."""
        actor = require_user()
        with get_catalog().write() as session:
            return submission_dict(publication.reject(session, actor, sid, args["comment"] or ""))


@blp.route("/datasets/<name>/releases")
class DatasetReleases(MethodView):
    @blp.response(200)
    def get(self, name: str) -> list[dict[str, Any]]:
        """The dataset's releases, newest first (withdrawn ones included, marked)."""
        actor = resolve_actor()
        with get_catalog().read() as session:
            ds = get_visible(session, actor, name)
            full = publication.may_review(actor, ds) or actor.role_in(ds.org_id) is not None
            rows = session.scalars(sa.select(Release).where(Release.dataset_id == ds.id)
                                   .order_by(Release.number.desc()))
            return [release_dict(r, full=full) for r in rows]


@blp.route("/datasets/<name>/release")
class DatasetCurrentRelease(MethodView):
    @blp.response(200)
    def get(self, name: str) -> dict[str, Any]:
        """What you receive from the current release: your audience and its files · 当前发布（按您的受众）."""
        actor = resolve_actor()
        now = utcnow()
        with get_catalog().read() as session:
            ds = get_visible(session, actor, name)
            release = releases.current_release(session, ds.id)
            refs = releases.artifacts_for(session, actor, ds, now=now)
            if release is None:
                raise NotFound(f"数据集 {name} 尚无有效发布", f"Dataset {name} has no active release")
            outcome = (release.manifest.get("audiences") or {})
            return {"dataset": ds.name, "release": release.number, "release_id": release.id,
                    "approved_at": release.approved_at, "ruleset_version": release.ruleset_version,
                    "audiences": releases.audiences_for(session, actor, ds, now=now),
                    "public_outcome": (outcome.get("public") or {}).get("outcome"),
                    "files": [{"resource_id": r.resource_id, "audience": r.audience.split(":")[0],
                               "rows": r.rows, "size": r.size, "sha256": r.sha256, "fields": r.fields,
                               "channels": sorted(r.channels)} for r in refs]}


@blp.route("/datasets/<name>/resources/<rid>/rows")
class ResourceRows(MethodView):
    @blp.arguments(PubRowsArgsSchema, location="query")
    @blp.response(200)
    def get(self, args: dict[str, Any], name: str, rid: str) -> dict[str, Any]:
        """Rows of your audience's released file (data API channel) · 按受众读取已发布数据."""
        actor = resolve_actor()
        catalog = get_catalog()
        with catalog.write() as session:
            ds = get_visible(session, actor, name)
            ref = releases.artifact_for(session, actor, ds, rid, now=utcnow())
            if ref is None or "data_api" not in ref.channels:
                raise NotFound("没有可供您读取的已发布数据", "No released data for you here")
            releases.log_grant_download(session, ref, actor, "data_api")
            return artifact_rows(_ctx().store, ref, args["limit"], args["offset"])


@blp.route("/releases/<release_id>")
class ReleaseItem(MethodView):
    @blp.response(200)
    def get(self, release_id: str) -> dict[str, Any]:
        """One release (files and manifest only for the owning department and reviewers)."""
        actor = resolve_actor()
        with get_catalog().read() as session:
            release = publication.get_release(session, release_id)
            ds = get_visible(session, actor, release.dataset_id)
            full = publication.may_review(actor, ds) or actor.role_in(ds.org_id) is not None
            return release_dict(release, full=full)


@blp.route("/releases/<release_id>/withdraw")
class ReleaseWithdraw(MethodView):
    @blp.arguments(PubReasonSchema)
    @blp.response(200)
    def post(self, args: dict[str, Any], release_id: str) -> dict[str, Any]:
        """Withdraw a release: no longer served, kept in the history · 撤回发布."""
        actor = require_user()
        with get_catalog().write() as session:
            return release_dict(publication.withdraw(session, actor, release_id, args["reason"]), full=True)


@blp.route("/access-requests")
class AccessRequests(MethodView):
    @blp.arguments(PubAccessRequestSchema)
    @blp.response(201)
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Apply for access to a conditional dataset · 申请数据."""
        actor = require_user()
        end: datetime = args["period_end"]
        with get_catalog().write() as session:
            req = access.request_access(session, actor, args["dataset"], purpose=args["purpose"],
                                        period_end=end, org=args["org"])
            return request_dict(req)

    @blp.response(200)
    def get(self) -> list[dict[str, Any]]:
        """Your requests, and requests you may decide."""
        actor = require_user()
        with get_catalog().read() as session:
            rows = session.scalars(sa.select(AccessRequest).order_by(AccessRequest.created.desc()).limit(500))
            return [request_dict(r) for r in rows
                    if r.user_id == actor.user_id or access.may_decide(actor, r.dataset.org_id)]


@blp.route("/access-requests/<request_id>/approve")
class AccessApprove(MethodView):
    @blp.arguments(PubGrantDecisionSchema)
    @blp.response(201)
    def post(self, args: dict[str, Any], request_id: str) -> dict[str, Any]:
        """Approve with scope and expiry · 批准（授权范围与期限）."""
        actor = require_user()
        with get_catalog().write() as session:
            grant = access.approve_request(session, _ctx(), actor, request_id, expires_at=args["expires_at"],
                                           fields=args["fields_"], comment=args["comment"])
            return grant_dict(grant)


@blp.route("/access-requests/<request_id>/reject")
class AccessReject(MethodView):
    @blp.arguments(PubCommentSchema)
    @blp.response(200)
    def post(self, args: dict[str, Any], request_id: str) -> dict[str, Any]:
        """Reject a request · 不予批准."""
        actor = require_user()
        with get_catalog().write() as session:
            return request_dict(access.reject_request(session, actor, request_id, args["comment"] or ""))


@blp.route("/grants")
class Grants(MethodView):
    @blp.response(200)
    def get(self) -> list[dict[str, Any]]:
        """Grants you hold or decide."""
        actor = require_user()
        with get_catalog().read() as session:
            return [grant_dict(g) for g in access.grants_visible_to(session, actor)]


@blp.route("/grants/<grant_id>/revoke")
class GrantRevoke(MethodView):
    @blp.arguments(PubCommentSchema)
    @blp.response(200)
    def post(self, args: dict[str, Any], grant_id: str) -> dict[str, Any]:
        """Revoke a grant and its tokens at once · 撤销授权."""
        actor = require_user()
        with get_catalog().write() as session:
            return grant_dict(access.revoke_grant(session, actor, grant_id, args["comment"] or ""))


@blp.route("/grants/<grant_id>/tokens")
class GrantTokens(MethodView):
    @blp.arguments(PubGrantTokenSchema)
    @blp.response(201)
    def post(self, args: dict[str, Any], grant_id: str) -> dict[str, Any]:
        """A token that reaches only this grant's files and expires with it (shown once)."""
        actor = require_user()
        with get_catalog().write() as session:
            issued = access.issue_grant_token(session, actor, grant_id, args["name"])
            return {"id": issued.record.id, "token": issued.token, "expires_at": issued.record.expires_at,
                    "grant_id": grant_id}
