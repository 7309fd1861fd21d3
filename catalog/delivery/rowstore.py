"""The data API's serving copy of a released Parquet file: a memory-mapped Arrow IPC file.

Built once per artifact (streamed batch by batch, constant memory) into the rendering cache.
Reading it costs no copy, so a one-station-one-month request touches only the pages of the rows
it returns.  When the rows are ordered by station then time (the ingest orders by primary key),
equality on the station and a time window narrow to a contiguous slice by binary search.
"""

from __future__ import annotations

import bisect
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .cache import RenderingCache
from .formats import BATCH_ROWS, iter_batches, released_columns

STATION_NAMES = ("station_code", "station_id", "site_code", "mn", "point_code")
SORTED_KEY = b"ecodata.sorted_by"


def fields_tag(fields: list[str]) -> str:
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()[:12]


def station_field(schema: pa.Schema) -> str | None:
    return next((n for n in STATION_NAMES if n in schema.names), None)


def time_field(schema: pa.Schema) -> str | None:
    for f in schema:
        if pa.types.is_timestamp(f.type) or pa.types.is_date(f.type):
            return str(f.name)
    return None


@dataclass
class ServingTable:
    table: pa.Table
    sorted_by: tuple[str, ...]
    station: str | None
    time: str | None

    @property
    def num_rows(self) -> int:
        return int(self.table.num_rows)

    def narrow(self, equals: dict[str, Any], lower: Any, upper: Any, upper_inclusive: bool) -> tuple[int, int]:
        """Row range [lo, hi) that can hold the matches, using the sort order where it helps."""
        lo, hi = 0, self.num_rows
        if not self.sorted_by or self.sorted_by[0] not in equals:
            return lo, hi
        first = _Column(self.table.column(self.sorted_by[0]))
        key = equals[self.sorted_by[0]]
        lo, hi = bisect.bisect_left(first, key, lo, hi), bisect.bisect_right(first, key, lo, hi)
        if len(self.sorted_by) > 1 and (lower is not None or upper is not None):
            second = _Column(self.table.column(self.sorted_by[1]))
            if lower is not None:
                lo = bisect.bisect_left(second, lower, lo, hi)
            if upper is not None:
                hi = (bisect.bisect_right if upper_inclusive else bisect.bisect_left)(second, upper, lo, hi)
        return lo, max(lo, hi)


class _Column:
    """Sequence view of a chunked Arrow column for ``bisect``; O(log n) scalar reads, no copy."""

    def __init__(self, column: pa.ChunkedArray) -> None:
        self.column = column

    def __len__(self) -> int:
        return len(self.column)

    def __getitem__(self, i: int) -> Any:
        return self.column[i].as_py()


def build_ipc(parquet: Path, fields: list[str], target: Path) -> None:
    """Stream the released columns into an Arrow IPC file, recording the row order if it helps."""
    columns = released_columns(parquet, fields)
    schema = pa.schema([pq.ParquetFile(parquet).schema_arrow.field(c) for c in columns])
    keys = _sort_keys(schema)
    if keys and not _is_sorted(parquet, list(keys)):
        keys = ()
    schema = schema.with_metadata({SORTED_KEY: ",".join(keys).encode()})
    with pa.OSFile(str(target), "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
        for batch in iter_batches(parquet, fields):
            writer.write_batch(pa.RecordBatch.from_arrays(batch.columns, schema=schema))


def _is_sorted(parquet: Path, keys: list[str]) -> bool:
    checker = _SortedCheck(tuple(keys))
    for batch in pq.ParquetFile(parquet).iter_batches(batch_size=BATCH_ROWS, columns=keys):
        checker.feed(batch)
        if not checker.ok:
            return False
    return checker.ok


def _sort_keys(schema: pa.Schema) -> tuple[str, ...]:
    station, time = station_field(schema), time_field(schema)
    return tuple(k for k in (station, time) if k)


class _SortedCheck:
    """Streaming check that rows are ordered by ``keys`` (lexicographically), batch boundaries included."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys
        self.ok = bool(keys)
        self.last: tuple[Any, ...] | None = None

    def feed(self, batch: pa.RecordBatch) -> None:
        if not self.ok or batch.num_rows == 0:
            return
        cols = [batch.column(k) for k in self.keys]
        if any(c.null_count for c in cols):
            self.ok = False
            return
        head = tuple(c[0].as_py() for c in cols)
        if self.last is not None and head < self.last:
            self.ok = False
            return
        self.ok = _batch_sorted(cols)
        self.last = tuple(c[-1].as_py() for c in cols)


def _batch_sorted(cols: list[pa.Array]) -> bool:
    n = len(cols[0])
    if n < 2:
        return True
    ordered = pa.array([True] * (n - 1))
    tied = ordered
    for col in cols:
        head, tail = col.slice(0, n - 1), col.slice(1)
        ordered = pc.and_(ordered, pc.or_(pc.invert(tied), pc.less_equal(head, tail)))
        tied = pc.and_(tied, pc.equal(head, tail))
    return bool(pc.all(ordered).as_py())


def open_ipc(path: Path) -> ServingTable:
    table = pa.ipc.open_file(pa.memory_map(str(path), "r")).read_all()
    marked = (table.schema.metadata or {}).get(SORTED_KEY, b"").decode()
    keys = tuple(k for k in marked.split(",") if k)
    return ServingTable(table, keys, station_field(table.schema), time_field(table.schema))


class ServingTables:
    """A small LRU of open serving tables (memory-mapped, so cheap to keep)."""

    def __init__(self, cache: RenderingCache, size: int = 16) -> None:
        self.cache = cache
        self.size = size
        self._open: OrderedDict[str, ServingTable] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, sha256: str, parquet: Path, fields: list[str]) -> ServingTable:
        fmt = f"arrow-{fields_tag(fields)}"
        key = f"{sha256}/{fmt}"
        with self._lock:
            if key in self._open:
                self._open.move_to_end(key)
                return self._open[key]
        path = self.cache.get_or_build(sha256, fmt, lambda tmp: build_ipc(parquet, fields, tmp))
        serving = open_ipc(path)
        with self._lock:
            self._open[key] = serving
            while len(self._open) > self.size:
                self._open.popitem(last=False)
        return serving
