"""Parsed values as day-partitioned Parquet per point: ``<root>/series/<MN>/date=YYYY-MM-DD/part-*.parquet``.

The flag column is kept (statistics use only ``N``) and ``frame_sha256`` links each value to its frame.
"""

from __future__ import annotations

import itertools
import os
import time
from datetime import datetime
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from harvesters.hj212.evidence import safe_mn
from harvesters.hj212.records import SeriesRecord

SCHEMA = pa.schema([
    ("mn", pa.string()), ("cn", pa.string()), ("data_time", pa.timestamp("ms")), ("code", pa.string()),
    ("kind", pa.string()), ("value", pa.float64()), ("flag", pa.string()), ("frame_sha256", pa.string()),
    ("raw_code", pa.string()), ("standard", pa.bool_()),
])
_COLUMNS = [f.name for f in SCHEMA]


class ParquetSeriesSink:
    """Collects records on the event loop; :meth:`flush` (safe to run in a worker thread) writes them."""

    def __init__(self, root: str | Path, *, max_buffer: int = 200_000) -> None:
        self.root = Path(root) / "series"
        self.max_buffer = max_buffer
        self._buffer: list[SeriesRecord] = []
        self._seq = itertools.count()
        self.written = 0

    def __call__(self, records: list[SeriesRecord]) -> None:
        self._buffer.extend(records)

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def take(self) -> list[SeriesRecord]:
        batch, self._buffer = self._buffer, []
        return batch

    def write(self, batch: list[SeriesRecord]) -> list[Path]:
        """One Parquet file per point and day.  The whole batch becomes one Arrow table in one
        conversion; each file is a ``take`` of its rows (per-file conversions cost more than the writes)."""
        groups = self._group_rows(batch)
        if not groups:
            self.written += len(batch)
            return []
        columns = dict(zip(_COLUMNS, map(list, zip(*batch, strict=True)), strict=True))
        table = pa.table(columns, schema=SCHEMA)
        paths = [self._write_group(mn, day, table.take(pa.array(rows, pa.int64())))
                 for (mn, day), rows in groups.items()]
        self.written += len(batch)
        return paths

    @staticmethod
    def _group_rows(batch: list[SeriesRecord]) -> dict[tuple[str, str], list[int]]:
        """Row numbers per (MN, day), in batch order.  Day strings and MN checks are computed once per
        distinct value: a frame's records share one datetime, a point's share one MN."""
        groups: dict[tuple[str, str], list[int]] = {}
        days: dict[datetime | None, str] = {}
        safe: dict[str, bool] = {}
        for row, record in enumerate(batch):
            mn, when = record[0], record[2]
            ok = safe.get(mn)
            if ok is None:
                ok = safe[mn] = safe_mn(mn)
            if not ok:
                continue
            day = days.get(when)
            if day is None:
                day = days[when] = when.strftime("%Y-%m-%d") if when else "unknown"
            rows = groups.get((mn, day))
            if rows is None:
                groups[(mn, day)] = [row]
            else:
                rows.append(row)
        return groups

    def flush(self) -> list[Path]:
        return self.write(self.take())

    def _write_group(self, mn: str, day: str, table: pa.Table) -> Path:
        folder = self.root / mn / f"date={day}"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"part-{time.time_ns()}-{os.getpid()}-{next(self._seq)}.parquet"
        tmp = folder / f".{name}.tmp"
        pq.write_table(table, tmp)
        os.replace(tmp, folder / name)
        return folder / name


def read_series(root: str | Path, mn: str | None = None) -> pa.Table:
    """All stored values (of one point, if given) as one table."""
    base = Path(root) / "series"
    files = sorted((base / mn).glob("date=*/part-*.parquet") if mn else base.glob("*/date=*/part-*.parquet"))
    if not files:
        return SCHEMA.empty_table()
    return pa.concat_tables([pq.read_table(f, schema=SCHEMA) for f in files])
