"""The portal's web site: public pages and the department workspace (server-rendered, zh first)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Response, request
from flask_babel import gettext

from . import account, errors, plugins, public, security, seo, tokens, workspace
from .i18n import init_i18n, remember_locale
from .labels import label

CORE_BLUEPRINTS = (public.bp, seo.bp, account.bp, workspace.bp, tokens.bp)
SITE_BLUEPRINTS = frozenset({bp.name for bp in CORE_BLUEPRINTS} | {"web_publish", "web_review", "web_access",
                                                                   "web_harvest"})


def _blueprints() -> list[Any]:
    """The core pages, plus those whose backing modules (publication, access) are installed."""
    out = list(CORE_BLUEPRINTS)
    if plugins.has("publication"):
        from . import publish, review

        out += [publish.bp, review.bp]
    if plugins.has("access"):
        from . import access_views

        out.append(access_views.bp)
    if plugins.has("harvest"):
        from . import harvest_views

        out.append(harvest_views.bp)
    return out


def audience_name(key: str | None) -> str:
    names = {"public": gettext("公众"), "government": gettext("政务用户"), "owner": gettext("本部门")}
    if key and key.startswith("grant:"):
        return gettext("授权用户")
    return names.get(key or "", key or "")


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
    # A signed-in session lasts a working day, not the 31-day Flask default.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=8)
    init_i18n(app)
    security.init_security(app)
    for bp in _blueprints():
        app.register_blueprint(bp)
    app.extensions["ecodata.page_error_handler"] = errors.page_error
    app.jinja_env.globals.update(label=label, audience_name=audience_name, plugins=plugins, site_title=lambda: app.extensions["ecodata.config"]
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
