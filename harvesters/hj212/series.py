"""Parsed values as day-partitioned Parquet per point: ``<root>/series/<MN>/date=YYYY-MM-DD/part-*.parquet``.

The flag column is kept (statistics use only ``N``) and ``frame_sha256`` links each value to its frame.
"""

from __future__ import annotations

import itertools
import os
import time
from collections import defaultdict
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
        groups: dict[tuple[str, str], list[SeriesRecord]] = defaultdict(list)
        for record in batch:
            if safe_mn(record.mn):
                day = record.data_time.strftime("%Y-%m-%d") if record.data_time else "unknown"
                groups[(record.mn, day)].append(record)
        paths = [self._write_group(mn, day, rows) for (mn, day), rows in groups.items()]
        self.written += len(batch)
        return paths

    def flush(self) -> list[Path]:
        return self.write(self.take())

    def _write_group(self, mn: str, day: str, rows: list[SeriesRecord]) -> Path:
        folder = self.root / mn / f"date={day}"
        folder.mkdir(parents=True, exist_ok=True)
        columns = dict(zip(_COLUMNS, map(list, zip(*rows, strict=True)), strict=True))
        table = pa.table(columns, schema=SCHEMA)
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
