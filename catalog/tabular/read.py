"""Readers: every tabular format lands as a :class:`RawTable` of string cells, ready to validate.

Cells stay strings so that validation can report the exact source text of a bad cell.  A null
cell means the row was too short (a *missing* cell), which is not the same as an empty string.
CSV goes through pyarrow's multithreaded reader; only a file with ragged rows falls back to the
row-by-row Python reader, whose job is then to locate the structural errors.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .encoding import detect_encoding

_PYARROW_CODECS = {"utf-8": "utf8", "utf-8-sig": "utf8"}


@dataclass
class RawTable:
    """Labels plus one string column per label position (named "0", "1", …)."""

    labels: list[str]
    columns: pa.Table
    encoding: str = "utf-8"
    format: str = "csv"
    header_rows: int = 1
    extra_cells: dict[int, list[str]] = field(default_factory=dict)

    @property
    def num_rows(self) -> int:
        return self.columns.num_rows

    def row_number(self, index: int) -> int:
        """The frictionless row number: the header is row 1, the first data row 2."""
        return index + self.header_rows + 1


@dataclass(frozen=True)
class Dialect:
    delimiter: str = ","
    quote_char: str = '"'
    header: bool = True


def read_table(path: Path, *, dialect: Dialect | None = None, fmt: str | None = None) -> RawTable:
    path = Path(path)
    kind = (fmt or path.suffix.lstrip(".")).lower()
    if kind in ("csv", "tsv", "txt"):
        d = dialect or Dialect(delimiter="\t" if kind == "tsv" else ",")
        return read_csv(path, d)
    if kind in ("xlsx", "xlsm", "xls", "ods"):
        return read_excel(path, header=(dialect or Dialect()).header)
    if kind in ("ndjson", "jsonl"):
        return read_ndjson(path)
    if kind == "json":
        return read_json(path)
    if kind == "parquet":
        return read_parquet(path)
    raise ValueError(f"unsupported table format: {kind!r}")


def read_csv(path: Path, dialect: Dialect = Dialect()) -> RawTable:
    encoding = detect_encoding(path, trust_utf8_sample=True)
    try:
        return _read_csv_as(path, dialect, encoding)
    except pa.ArrowInvalid as exc:
        if encoding != "utf-8" or "UTF8" not in str(exc):
            raise
    return _read_csv_as(path, dialect, detect_encoding(path))


def _read_csv_as(path: Path, dialect: Dialect, encoding: str) -> RawTable:
    sample = sample_records(path, encoding, dialect)
    if not sample:
        return RawTable([], pa.table({}), encoding, "csv")
    header_row = header_row_number(sample) if dialect.header else 1
    width = len(sample[header_row - 1])
    fast = _read_csv_fast(path, encoding, dialect, width, header_row - 1)
    if fast is None:
        return _read_csv_rows(path, encoding, dialect, header_row)
    raw = _split_header(fast, dialect.header, encoding, "csv")
    raw.header_rows = header_row if dialect.header else 0
    return raw


def sample_records(path: Path, encoding: str, dialect: Dialect, size: int = 100) -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=dialect.delimiter, quotechar=dialect.quote_char)
        return [row for _, row in zip(range(size), reader, strict=False)]


def header_row_number(sample: list[list[str]]) -> int:
    """Frictionless' guess: the first row whose width is near the sample's mean width.

    It lets a title or comment line above the header be skipped the way frictionless does.
    """
    widths = [len(row) for row in sample]
    width = round(sum(widths) / len(widths))
    drift = max(round(width * 0.1), 1)
    return next((i for i, w in enumerate(widths, start=1) if abs(w - width) <= drift), 1)


def pyarrow_codec(encoding: str) -> str:
    return _PYARROW_CODECS.get(encoding, encoding)


def csv_parse_options(dialect: Dialect) -> pacsv.ParseOptions:
    # Empty lines are rows to frictionless (blank-row errors), so they must not be skipped; in a
    # multi-column file they make the row ragged and send us to the slow reader.
    return pacsv.ParseOptions(delimiter=dialect.delimiter, quote_char=dialect.quote_char,
                              newlines_in_values=True, ignore_empty_lines=False)


def _read_csv_fast(path: Path, encoding: str, dialect: Dialect, width: int, skip: int) -> pa.Table | None:
    names = [str(i) for i in range(width)]
    read = pacsv.ReadOptions(column_names=names, encoding=pyarrow_codec(encoding), block_size=16 << 20,
                             skip_rows=skip)
    parse = csv_parse_options(dialect)
    convert = pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                   strings_can_be_null=False, quoted_strings_can_be_null=False)
    try:
        return pacsv.read_csv(path, read_options=read, parse_options=parse, convert_options=convert)
    except pa.ArrowInvalid as exc:
        if "Expected" in str(exc) and "columns" in str(exc):
            return None
        raise


def _read_csv_rows(path: Path, encoding: str, dialect: Dialect, header_row: int) -> RawTable:
    with open(path, encoding=encoding, newline="") as fh:
        rows = list(csv.reader(fh, delimiter=dialect.delimiter, quotechar=dialect.quote_char))
    raw = rows_to_raw(rows[header_row - 1:], header=dialect.header, encoding=encoding, fmt="csv")
    raw.header_rows = header_row if dialect.header else 0
    return raw


def _split_header(table: pa.Table, header: bool, encoding: str, fmt: str) -> RawTable:
    if not header:
        return RawTable([], table, encoding, fmt, header_rows=0)
    labels = [table.column(i)[0].as_py() for i in range(table.num_columns)]
    return RawTable(labels, table.slice(1), encoding, fmt)


def rows_to_raw(rows: Sequence[Sequence[Any]], *, header: bool = True, encoding: str = "utf-8",
                fmt: str = "csv") -> RawTable:
    """Build a RawTable from Python rows; short rows get null (missing) cells, long rows keep extras."""
    labels = [_to_text(c) for c in rows[0]] if header and rows else []
    body = rows[1:] if header else rows
    width = len(labels) if header else max((len(r) for r in body), default=0)
    cols: list[list[str | None]] = [[] for _ in range(width)]
    extra: dict[int, list[str]] = {}
    for index, row in enumerate(body):
        cells = [_to_text(c) for c in row]
        if len(cells) > width:
            extra[index] = cells[width:]
        for pos in range(width):
            cols[pos].append(cells[pos] if pos < len(cells) else None)
    table = pa.table({str(i): pa.array(c, pa.string()) for i, c in enumerate(cols)}) if width else \
        pa.table({"_": pa.nulls(len(body), pa.string())}).drop_columns(["_"])
    return RawTable(labels, table, encoding, fmt, header_rows=1 if header else 0, extra_cells=extra)


def _to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def read_excel(path: Path, *, header: bool = True) -> RawTable:
    """First sheet of an XLSX/XLS/ODS workbook via calamine (Rust), several times faster than openpyxl."""
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    rows = sheet.to_python(skip_empty_area=False)
    while rows and all(c == "" for c in rows[-1]):
        rows.pop()
    return rows_to_raw(rows, header=header, encoding="binary", fmt=path.suffix.lstrip(".").lower())


def read_json(path: Path) -> RawTable:
    with open(path, encoding=detect_encoding(path)) as fh:
        data = json.load(fh)
    if not isinstance(data, list):
        raise ValueError(f"{path.name}: a JSON table must be an array of objects or of arrays")
    return records_to_raw(data, fmt="json")


def read_ndjson(path: Path) -> RawTable:
    with open(path, encoding=detect_encoding(path)) as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    return records_to_raw(records, fmt="ndjson")


def records_to_raw(data: Sequence[Any], *, fmt: str = "json") -> RawTable:
    """Inline data: an array of arrays (first is the header) or an array of objects."""
    if data and all(isinstance(item, dict) for item in data):
        labels = _object_labels(data)
        rows: list[Sequence[Any]] = [labels, *([item.get(k) for k in labels] for item in data)]
        return rows_to_raw(rows, fmt=fmt)
    return rows_to_raw([list(item) for item in data], fmt=fmt)


def _object_labels(items: Iterable[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.update(dict.fromkeys(item))
    return list(seen)


def read_parquet(path: Path) -> RawTable:
    table = pq.read_table(path)
    labels = list(table.column_names)
    cols = {str(i): _column_text(table.column(i)) for i in range(table.num_columns)}
    return RawTable(labels, pa.table(cols), "binary", "parquet")


def _column_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    import pyarrow.compute as pc

    text = column if pa.types.is_string(column.type) else pc.cast(column, pa.string())
    return pc.fill_null(text, "")

