"""API tokens of the signed-in user, and department members with their roles."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from catalog import accounts
from catalog.authz import Actor
from catalog.errors import NotFound, ValidationFailed
from catalog.models import ApiToken, Membership, User
from catalog.models.accounts import ROLES
from portal.app import get_catalog
from portal.auth import resolve_actor

from .i18n import pick
from .workspace import signed_in

bp = Blueprint("web_people", __name__)


@bp.route("/workspace/tokens", methods=["GET", "POST"])
@signed_in
def tokens() -> str:
    actor = resolve_actor()
    issued = None
    with get_catalog().write() as session:
        user = session.get(User, actor.user_id)
        if user is None:  # signed in as an account that has since been deleted
            abort(403)
        if request.method == "POST" and request.form.get("action") == "create":
            label = (request.form.get("name") or "").strip()[:200] or _("未命名令牌")
            issued = accounts.create_token(session, user, label).token
        elif request.method == "POST" and request.form.get("action") == "revoke":
            accounts.revoke_token(session, request.form.get("token_id", ""), by=user)
            flash(_("令牌已撤销"), "info")
        rows = session.scalars(sa.select(ApiToken).where(ApiToken.user_id == actor.user_id)
                               .order_by(ApiToken.created.desc())).all()
        listing = [{"id": t.id, "name": t.name, "created": t.created, "last_used": t.last_used,
                    "revoked": t.revoked_at is not None, "expires": t.expires_at} for t in rows]
    return render_template("web/workspace/tokens.html", tokens=listing, issued=issued)


def _require_admin(actor: Actor, org_id: str) -> None:
    if not (actor.sysadmin or actor.role_in(org_id) == "admin"):
        abort(403)


@bp.route("/organization/members/<code>", methods=["GET", "POST"])
@signed_in
def members(code: str) -> str | Response:
    actor = resolve_actor()
    with get_catalog().write() as session:
        org = accounts.get_org(session, code)
        _require_admin(actor, org.id)
        if request.method == "POST":
            message = _change_member(session, org, request.form)
            if message:
                flash(message, "error")
            return redirect(url_for("web_people.members", code=code))
        rows = session.scalars(sa.select(Membership).where(Membership.org_id == org.id)).all()
        people = sorted(({"name": m.user.name, "fullname": m.user.fullname, "role": m.role} for m in rows),
                        key=lambda p: (ROLES.index(p["role"]), p["name"]))
        title = pick(org.title, org.title_en)
    return render_template("web/workspace/members.html", org_code=code, org_title=title, people=people,
                           roles=ROLES)


def _change_member(session: sa.orm.Session, org: object, form: dict) -> str | None:
    username = (form.get("username") or "").strip()
    try:
        user = accounts.get_user(session, username)
    except NotFound:
        return _("用户“%(name)s”不存在", name=username)
    if form.get("action") == "remove":
        member = session.get(Membership, (user.id, org.id))  # type: ignore[attr-defined]
        if member is not None:
            session.delete(member)
        return None
    try:
        accounts.set_membership(session, user, org, form.get("role", ""))  # type: ignore[arg-type]
    except ValidationFailed as exc:
        return pick(exc.message, exc.message_en)
    return None
