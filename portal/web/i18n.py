"""Simplified Chinese by default; English on request (``?lang=en``, remembered in a cookie)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, g, request
from flask_babel import Babel, get_locale

LOCALES = ("zh", "en")
COOKIE = "lang"


def select_locale() -> str:
    wanted = request.args.get("lang") or request.cookies.get(COOKIE) or "zh"
    return wanted if wanted in LOCALES else "zh"


def remember_locale(response: Response) -> Response:
    wanted = request.args.get("lang")
    if wanted in LOCALES:
        response.set_cookie(COOKIE, wanted, max_age=365 * 86400, samesite="Lax", httponly=True,
                            secure=request.is_secure)
    return response


def is_english() -> bool:
    if "web_en" not in g:
        g.web_en = str(get_locale()) == "en"
    return bool(g.web_en)


def pick(zh: str | None, en: str | None) -> str:
    """The English text of a pair when English is chosen and exists, else the Chinese."""
    return (en or zh or "") if is_english() else (zh or en or "")


def init_i18n(app: Flask) -> None:
    folder = Path(__file__).resolve().parent.parent / "translations"
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "zh")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(folder)
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["pick"] = pick
    app.jinja_env.globals["is_english"] = is_english
