"""The portal's web site: public pages and the department workspace (server-rendered, zh first)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, Response, request

from . import account, errors, public, security, seo, tokens, workspace
from .i18n import init_i18n, remember_locale
from .labels import label

BLUEPRINTS = (public.bp, seo.bp, account.bp, workspace.bp, tokens.bp)
SITE_BLUEPRINTS = frozenset(bp.name for bp in BLUEPRINTS)


def _site_request() -> bool:
    return request.blueprint in SITE_BLUEPRINTS or request.endpoint in (None, "static")


def _format_bytes(size: Any) -> str:
    if not isinstance(size, int):
        return ""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return ""


def _date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    return str(value or "")[:10]


def init_app(app: Flask) -> None:
    init_i18n(app)
    security.init_security(app)
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    app.extensions["ecodata.page_error_handler"] = errors.page_error
    app.jinja_env.globals.update(label=label, site_title=lambda: app.extensions["ecodata.config"]
                                 ["ECODATA_SITE_TITLE"])
    app.jinja_env.filters.update(bytes=_format_bytes, date=_date)

    @app.before_request
    def _csrf() -> None:
        if request.blueprint in SITE_BLUEPRINTS:
            security.check_csrf()

    @app.after_request
    def _headers(response: Response) -> Response:
        if request.blueprint in SITE_BLUEPRINTS:
            security.add_security_headers(response)
            remember_locale(response)
        return response
