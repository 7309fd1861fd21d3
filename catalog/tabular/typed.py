"""The typed fast path for CSV ingest: read straight into the schema's types, check, or step aside.

pyarrow reads the file with the column types taken from the Table Schema and the schema's missing
values as nulls, so parsing numbers runs in its multithreaded reader instead of one string column
at a time.  Every constraint is then checked once per distinct value.

This path only ever answers "the whole file is valid, here are its typed rows" or "not sure"
(``None``, or :meth:`TypedCsv.passes_checks` false).  On "not sure" — a cell pyarrow cannot convert, a ragged row, a header that is not the
schema's, any failing check — the caller runs the string path, which reports every error exactly
as before.  So the fast path never decides what an error looks like, only that there is none.

Why the typed reader accepts nothing the string path rejects: float cells go through the same
Arrow parser as the string path's cast, except that the reader first trims spaces and tabs, which
the string path also trims before its regular expression; integer, date, datetime and every
other non-string type are read as text and go through the string path's own cell parser.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from . import checks
from .cells import ParsedColumn, parse_column
from .encoding import EncodingError, detect_encoding
from .header import header_errors
from .read import Dialect, csv_parse_options, header_row_number, pyarrow_codec, sample_records
from .report import Report
from .schema import FieldSpec, TableSchema

# Errors that only mean "this file needs the string path", never "the upload is broken".
_NOT_SURE = (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, UnicodeError, EncodingError)


@dataclass
class TypedCsv:
    """A CSV file read into typed rows in schema order, sorted as asked, with its checks still to run.

    The checks are kept apart from the reading so that they can run while the rows are being
    written out; nothing written may be kept unless :meth:`passes_checks` says so.
    """

    table: pa.Table
    labels: list[str]
    encoding: str
    schema: TableSchema
    foreign_tables: dict[str, pa.Table]
    sort_keys: list[str]
    type_errors: list[pa.ChunkedArray]
    name: str
    place: str
    started: float

    def passes_checks(self) -> bool:
        """Whether the string path would find no error at all in this file."""
        try:
            return not (any(pc.any(mask).as_py() for mask in self.type_errors)
                        or any(_violates_constraints(spec, column)
                               for spec, column in zip(self.schema.fields, self.table.columns, strict=True))
                        or _has_blank_rows(self.table)
                        or _has_repeated_keys(self.schema, self.table, self.sort_keys)
                        or _has_repeated_unique_values(self.schema, self.table)
                        or _has_foreign_key_misses(self.schema, self.table, self.foreign_tables))
        except _NOT_SURE:
            return False

    def report(self) -> Report:
        report = Report(errors=[], total=0, rows=self.table.num_rows, fields=len(self.schema.fields),
                        labels=self.labels, name=self.name, place=self.place)
        report.seconds = round(time.perf_counter() - self.started, 3)
        return report


def read_typed_csv(path: Path, ts: TableSchema, *, dialect: Dialect, sort_keys: list[str],
                   foreign_tables: dict[str, pa.Table], name: str, place: str) -> TypedCsv | None:
    """The file's typed, sorted rows, or ``None`` when only the string path can read it."""
    started = time.perf_counter()
    missing = _shared_missing_values(ts)
    if missing is None or not ts.fields or not dialect.header:
        return None
    if any(ts.get(key) is None for key in sort_keys):
        return None
    try:
        read = _read_typed(path, ts, dialect, missing)
        if read is None:
            return None
        table, encoding = read
        columns, type_errors = _typed_columns(ts, table)
        if any(columns[key].null_count for key in ts.primary_key):
            return None  # empty key cells: the string path knows how frictionless reports them
        rows = sort_rows(pa.table(columns), sort_keys)
    except _NOT_SURE:
        return None
    return TypedCsv(rows, list(ts.field_names), encoding, ts, foreign_tables, sort_keys, type_errors, name,
                    place, started)


def _shared_missing_values(ts: TableSchema) -> tuple[str, ...] | None:
    """pyarrow takes one list of null values for all columns; per-field lists go the string way."""
    values = {spec.missing_values for spec in ts.fields}
    return next(iter(values)) if len(values) == 1 else None


def _read_typed(path: Path, ts: TableSchema, dialect: Dialect,
                missing: tuple[str, ...]) -> tuple[pa.Table, str] | None:
    encoding = detect_encoding(path, trust_utf8_sample=True)
    sample = sample_records(path, encoding, dialect)
    if not sample:
        return None
    read = pacsv.ReadOptions(encoding=pyarrow_codec(encoding), block_size=16 << 20,
                             skip_rows=header_row_number(sample) - 1)
    convert = pacsv.ConvertOptions(column_types={spec.name: _read_type(spec) for spec in ts.fields},
                                   null_values=list(missing), strings_can_be_null=True,
                                   quoted_strings_can_be_null=True)
    table = pacsv.read_csv(path, read_options=read, parse_options=csv_parse_options(dialect),
                           convert_options=convert)
    if table.column_names != ts.field_names or header_errors(ts, table.column_names, 1) or table.num_rows == 0:
        return None
    return table, encoding


def _read_type(spec: FieldSpec) -> pa.DataType:
    if spec.type == "number" and _plain_number(spec):
        return pa.float64()
    return pa.string()  # text fields as they are; every other type through the string path's parser


def _plain_number(spec: FieldSpec) -> bool:
    return not any(k in spec.descriptor for k in ("groupChar", "decimalChar", "bareNumber"))


def _typed_columns(ts: TableSchema, table: pa.Table) -> tuple[dict[str, pa.ChunkedArray], list[pa.ChunkedArray]]:
    """Typed columns by field name, and the type-error masks of the columns parsed from text.

    Columns are independent and pyarrow's kernels release the GIL, so two threads share the work.
    """
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="ingest-typing") as pool:
        typed = list(pool.map(_typed_column, ts.fields, table.columns))
    columns = {spec.name: column for spec, (column, _) in zip(ts.fields, typed, strict=True)}
    return columns, [error for _, error in typed if error is not None]


def _typed_column(spec: FieldSpec, column: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.ChunkedArray | None]:
    if pa.types.is_floating(column.type):
        return _without_negative_zero(column), None
    if spec.type == "any" or spec.type == "string" and spec.format == "default":
        return column, None
    parsed = parse_column(spec, column)
    return parsed.typed, parsed.type_error


def _without_negative_zero(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """-0.0 becomes 0.0, as the string path stores it; a column whose range excludes 0 has none."""
    low, high = pc.min_max(column).values()
    if low.is_valid and (low.as_py() > 0 or high.as_py() < 0):
        return column
    return pc.add(column, 0.0)


_BOUND_ONLY = {"required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}


def _violates_constraints(spec: FieldSpec, typed: pa.ChunkedArray) -> bool:
    """Every constraint depends on the value alone, so checking each distinct value once is enough.

    When only bounds apply to an ordered type, the smallest and largest values stand for all the
    others (NaN, which compares false with every bound, is left to the string path).
    """
    if not spec.constraints:
        return False
    values = _extremes(typed) if set(spec.constraints) <= _BOUND_ONLY else None
    if values is None:
        values = pc.unique(typed)
    parsed = ParsedColumn(values, pc.is_null(values), pa.array(np.zeros(len(values), dtype=bool)))
    return bool(checks.constraint_masks(spec, parsed, values))


def _extremes(typed: pa.ChunkedArray) -> pa.Array | None:
    kind = typed.type
    if not (pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_timestamp(kind)
            or pa.types.is_date(kind)):
        return None
    if pa.types.is_floating(kind) and pc.any(pc.is_nan(typed)).as_py():
        return None
    low, high = pc.min_max(typed).values()
    nulls = [None] if typed.null_count else []
    return pa.array([v.as_py() for v in (low, high) if v.is_valid] + nulls, kind)


def _has_blank_rows(table: pa.Table) -> bool:
    if min(column.null_count for column in table.columns) == 0:
        return False
    return bool(checks.all_null(list(table.columns), table.num_rows).any())


def _has_repeated_unique_values(ts: TableSchema, table: pa.Table) -> bool:
    for spec in ts.fields:
        if spec.unique:
            column = table.column(spec.name)
            mask, _ = checks.duplicates([column], checks.any_null([column], table.num_rows))
            if mask.any():
                return True
    return False


def _has_foreign_key_misses(ts: TableSchema, table: pa.Table, foreign: dict[str, pa.Table]) -> bool:
    from .validate import foreign_key_batch

    for fk in ts.foreign_keys:
        batch = foreign_key_batch(fk, ts, table, foreign)
        if batch is not None and batch.mask.any():
            return True
    return False


def _has_repeated_keys(ts: TableSchema, table: pa.Table, sort_keys: list[str]) -> bool:
    """Sorted by the primary key, repeated keys sit next to each other: one pass over adjacent rows."""
    pk = ts.primary_key
    if not pk:
        return False
    if sort_keys[:len(pk)] == pk:
        return adjacent_ties(table, pk)
    mask, _ = checks.duplicates([table.column(n) for n in pk], np.zeros(table.num_rows, dtype=bool))
    return bool(mask.any())


def sort_rows(table: pa.Table, keys: list[str]) -> pa.Table:
    if not keys or table.num_rows < 2 or is_sorted(table, keys):
        return table
    return table.take(pc.sort_indices(table, sort_keys=[(k, "ascending") for k in keys]))


def is_sorted(table: pa.Table, keys: list[str]) -> bool:
    """Exports usually come ordered by station and time; checking adjacent rows is far cheaper than a sort."""
    ordered, _ = _adjacent_order(table, keys)
    return ordered


def adjacent_ties(table: pa.Table, keys: list[str]) -> bool:
    """Whether two neighbouring rows carry the same values in every key column (no nulls allowed)."""
    _, tied = _adjacent_order(table, keys)
    return tied


def _adjacent_order(table: pa.Table, keys: list[str]) -> tuple[bool, bool]:
    n = table.num_rows
    if n < 2:
        return True, False
    if any(table.column(key).null_count for key in keys):
        return False, False
    ordered: Any = pa.scalar(True)
    tied: Any = pa.scalar(True)
    for key in keys:
        col = table.column(key)
        head, tail = col.slice(0, n - 1), col.slice(1)
        ordered = pc.and_(ordered, pc.or_(pc.invert(tied), pc.less_equal(head, tail)))
        tied = pc.and_(tied, pc.equal(head, tail))
    return bool(pc.all(ordered).as_py()), bool(pc.any(tied).as_py())
