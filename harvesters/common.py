"""Small shared helpers for mappings: licences, dates, formats, URLs, e-mail, themes."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from harvesters.base import SourceConfig

URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s]+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MEDIA = re.compile(r"^[a-z]+/[A-Za-z0-9.+-]+$")
DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
LICENSES = {
    "cc-by": "cc-by-4.0", "cc-by-4.0": "cc-by-4.0", "cc_by_4_0": "cc-by-4.0", "cc-by-40": "cc-by-4.0",
    "creativecommons.org/licenses/by/4.0": "cc-by-4.0", "cc-by-sa": "cc-by-sa-4.0", "cc-by-sa-4.0": "cc-by-sa-4.0",
    "creativecommons.org/licenses/by-sa/4.0": "cc-by-sa-4.0", "cc-zero": "cc0-1.0", "cc0": "cc0-1.0",
    "cc0-1.0": "cc0-1.0", "creativecommons.org/publicdomain/zero/1.0": "cc0-1.0", "odc-odbl": "odc-odbl",
    "odbl": "odc-odbl", "odbl-1.0": "odc-odbl", "opendatacommons.org/licenses/odbl": "odc-odbl",
    "odc-by": "odc-by", "odc-by-1.0": "odc-by", "opendatacommons.org/licenses/by": "odc-by",
    "cn-gov-open-1.0": "cn-gov-open-1.0", "other-closed": "other-closed",
    "publications.europa.eu/resource/authority/licence/cc_by_4_0": "cc-by-4.0",
    "publications.europa.eu/resource/authority/licence/cc0": "cc0-1.0",
    "publications.europa.eu/resource/authority/licence/odc_bl": "odc-odbl",
}


def license_id(value: Any) -> str | None:
    """Our licence id for a licence id, name or URL seen upstream; None when it does not map."""
    if not isinstance(value, str) or not value.strip():
        return None
    key = value.strip().lower().rstrip("/")
    key = re.sub(r"^https?://(www\.)?", "", key)
    return LICENSES.get(key) or LICENSES.get(key.replace(" ", "-"))


def to_date(value: Any) -> str | None:
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if not isinstance(value, str):
        return None
    m = DATE.match(value.strip())
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    if re.fullmatch(r"\d{4}", value.strip()):
        return f"{value.strip()}-01-01"
    return None


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def url_or_none(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and URI.match(value.strip()) else None


def email_or_none(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and EMAIL.match(value.strip()) else None


def media_or_none(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.split(";")[0].strip().lower()
    return value if MEDIA.match(value) else None


def fmt(value: Any) -> str | None:
    """A short format label (CSV, JSON …) from a format string, media type or file type IRI."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().rstrip("/").rsplit("/", 1)[-1]
    text = {"vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX", "vnd.ms-excel": "XLS",
            "plain": "TXT"}.get(text.lower(), text)
    return text.upper()[:50] or None


def texts(values: Any) -> list[str]:
    """Unique non-empty strings (≤100 characters, as keywords must be)."""
    out: list[str] = []
    for v in values or []:
        if isinstance(v, str) and v.strip() and v.strip()[:100] not in out:
            out.append(v.strip()[:100])
    return out


def themes_for(source: SourceConfig, words: list[str]) -> list[str]:
    """Themes from the source's keyword→theme mapping, else the source's default theme."""
    mapping = source.option("theme_map") or {}
    found = [mapping[w] for w in words if w in mapping]
    return list(dict.fromkeys(found)) or [source.theme]


def clip(text: str | None, size: int) -> str | None:
    if not text:
        return None
    return text if len(text) <= size else text[: size - 1] + "…"


def checksum(value: Any) -> dict[str, str] | None:
    if not isinstance(value, str) or not value.strip():
        return None
    algo, _, digest = value.strip().partition(":")
    if not digest:
        digest, algo = algo, {32: "md5", 40: "sha1", 64: "sha256"}.get(len(algo), "")
    algo = algo.lower().replace("-", "")
    if algo not in ("sha256", "sha512", "sha1", "md5") or not re.fullmatch(r"[0-9a-fA-F]{32,128}", digest):
        return None
    return {"algorithm": algo, "value": digest.lower()}
