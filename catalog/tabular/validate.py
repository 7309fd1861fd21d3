"""Vectorized validation of a :class:`RawTable` against a Table Schema, frictionless-compatible.

Every check works on whole columns; Python only touches the few errors that get listed.
The result carries the typed valid rows (ready for Parquet) and the raw invalid rows, which are
kept apart and never released.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import checks
from .cells import ParsedColumn, parse_column
from .header import expected_fields, header_errors
from .read import RawTable
from .report import ErrorBatch, Report, list_errors
from .schema import FieldSpec, TableSchema, parse_schema

DEFAULT_LIMIT = 1000


@dataclass
class Validation:
    report: Report
    typed: pa.Table  # every row, error cells null, columns named after the expected fields
    invalid: np.ndarray  # bool per row
    header_ok: bool = True
    batches: list[ErrorBatch] = field(default_factory=list)

    def valid_rows(self, schema: TableSchema) -> pa.Table:
        names = [n for n in schema.field_names if n in self.typed.column_names]
        kept = self.typed.filter(pa.array(~self.invalid)) if self.invalid.any() else self.typed
        return kept.select(names)


def validate_table(raw: RawTable, schema: dict[str, Any] | TableSchema, *,
                   foreign_tables: dict[str, pa.Table] | None = None, limit_errors: int = DEFAULT_LIMIT,
                   name: str = "table", place: str = "") -> Validation:
    started = time.perf_counter()
    ts = schema if isinstance(schema, TableSchema) else parse_schema(schema)
    fields = expected_fields(ts, raw.labels)
    n = raw.num_rows
    raw_cols = [_raw_column(raw, i, n) for i in range(len(fields))]
    parsed = [parse_column(spec, col) for spec, col in zip(fields, raw_cols, strict=True)]
    typed = pa.table({spec.name: p.typed for spec, p in zip(fields, parsed, strict=True)}) if fields else \
        pa.table({"_": pa.nulls(n)}).drop_columns(["_"])
    blank = _blank_rows(parsed, n)
    batches = _cell_batches(fields, parsed, raw_cols, raw, blank)
    batches += _key_batches(ts, typed, raw, blank, foreign_tables or {})
    head = header_errors(ts, raw.labels, raw.header_rows)
    report = _report(raw, ts, batches, head, limit_errors, name, place)
    report.seconds = round(time.perf_counter() - started, 3)
    invalid = np.zeros(n, dtype=bool)
    for batch in batches:
        invalid |= batch.mask
    return Validation(report, typed, invalid, header_ok=not head, batches=batches)


def _raw_column(raw: RawTable, index: int, n: int) -> pa.ChunkedArray:
    if index < raw.columns.num_columns:
        return raw.columns.column(index)
    return pa.chunked_array([pa.nulls(n, pa.string())])


def _blank_rows(parsed: list[ParsedColumn], n: int) -> np.ndarray:
    blank = np.ones(n, dtype=bool) if parsed else np.zeros(n, dtype=bool)
    for p in parsed:
        blank &= checks.to_mask(p.missing)
    return blank


def _cell_batches(fields: list[FieldSpec], parsed: list[ParsedColumn], raw_cols: list[pa.ChunkedArray],
                  raw: RawTable, blank: np.ndarray) -> list[ErrorBatch]:
    out: list[ErrorBatch] = []
    keep = ~blank
    for number, (spec, p, col) in enumerate(zip(fields, parsed, raw_cols, strict=True), start=1):
        cell = _cell_getter(col)
        type_mask = checks.to_mask(p.type_error) & keep
        if type_mask.any():
            out.append(ErrorBatch("type-error", type_mask, spec.name, number,
                                  f'type is "{spec.type}/{spec.format}"', cell=cell))
        for sub, (cname, mask) in enumerate(checks.constraint_masks(spec, p, col), start=1):
            note = f'constraint "{cname}" is "{_constraint_text(spec.constraints[cname])}"'
            out.append(ErrorBatch("constraint-error", mask & keep, spec.name, number, note, sub=sub, cell=cell))
        absent = checks.to_mask(pc.is_null(col)) & keep
        if absent.any():
            out.append(ErrorBatch("missing-cell", absent, spec.name, number, cell=lambda i: ""))
    out += _extra_cell_batches(raw, len(fields), keep)
    if blank.any():
        out.append(ErrorBatch("blank-row", blank))
    return [b for b in out if b.mask.any()]


def _constraint_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    return str(value)


def _extra_cell_batches(raw: RawTable, width: int, keep: np.ndarray) -> list[ErrorBatch]:
    out: list[ErrorBatch] = []
    positions: dict[int, dict[int, str]] = {}
    for index, cells in raw.extra_cells.items():
        for offset, text in enumerate(cells):
            positions.setdefault(width + offset + 1, {})[index] = text
    for pos in range(width, raw.columns.num_columns):  # header-less files wider than the schema
        col = raw.columns.column(pos)
        for found in np.flatnonzero(checks.to_mask(pc.is_valid(col))):
            positions.setdefault(pos + 1, {})[int(found)] = col[int(found)].as_py()
    for number, by_row in sorted(positions.items()):
        mask = np.zeros(raw.num_rows, dtype=bool)
        mask[list(by_row)] = True
        out.append(ErrorBatch("extra-cell", mask & keep, "", number, cell=by_row.__getitem__))
    return out


def _cell_getter(col: pa.ChunkedArray) -> Any:
    return lambda i: str(col[i].as_py() if col[i].is_valid else "")


def _key_batches(ts: TableSchema, typed: pa.Table, raw: RawTable, blank: np.ndarray,
                 foreign: dict[str, pa.Table]) -> list[ErrorBatch]:
    out: list[ErrorBatch] = []
    n = typed.num_rows
    names = set(typed.column_names)
    for spec in ts.fields:
        if spec.unique and spec.name in names:
            col = typed.column(spec.name)
            mask, prev = checks.duplicates([col], checks.any_null([col], n))
            note = _previous_note(raw, prev)
            out.append(ErrorBatch("unique-error", mask, spec.name, _position(typed, spec.name), note,
                                  cell=_cell_getter(pc.cast(col, pa.string()))))
    if ts.primary_key and set(ts.primary_key) <= names:
        out += _primary_key_batches(ts, typed, raw, n)
    for fk in ts.foreign_keys:
        batch = foreign_key_batch(fk, ts, typed, foreign)
        if batch is not None:
            out.append(batch)
    return [b for b in out if b.mask.any()]


def _position(typed: pa.Table, name: str) -> int:
    return typed.column_names.index(name) + 1


def _previous_note(raw: RawTable, prev: Any) -> Any:
    return lambda i: f"the same as in the row at position {raw.row_number(prev(i))}"


def _primary_key_batches(ts: TableSchema, typed: pa.Table, raw: RawTable, n: int) -> list[ErrorBatch]:
    cols = [typed.column(name) for name in ts.primary_key]
    empty = checks.all_null(cols, n)
    mask, prev = checks.duplicates(cols, empty)
    return [ErrorBatch("primary-key", empty, note='cells composing the primary keys are all "None"'),
            ErrorBatch("primary-key", mask, note=_previous_note(raw, prev))]


def foreign_key_batch(fk: dict[str, Any], ts: TableSchema, typed: pa.Table,
                       foreign: dict[str, pa.Table]) -> ErrorBatch | None:
    source = fk["fields"]
    target_name = fk["reference"]["resource"]
    target = typed if target_name in ("", None) else foreign.get(target_name)
    if target is None or not set(source) <= set(typed.column_names):
        return None
    ref_fields = fk["reference"]["fields"]
    if not set(ref_fields) <= set(target.column_names):
        return None
    cols = [typed.column(f) for f in source]
    mask = checks.missing_in_reference(cols, [target.column(f) for f in ref_fields])

    def note(i: int) -> str:
        values = ", ".join(str(c[i].as_py()) for c in cols)
        return (f'for "{", ".join(source)}": values "{values}" not found in the lookup table '
                f'"{target_name}" as "{", ".join(ref_fields)}"')

    return ErrorBatch("foreign-key", mask, note=note,
                      extra=lambda i: {"fieldNames": source, "referenceName": target_name,
                                       "referenceFieldNames": ref_fields})


def _report(raw: RawTable, ts: TableSchema, batches: list[ErrorBatch], head: list[dict[str, Any]],
            limit: int, name: str, place: str) -> Report:
    total = len(head) + sum(b.count() for b in batches)
    listed = head[:limit] + list_errors(batches, raw.row_number, _row_cells(raw), max(limit - len(head), 0))
    warnings = [f"reached error limit: {limit}"] if total > limit else []
    return Report(errors=listed, total=total, rows=raw.num_rows, fields=len(ts.fields), labels=raw.labels,
                  warnings=warnings, name=name, place=place)


def _row_cells(raw: RawTable) -> Any:
    def cells(index: int) -> list[str]:
        row = raw.columns.slice(index, 1).to_pylist()[0]
        values = [v for v in row.values() if v is not None]
        return [*values, *raw.extra_cells.get(index, [])]
    return cells
