"""Which edition of a standard applies at an observation time.

HJ 633-2026 replaces HJ 633-2012 from 2026-03-01 00:00 China Standard Time (§3.1); the choice is made
per row from the row's own observation time, never from the wall clock.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa

from catalog.standards.errors import StandardsInputError

CST = ZoneInfo("Asia/Shanghai")
HJ633_2026_FROM = datetime(2026, 3, 1, 0, 0, tzinfo=CST)
EDITIONS = ("2012", "2026")


def as_aware(at: datetime | date, tz: str = "Asia/Shanghai") -> datetime:
    """A date means its local midnight; a naive datetime is local wall time in ``tz``."""
    if not isinstance(at, datetime):
        at = datetime.combine(at, time(0, 0))
    return at if at.tzinfo is not None else at.replace(tzinfo=ZoneInfo(tz))


def edition_at(at: datetime | date, tz: str = "Asia/Shanghai") -> str:
    return "2026" if as_aware(at, tz) >= HJ633_2026_FROM else "2012"


def _epoch_us(arr: pa.ChunkedArray | pa.Array, tz: str) -> np.ndarray:
    """Microseconds since the epoch; naive timestamps and dates are read as wall time in ``tz``."""
    typ = arr.type
    if pa.types.is_date(typ):
        arr = arr.cast(pa.timestamp("us"))
        typ = arr.type
    if not pa.types.is_timestamp(typ):
        raise StandardsInputError(
            f"观测时间字段的类型 {typ} 不是日期或时间，请先转换为时间类型",
            f"observation time has type {typ}; expected a timestamp or date",
        )
    micros = arr.cast(pa.timestamp("us", typ.tz)).cast(pa.int64())
    values = np.asarray(micros.to_numpy(zero_copy_only=False), dtype=np.float64)
    if typ.tz is None:
        offset = _fixed_offset_us(tz)
        values = values - offset
    return values


def _fixed_offset_us(tz: str) -> float:
    # The cut-over is compared in UTC; a naive column is shifted by the zone's offset at the cut-over,
    # which is exact for China Standard Time (no daylight saving since 1991).
    off = HJ633_2026_FROM.astimezone(ZoneInfo(tz)).utcoffset()
    assert off is not None
    return off.total_seconds() * 1e6


def is_2026(arr: pa.ChunkedArray | pa.Array, tz: str = "Asia/Shanghai") -> np.ndarray:
    """Boolean mask: True where the 2026 edition applies.  Null times raise: the edition is unknowable."""
    if arr.null_count:
        raise StandardsInputError(
            f"观测时间有 {arr.null_count} 行为空，无法确定适用的标准版本",
            f"{arr.null_count} rows have no observation time; the applicable edition is unknown",
        )
    cutover = HJ633_2026_FROM.timestamp() * 1e6
    return _epoch_us(arr, tz) >= cutover


def local_day_and_hour(arr: pa.ChunkedArray | pa.Array, tz: str) -> tuple[np.ndarray, np.ndarray]:
    """Local calendar day (days since 1970-01-01) and hour of day, vectorized."""
    micros = _epoch_us(arr, tz) + _fixed_offset_us(tz)
    hours = np.floor_divide(micros, 3_600_000_000).astype(np.int64)
    return np.floor_divide(hours, 24), np.mod(hours, 24)
