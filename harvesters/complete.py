"""Turn a mapped record into the record the catalogue stores: defaults, department, provenance, name."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import UTC, datetime
from typing import Any

from harvesters.base import RawRecord, SourceConfig

MAPPING_VERSION = "1"
_SLUG_BAD = re.compile(r"[^a-z0-9_-]+")


def fingerprint(source: SourceConfig) -> bytes:
    """Everything besides the raw bytes that shapes the stored record; a change re-maps every record."""
    parts = {"v": MAPPING_VERSION, "type": source.type, "org": source.org, "options": source.options,
             "defaults": source.defaults()}
    return json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()


def content_hash(source_fp: bytes, raw: RawRecord) -> str:
    h = hashlib.sha256(source_fp)
    h.update(b"\0")
    h.update(raw.content)
    return h.hexdigest()


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _SLUG_BAD.sub("-", ascii_text).strip("-_")[:100]


def short_hash(*parts: str, size: int = 10) -> str:
    return hashlib.sha1("\0".join(parts).encode()).hexdigest()[:size]


def default_name(source: SourceConfig, remote_id: str, proposed: str | None) -> str:
    slug = slugify(proposed or "")
    if len(slug) >= 2 and slug[0].isalnum():
        return slug
    return f"{source.name[:80]}-{short_hash(source.name, remote_id)}"


def clash_name(source: SourceConfig, remote_id: str, name: str) -> str:
    return f"{name[:88].rstrip('-_')}-{short_hash(source.name, remote_id, size=8)}"


def provenance(source: SourceConfig, raw: RawRecord, object_id: str, harvested_at: datetime) -> dict[str, Any]:
    out: dict[str, Any] = {
        "harvest_source": source.name,
        "harvest_source_type": source.type,
        "harvest_remote_id": raw.remote_id[:2000],
        "harvest_object_id": object_id,
        "harvest_original": f"/api/v1/harvest/objects/{object_id}/original",
        "harvested_at": harvested_at.astimezone(UTC).isoformat(timespec="seconds"),
    }
    if raw.url:
        out["harvest_remote_url"] = raw.url
    return out


def complete(record: dict[str, Any], source: SourceConfig, raw: RawRecord, object_id: str,
             harvested_at: datetime) -> dict[str, Any]:
    """Fill the national fields from the source defaults and add department and provenance."""
    out = dict(record)
    for key, value in source.defaults().items():
        if not out.get(key):
            out[key] = value
    out.setdefault("organization", source.org)
    if not out.get("organization"):
        out["organization"] = source.org
    out["name"] = default_name(source, raw.remote_id, out.get("name"))
    out["state"] = "active"
    extras = {k: v for k, v in (out.get("extras") or {}).items() if v is not None}
    extras.update(provenance(source, raw, object_id, harvested_at))
    out["extras"] = extras
    return out
