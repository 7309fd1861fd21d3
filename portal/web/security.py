"""CSRF tokens for every form, a small per-client rate limiter, and security headers for site pages."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque

from flask import Flask, Response, abort, request, session

CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# (bucket, requests, seconds): tuned so a person is never throttled and a script is.
DEFAULT_LIMITS = {"login": (10, 60), "search": (120, 60)}


def csrf_token() -> str:
    """The session's CSRF token, created on first use."""
    token = session.get("_csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["_csrf"] = token
    return str(token)


def check_csrf() -> None:
    """Refuse a state-changing request whose form token does not match the session's."""
    if request.method not in UNSAFE_METHODS:
        return
    sent = request.form.get(CSRF_FIELD) or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("_csrf") or ""
    if not expected or not hmac.compare_digest(str(sent), str(expected)):
        abort(400, description="csrf")


class RateLimiter:
    """Sliding-window counts per (bucket, client address), kept in process memory."""

    def __init__(self, limits: dict[str, tuple[int, int]]) -> None:
        self.limits = limits
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, bucket: str, client: str, now: float | None = None) -> bool:
        if bucket not in self.limits:
            return True
        count, window = self.limits[bucket]
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.setdefault((bucket, client), deque())
            while hits and hits[0] <= now - window:
                hits.popleft()
            if len(hits) >= count:
                return False
            hits.append(now)
            return True


def limit(app: Flask, bucket: str) -> None:
    """Abort with 429 when the caller has used up the bucket."""
    limiter: RateLimiter = app.extensions["ecodata.web.limiter"]
    if not limiter.allow(bucket, request.remote_addr or "-"):
        abort(429)


def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
    return response


def init_security(app: Flask) -> None:
    limits = {**DEFAULT_LIMITS, **app.config.get("WEB_RATE_LIMITS", {})}
    app.extensions["ecodata.web.limiter"] = RateLimiter(limits)
    app.jinja_env.globals["csrf_token"] = csrf_token
