"""Delays as written in rule files: ``90m``, ``1h``, ``24h``, ``2d`` or ISO 8601 ``P1D`` / ``PT1H30M``."""

from __future__ import annotations

import re
from datetime import timedelta

_SHORT = re.compile(r"^(\d+)([smhdw])$")
_ISO = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """Parse a delay; raises ValueError naming the accepted forms."""
    value = str(text).strip()
    short = _SHORT.match(value)
    if short:
        return timedelta(**{_UNITS[short.group(2)]: int(short.group(1))})
    iso = _ISO.match(value)
    if iso and value not in ("P", "PT") and not value.endswith("T"):
        weeks, days, hours, minutes, seconds = (int(g) if g else 0 for g in iso.groups())
        return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    raise ValueError(f"bad duration {text!r}: use 30m, 1h, 24h, 2d or ISO 8601 such as P1D, PT1H")


def format_duration(delta: timedelta) -> str:
    """Short human form: ``1h``, ``1d``, ``90m``, ``0s``."""
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
