"""Friendly error pages in Chinese (or English) for every non-API path."""

from __future__ import annotations

import logging

from flask import render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from catalog.errors import EcodataError

log = logging.getLogger(__name__)


def _status(exc: Exception) -> int:
    if isinstance(exc, EcodataError):
        return int(exc.status)
    if isinstance(exc, HTTPException):
        return int(exc.code or 500)
    return 500


def page_error(exc: Exception) -> tuple[str, int]:
    status = _status(exc)
    if isinstance(exc, HTTPException) and status == 405 and request.method == "HEAD":
        status = 404
    if status >= 500:
        original = getattr(exc, "original_exception", None) or exc
        if not isinstance(original, InternalServerError):
            log.error("error on %s", request.path, exc_info=original)
    detail = exc.message if isinstance(exc, EcodataError) and status < 500 else None
    if isinstance(exc, EcodataError) and status == 401:
        status = 403
    template = {403: "web/errors/403.html", 404: "web/errors/404.html", 429: "web/errors/429.html",
                400: "web/errors/400.html"}.get(status, "web/errors/500.html")
    return render_template(template, status=status, detail=detail), status
