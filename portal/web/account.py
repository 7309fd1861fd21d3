"""Sign in with a password (argon2 hashes, checked by catalog.accounts) and sign out."""

from __future__ import annotations

from urllib.parse import urlparse

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from catalog.accounts import check_password
from catalog.models import User
from portal.app import get_catalog

from .security import limit

bp = Blueprint("web_account", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the sign-in form cannot be used to bounce people elsewhere."""
    if not target:
        return url_for("web_workspace.dashboard")
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("web_workspace.dashboard")
    return target


@bp.route("/user/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    error = None
    if request.method == "POST":
        limit(current_app, "login")
        user_id = _check(request.form.get("username", "").strip(), request.form.get("password", ""))
        if user_id:
            session.clear()          # a fresh session on sign-in: no fixation
            session["user_id"] = user_id
            session.permanent = True
            return redirect(_safe_next(request.form.get("next")))
        error = _("用户名或密码不正确")
    return render_template("web/login.html", error=error, next=request.values.get("next", "")), \
        (401 if error else 200)


def _check(username: str, password: str) -> str | None:
    if not username or not password:
        return None
    with get_catalog().read() as session:
        user = session.scalar(sa.select(User).where(User.name == username))
        if user is None or user.state != "active" or not check_password(user, password):
            return None
        return user.id


@bp.route("/user/logout", methods=["POST"])
def logout() -> Response:
    session.clear()
    flash(_("您已退出登录"), "info")
    return redirect(url_for("web.home"))
