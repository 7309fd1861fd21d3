"""Opaque, signed paging cursors.

A cursor carries an offset and is bound (HMAC-SHA256) to the artifact and to the query it came
from, so it cannot be forged, edited, or replayed against another query or a newer release.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from ..errors import ValidationFailed


def _mac(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).digest()[:16]


def _bind(artifact: str, fingerprint: str) -> str:
    return hashlib.sha256(f"{artifact}\x1f{fingerprint}".encode()).hexdigest()[:16]


def encode(offset: int, secret: bytes, artifact: str, fingerprint: str) -> str:
    payload = json.dumps({"o": offset, "b": _bind(artifact, fingerprint)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload + _mac(secret, payload)).decode().rstrip("=")


def decode(token: str, secret: bytes, artifact: str, fingerprint: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload, mac = raw[:-16], raw[-16:]
        if not hmac.compare_digest(mac, _mac(secret, payload)):
            raise ValueError("signature")
        data = json.loads(payload)
        if data["b"] != _bind(artifact, fingerprint):
            raise ValueError("binding")
        offset = int(data["o"])
        if offset < 0:
            raise ValueError("offset")
        return offset
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationFailed("翻页游标无效或已过期（查询条件或数据版本已变化），请从第一页重新查询",
                               "Invalid or stale cursor (the query or the release changed); start from the first page",
                               code="invalid_cursor") from exc
