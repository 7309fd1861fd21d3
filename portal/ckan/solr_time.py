"""Times as Solr writes them in range queries: ISO 8601 (``2026-11-30T08:00:00.123Z``, a bare date
means midnight UTC) or ``NOW``, either followed by date math (``NOW-7DAYS/DAY``,
``2026-01-01T00:00:00Z+1MONTH``)."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta

_MATH = re.compile(r"([+-])(\d+)([A-Z]+)|/([A-Z]+)")
_UNITS = {"YEAR": "years", "MONTH": "months", "DAY": "days", "DATE": "days", "HOUR": "hours",
          "MINUTE": "minutes", "SECOND": "seconds", "MILLI": "milliseconds", "MILLISECOND": "milliseconds"}
_ISO = re.compile(r"(\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+)?(?:Z|[+-]\d{2}:?\d{2})?)(.*)")


def _unit(name: str) -> str:
    unit = _UNITS.get(name.removesuffix("S")) or _UNITS.get(name)
    if unit is None:
        raise ValueError(f"unknown unit {name}")
    return unit


def _add_months(moment: datetime, months: int) -> datetime:
    total = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(total, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _shift(moment: datetime, sign: str, amount: int, unit: str) -> datetime:
    n = amount if sign == "+" else -amount
    if unit == "years":
        return _add_months(moment, 12 * n)
    if unit == "months":
        return _add_months(moment, n)
    return moment + timedelta(**{unit: n})


def _round_down(moment: datetime, unit: str) -> datetime:
    """``/DAY`` and the like: the start of the unit ``moment`` falls in."""
    if unit == "milliseconds":
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    smaller = ["years", "months", "days", "hours", "minutes", "seconds"].index(unit)
    floor = [moment.year, 1, 1, 0, 0, 0]
    parts = [moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second][:smaller + 1]
    year, month, day, hour, minute, second = parts + floor[smaller + 1:]
    return datetime(year, month, day, hour, minute, second, tzinfo=moment.tzinfo)


def _iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def solr_time(text: str, now: datetime) -> datetime:
    """The aware UTC datetime ``text`` names; ValueError when it names none."""
    text = text.strip()
    if text.startswith("NOW"):
        moment, math = now.astimezone(UTC), text[3:]
    else:
        m = _ISO.fullmatch(text)
        if m is None:
            raise ValueError(f"not a time: {text}")
        moment, math = _iso(m[1]), m[2]
    pos = 0
    while pos < len(math):
        step = _MATH.match(math, pos)
        if step is None:
            raise ValueError(f"bad date math: {math[pos:]}")
        if step[4]:
            moment = _round_down(moment, _unit(step[4]))
        else:
            moment = _shift(moment, step[1], int(step[2]), _unit(step[3]))
        pos = step.end()
    return moment
