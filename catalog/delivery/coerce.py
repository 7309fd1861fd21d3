"""Turn request values (strings, or lists of strings) into Python values of a column's Arrow type."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pyarrow as pa

from ..errors import Location, Problem, ValidationFailed


def coerce_value(value: Any, arrow_type: pa.DataType, op: str) -> Any:
    if op == "in":
        items = value if isinstance(value, list | tuple) else str(value).split(",")
        return [_one(v, arrow_type) for v in items]
    return _one(value, arrow_type)


def _one(value: Any, arrow_type: pa.DataType) -> Any:
    try:
        return _convert(value, arrow_type)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"筛选值 {value!r} 不是有效的 {arrow_type} 类型值",
                               f"Filter value {value!r} is not a valid {arrow_type}", code="bad_filter_value",
                               problems=[Problem("bad_filter_value", str(exc), location=Location(field=str(value)))]
                               ) from exc


def _convert(value: Any, t: pa.DataType) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    if pa.types.is_integer(t):
        return int(text)
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return float(text)
    if pa.types.is_boolean(t):
        if text.lower() in ("true", "1", "yes", "是"):
            return True
        if text.lower() in ("false", "0", "no", "否"):
            return False
        raise ValueError("expected true or false")
    if pa.types.is_timestamp(t):
        return _datetime(text)
    if pa.types.is_date(t):
        return date.fromisoformat(text[:10])
    return text


def _datetime(text: str) -> datetime:
    """ISO dates and datetimes; a bare date means its midnight.  Naive = Beijing time, as stored."""
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time())
    if len(text) == 7:  # 2024-03: the month's first instant
        return datetime.fromisoformat(text + "-01")
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed.replace(tzinfo=None) if parsed.tzinfo else parsed
