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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..storage import BlobRef, BlobStore, LocalStore
from .read import Dialect, RawTable, read_table
from .schema import TableSchema, parse_schema
from .typed import TypedCsv, read_typed_csv, sort_rows
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
    ts = parse_schema(schema)
    # Hashing and copying the original is sha256 and disk work that releases the GIL: it runs
    # beside reading, and is complete before any Parquet is written.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest") as pool:
        keeping = pool.submit(store.put_file, path)
        fast = _typed_csv(path, ts, dialect, sort_by, foreign_tables or {})
        if fast is not None:
            result = _ingest_typed(fast, keeping.result(), store, notify, pool)
            if result is not None:
                return result
        raw = read_table(path, dialect=dialect)
        notify(0, raw.num_rows)
        checked = validate_table(raw, ts, foreign_tables=foreign_tables, limit_errors=limit_errors,
                                 name=path.stem, place=path.name)
        notify(raw.num_rows // 2, raw.num_rows)
        original = keeping.result()
    valid = checked.valid_rows(ts)
    parquet = None
    if checked.header_ok:
        ordered = sort_rows(valid, sort_by if sort_by is not None else _default_sort(ts, valid))
        parquet = write_parquet(ordered, store, lambda done: notify(raw.num_rows // 2 + done // 2, raw.num_rows))
    invalid_ref = None
    if checked.invalid.any():
        invalid_ref = write_parquet(_invalid_rows(raw, checked.invalid), store, None)
    notify(raw.num_rows, raw.num_rows)
    n_invalid = int(checked.invalid.sum())
    return IngestResult(checked.report.to_dict(), raw.encoding, raw.num_rows, raw.num_rows - n_invalid,
                        n_invalid, original, parquet, invalid_ref)


def _typed_csv(path: Path, ts: TableSchema, dialect: Dialect | None, sort_by: list[str] | None,
               foreign: dict[str, pa.Table]) -> TypedCsv | None:
    kind = path.suffix.lstrip(".").lower()
    if kind not in ("csv", "tsv", "txt"):
        return None
    d = dialect or Dialect(delimiter="\t" if kind == "tsv" else ",")
    keys = sort_by if sort_by is not None else list(ts.primary_key)
    return read_typed_csv(path, ts, dialect=d, sort_keys=keys, foreign_tables=foreign, name=path.stem,
                          place=path.name)


def _ingest_typed(fast: TypedCsv, original: BlobRef, store: BlobStore, notify: Progress,
                  pool: ThreadPoolExecutor) -> IngestResult | None:
    """Write the typed rows while their checks run beside; keep the Parquet only if every check passes.

    ``None`` means a check failed: the file goes through the string path for its error report.
    """
    n = fast.table.num_rows
    notify(0, n)
    checking = pool.submit(fast.passes_checks)
    tmp = _temp_parquet(store)
    try:
        _write_row_groups(fast.table, tmp, lambda done: notify(n // 2 + done // 2, n))
        if not checking.result():
            return None
        parquet = _keep(tmp, store)
    finally:
        tmp.unlink(missing_ok=True)
    notify(n, n)
    return IngestResult(fast.report().to_dict(), fast.encoding, n, n, 0, original, parquet, None)


def _default_sort(ts: TableSchema, table: pa.Table) -> list[str]:
    return [name for name in ts.primary_key if name in table.column_names]


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
    tmp = _temp_parquet(store)
    try:
        _write_row_groups(table, tmp, on_rows)
        return _keep(tmp, store)
    finally:
        tmp.unlink(missing_ok=True)


def _temp_parquet(store: BlobStore) -> Path:
    tmp_dir = store.tmp_dir() if isinstance(store, LocalStore) else None
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="ingest-", suffix=".parquet")
    os.close(fd)
    return Path(name)


def _keep(tmp: Path, store: BlobStore) -> BlobRef:
    """Store a complete, fsynced temporary Parquet file under its content address."""
    if isinstance(store, LocalStore):
        return store.adopt(tmp, _sha256(tmp))
    return store.put_file(tmp)


def _write_row_groups(table: pa.Table, tmp: Path, on_rows: Callable[[int], None] | None) -> None:
    with open(tmp, "wb") as sink:
        with pq.ParquetWriter(sink, table.schema, compression="zstd", write_statistics=True,
                              **_encodings(table.schema)) as writer:
            for start in range(0, max(table.num_rows, 1), ROW_GROUP_ROWS):
                writer.write_table(table.slice(start, ROW_GROUP_ROWS), row_group_size=ROW_GROUP_ROWS)
                if on_rows:
                    on_rows(min(start + ROW_GROUP_ROWS, table.num_rows))
        sink.flush()
        os.fsync(sink.fileno())


def _encodings(schema: pa.Schema) -> dict[str, Any]:
    """Dictionaries for the repetitive columns; delta encoding for timestamps.

    Hourly timestamps are all distinct within a station, so a dictionary for them is built and then
    abandoned; their steady one-hour steps delta-encode to a fraction of the size, for less work.
    """
    stamps = [f.name for f in schema if pa.types.is_timestamp(f.type)]
    if not stamps:
        return {}
    return {"use_dictionary": [f.name for f in schema if f.name not in stamps],
            "column_encoding": dict.fromkeys(stamps, "DELTA_BINARY_PACKED")}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
