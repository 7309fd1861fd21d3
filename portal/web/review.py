"""The reviewer queue: pending submissions, the per-audience preview, approve or reject with comment."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from catalog.errors import EcodataError
from catalog.models import User
from portal.app import get_catalog
from portal.auth import resolve_actor

from .i18n import pick
from .workspace import signed_in

bp = Blueprint("web_review", __name__)


def _people(session: Any, ids: set[str | None]) -> dict[str, str]:
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    return {u.id: u.fullname or u.name for u in session.scalars(sa.select(User).where(User.id.in_(wanted)))}


@bp.route("/workspace/review")
@signed_in
def queue() -> str:
    from catalog.models.publication import Submission
    from catalog.publication import may_review

    actor = resolve_actor()
    with get_catalog().read() as session:
        rows = session.scalars(sa.select(Submission).order_by(Submission.submitted_at.desc()).limit(200)).all()
        mine = [s for s in rows if may_review(actor, s.dataset)]
        names = _people(session, {s.submitted_by for s in mine} | {s.decided_by for s in mine})
        items = [{"id": s.id, "state": s.state, "title": s.dataset.title, "name": s.dataset.name,
                  "org": pick(s.dataset.organization.title, s.dataset.organization.title_en),
                  "submitted_at": s.submitted_at, "by": names.get(s.submitted_by or "", "—"),
                  "own": s.submitted_by == actor.user_id, "comment": s.comment,
                  "decision": s.decision_comment, "decided_by": names.get(s.decided_by or "", "")}
                 for s in mine]
    pending = [i for i in items if i["state"] == "pending"]
    decided = [i for i in items if i["state"] != "pending"][:20]
    return render_template("web/workspace/review_queue.html", pending=pending, decided=decided)


@bp.route("/workspace/review/<submission_id>", methods=["GET", "POST"])
@signed_in
def detail(submission_id: str) -> str | Response:
    from catalog.publication import approve, context_for, get_submission, preview_submission, reject

    actor = resolve_actor()
    catalog = get_catalog()
    ctx = context_for(catalog.config, catalog.db.sessionmaker)
    if request.method == "POST":
        comment = (request.form.get("comment") or "").strip()
        try:
            with catalog.write() as session:
                if request.form.get("decision") == "approve":
                    release = approve(session, ctx, actor, submission_id, comment or None)
                    message = _("已批准，生成第 %(n)s 版发布", n=release.number)
                else:
                    if not comment:
                        raise EcodataError("驳回时请填写意见，说明需要修改的内容", "A comment is required to reject")
                    reject(session, actor, submission_id, comment)
                    message = _("已驳回，意见已通知提交人")
        except EcodataError as exc:
            flash(pick(exc.message, exc.message_en), "error")
            return redirect(url_for("web_review.detail", submission_id=submission_id))
        flash(message, "success")
        return redirect(url_for("web_review.queue"))
    with catalog.read() as session:
        sub = get_submission(session, submission_id)
        preview = preview_submission(session, ctx, actor, submission_id)
        names = _people(session, {sub.submitted_by})
        info = {"id": sub.id, "state": sub.state, "comment": sub.comment, "submitted_at": sub.submitted_at,
                "by": names.get(sub.submitted_by or "", "—"), "own": sub.submitted_by == actor.user_id,
                "record": sub.record["dataset"],
                "resources": {r["id"]: r.get("name") for r in sub.record["dataset"].get("resources", [])}}
    return render_template("web/workspace/review_detail.html", sub=info, preview=preview)
