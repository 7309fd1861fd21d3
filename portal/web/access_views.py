"""Applying for a conditional dataset, the owner's access-request inbox, and the applicant's grants."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from catalog import datasets
from catalog.errors import EcodataError
from catalog.models import Organization, User, utcnow
from portal.app import get_catalog
from portal.auth import resolve_actor

from .i18n import pick
from .workspace import signed_in

bp = Blueprint("web_access", __name__)
BEIJING = timezone(timedelta(hours=8))


def _end_of_day(text: str) -> datetime | None:
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(day, time(23, 59, 59), BEIJING).astimezone(UTC)


@bp.route("/dataset/<name>/apply", methods=["GET", "POST"])
@signed_in
def apply(name: str) -> str | Response | tuple[str, int]:
    from catalog.access import request_access

    actor = resolve_actor()
    catalog = get_catalog()
    with catalog.read() as session:
        record = datasets.show(session, actor, name)
        orgs = [(o.name, pick(o.title, o.title_en)) for o in session.scalars(
            sa.select(Organization).where(Organization.id.in_(list(actor.roles))))]
    default_end = (utcnow() + timedelta(days=180)).date().isoformat()
    if request.method == "GET":
        return render_template("web/access_apply.html", ds=record, orgs=orgs, error=None,
                               values={"period_end": default_end})
    values = request.form.to_dict()
    end = _end_of_day(values.get("period_end", ""))
    try:
        if end is None:
            raise EcodataError("请填写有效的使用截止日期", "Give a valid end date")
        with catalog.write() as session:
            request_access(session, actor, name, purpose=values.get("purpose", ""), period_end=end,
                           org=values.get("org") or None)
    except EcodataError as exc:
        return render_template("web/access_apply.html", ds=record, orgs=orgs, values=values,
                               error=pick(exc.message, exc.message_en)), 422
    flash(_("申请已提交，提供部门审核后您将可以下载数据"), "success")
    return redirect(url_for("web_access.mine"))


@bp.route("/workspace/access-requests", methods=["GET", "POST"])
@signed_in
def inbox() -> str | Response:
    from catalog.access import approve_request, may_decide, reject_request
    from catalog.models.publication import AccessRequest
    from catalog.publication import context_for

    actor = resolve_actor()
    catalog = get_catalog()
    if request.method == "POST":
        form = request.form
        try:
            with catalog.write() as session:
                if form.get("decision") == "approve":
                    ctx = context_for(catalog.config, catalog.db.sessionmaker)
                    approve_request(session, ctx, actor, form.get("request_id", ""),
                                    expires_at=_end_of_day(form.get("expires", "")),
                                    comment=form.get("comment") or None)
                    flash(_("已批准，申请人现在可以下载授权范围内的数据"), "success")
                else:
                    if not (form.get("comment") or "").strip():
                        raise EcodataError("驳回时请填写理由", "A reason is required to reject")
                    reject_request(session, actor, form.get("request_id", ""), form["comment"].strip())
                    flash(_("已驳回该申请"), "info")
        except EcodataError as exc:
            flash(pick(exc.message, exc.message_en), "error")
        return redirect(url_for("web_access.inbox"))
    with catalog.read() as session:
        rows = session.scalars(sa.select(AccessRequest).order_by(AccessRequest.created.desc()).limit(300)).all()
        items = [_request_row(session, r) for r in rows if may_decide(actor, r.dataset.org_id)]
    return render_template("web/workspace/access_inbox.html",
                           pending=[i for i in items if i["state"] == "pending"],
                           decided=[i for i in items if i["state"] != "pending"][:20])


def _request_row(session: Any, req: Any) -> dict[str, Any]:
    user = session.get(User, req.user_id)
    org = session.get(Organization, req.org_id) if req.org_id else None
    return {"id": req.id, "state": req.state, "dataset": req.dataset.name, "title": req.dataset.title,
            "applicant": (user.fullname or user.name) if user else "—",
            "org": pick(org.title, org.title_en) if org else "", "purpose": req.purpose,
            "period_end": req.period_end, "created": req.created, "comment": req.decision_comment}


@bp.route("/workspace/my-access")
@signed_in
def mine() -> str:
    from catalog.access import holds_grant
    from catalog.models.publication import AccessRequest, Grant

    actor = resolve_actor()
    now = utcnow()
    with get_catalog().read() as session:
        requests_ = [_request_row(session, r) for r in session.scalars(
            sa.select(AccessRequest).where(AccessRequest.user_id == actor.user_id)
            .order_by(AccessRequest.created.desc()))]
        grants = [{"dataset": g.dataset.name, "title": g.dataset.title, "expires": g.expires_at,
                   "active": g.active(now)}
                  for g in session.scalars(sa.select(Grant).order_by(Grant.created.desc())) if holds_grant(actor, g)]
    return render_template("web/workspace/my_access.html", requests=requests_, grants=grants)
