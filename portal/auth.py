"""Resolves the caller of each request: an API token, a signed-in session, or anonymous."""

from __future__ import annotations

from flask import Flask, current_app, g, request, session

from catalog.accounts import authenticate_token
from catalog.authz import ANONYMOUS, Actor, actor_for
from catalog.errors import Unauthorized
from catalog.models import User


def _token_from_request() -> str | None:
    header = request.headers.get("Authorization") or request.headers.get("X-CKAN-API-Key")
    if not header:
        return None
    header = header.strip()
    if header.lower().startswith("bearer "):
        header = header[7:].strip()
    return header or None


def _cookie_allowed() -> bool:
    """API writes need a token: a browser sends the session cookie on cross-site requests too, and the
    APIs carry no CSRF token, so a cookie only signs in API reads (pages' forms have CSRF tokens)."""
    return not request.path.startswith("/api/") or request.method in ("GET", "HEAD", "OPTIONS")


def resolve_actor() -> Actor:
    """The current caller.  A bad token is an error, never a silent fall-back to anonymous."""
    if "actor" in g:
        return g.actor  # type: ignore[no-any-return]
    token = _token_from_request()
    user_id = session.get("user_id") if not token else None
    if user_id and not _cookie_allowed():
        user_id = None
    if not token and not user_id:
        g.actor = ANONYMOUS                              # most requests: no database session at all
        return g.actor  # type: ignore[no-any-return]
    catalog = current_app.extensions["ecodata.catalog"]
    with catalog.db.session() as db:
        if token:
            user, record = authenticate_token(db, token)
            g.actor = actor_for(db, user, record.scope)
        else:
            user = db.get(User, user_id)
            g.actor = actor_for(db, user) if user and user.state == "active" else ANONYMOUS
    return g.actor  # type: ignore[no-any-return]


def require_user() -> Actor:
    actor = resolve_actor()
    if actor.anonymous:
        raise Unauthorized("请先登录或提供 API 令牌", "Sign in or send an API token")
    return actor


def init_app(app: Flask) -> None:
    @app.context_processor
    def _inject_actor() -> dict[str, object]:
        return {"current_actor": g.get("actor", ANONYMOUS)}
