"""Ingest one uploaded table: keep the original, validate, stage valid rows as Parquet in private storage.

Parquet is written to a temporary file, fsynced, hashed and only then moved to its
content-addressed key, so a crash or kill leaves either the complete blob or nothing.
Invalid rows go to their own private blob with their row numbers; they are never released.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..storage import BlobRef, BlobStore, LocalStore
from .read import Dialect, RawTable, read_table
from .schema import TableSchema, parse_schema
from .validate import DEFAULT_LIMIT, validate_table

# Sorted by station then time, 64k-row groups span few stations, so min/max statistics prune
# station and time filters; larger groups compress a little better but prune less.
ROW_GROUP_ROWS = 65_536
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class IngestResult:
    report: dict[str, Any]
    encoding: str
    rows_total: int
    rows_valid: int
    rows_invalid: int
    original: BlobRef
    parquet: BlobRef | None
    invalid_rows: BlobRef | None

    @property
    def valid(self) -> bool:
        return bool(self.report["valid"])


def ingest_file(path: Path, schema: dict[str, Any], store: BlobStore, *,
                foreign_tables: dict[str, pa.Table] | None = None, sort_by: list[str] | None = None,
                progress: Progress | None = None, dialect: Dialect | None = None,
                limit_errors: int = DEFAULT_LIMIT) -> IngestResult:
    path = Path(path)
    notify = progress or (lambda done, total: None)
    original = store.put_file(path)
    raw = read_table(path, dialect=dialect)
    notify(0, raw.num_rows)
    ts = parse_schema(schema)
    checked = validate_table(raw, ts, foreign_tables=foreign_tables, limit_errors=limit_errors,
                             name=path.stem, place=path.name)
    notify(raw.num_rows // 2, raw.num_rows)
    valid = checked.valid_rows(ts)
    parquet = None
    if checked.header_ok:
        ordered = _sorted(valid, sort_by if sort_by is not None else _default_sort(ts, valid))
        parquet = write_parquet(ordered, store, lambda done: notify(raw.num_rows // 2 + done // 2, raw.num_rows))
    invalid_ref = None
    if checked.invalid.any():
        invalid_ref = write_parquet(_invalid_rows(raw, checked.invalid), store, None)
    notify(raw.num_rows, raw.num_rows)
    n_invalid = int(checked.invalid.sum())
    return IngestResult(checked.report.to_dict(), raw.encoding, raw.num_rows, raw.num_rows - n_invalid,
                        n_invalid, original, parquet, invalid_ref)


def _default_sort(ts: TableSchema, table: pa.Table) -> list[str]:
    return [name for name in ts.primary_key if name in table.column_names]


def _sorted(table: pa.Table, keys: list[str]) -> pa.Table:
    if not keys or table.num_rows < 2 or _already_sorted(table, keys):
        return table
    return table.take(pc.sort_indices(table, sort_keys=[(k, "ascending") for k in keys]))


def _already_sorted(table: pa.Table, keys: list[str]) -> bool:
    """Exports usually come ordered by station and time; checking adjacent rows is far cheaper than a sort."""
    n = table.num_rows
    ordered = pa.chunked_array([pa.array(np.ones(n - 1, dtype=bool))])
    tied = ordered
    for key in keys:
        col = table.column(key)
        if col.null_count:
            return False
        head, tail = col.slice(0, n - 1), col.slice(1)
        ordered = pc.and_(ordered, pc.or_(pc.invert(tied), pc.less_equal(head, tail)))
        tied = pc.and_(tied, pc.equal(head, tail))
    return bool(pc.all(ordered).as_py())


def _invalid_rows(raw: RawTable, mask: Any) -> pa.Table:
    labels = [label or f"column_{i + 1}" for i, label in enumerate(raw.labels)] or \
        [f"column_{i + 1}" for i in range(raw.columns.num_columns)]
    numbers = pa.array(range(raw.header_rows + 1, raw.header_rows + 1 + raw.num_rows), pa.int64())
    table = raw.columns.rename_columns(_unique(labels[:raw.columns.num_columns]))
    return table.append_column("_row_number", numbers).filter(pa.array(mask))


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


def write_parquet(table: pa.Table, store: BlobStore, on_rows: Callable[[int], None] | None) -> BlobRef:
    tmp_dir = store.tmp_dir() if isinstance(store, LocalStore) else None
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="ingest-", suffix=".parquet")
    os.close(fd)
    tmp = Path(name)
    try:
        _write_row_groups(table, tmp, on_rows)
        sha = _sha256(tmp)
        if isinstance(store, LocalStore):
            return store.adopt(tmp, sha)
        return store.put_file(tmp)
    finally:
        tmp.unlink(missing_ok=True)


def _write_row_groups(table: pa.Table, tmp: Path, on_rows: Callable[[int], None] | None) -> None:
    with open(tmp, "wb") as sink:
        with pq.ParquetWriter(sink, table.schema, compression="zstd", write_statistics=True) as writer:
            for start in range(0, max(table.num_rows, 1), ROW_GROUP_ROWS):
                writer.write_table(table.slice(start, ROW_GROUP_ROWS), row_group_size=ROW_GROUP_ROWS)
                if on_rows:
                    on_rows(min(start + ROW_GROUP_ROWS, table.num_rows))
        sink.flush()
        os.fsync(sink.fileno())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
