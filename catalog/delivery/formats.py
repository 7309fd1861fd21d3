"""Streaming renderings of a released Parquet file: CSV (optional BOM), JSON array, NDJSON, XLSX, Parquet.

Every writer reads the Parquet file one record batch at a time, so memory stays flat whatever the
size of the table.  Only the released fields are ever read (``fields``), as a second line of
defence behind the release's own redaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import EcodataError

BATCH_ROWS = 16_384
XLSX_MAX_ROWS = 100_000
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extension: str


FORMATS: dict[str, Format] = {
    "csv": Format("csv", "text/csv", "csv"),
    "json": Format("json", "application/json", "json"),
    "ndjson": Format("ndjson", "application/x-ndjson", "ndjson"),
    "parquet": Format("parquet", "application/vnd.apache.parquet", "parquet"),
    "xlsx": Format("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


class DownloadTooLarge(EcodataError):
    status = 413
    code = "download_too_large"


def released_columns(parquet: Path, fields: list[str]) -> list[str]:
    """The released fields in file order; a field missing from the file is simply not there to serve."""
    names = pq.ParquetFile(parquet).schema_arrow.names
    wanted = set(fields)
    return [n for n in names if n in wanted]


def needs_projection(parquet: Path, fields: list[str]) -> bool:
    return pq.ParquetFile(parquet).schema_arrow.names != released_columns(parquet, fields)


def iter_batches(parquet: Path, fields: list[str]) -> Iterator[pa.RecordBatch]:
    columns = released_columns(parquet, fields)
    yield from pq.ParquetFile(parquet).iter_batches(batch_size=BATCH_ROWS, columns=columns)


def batch_reader(parquet: Path, fields: list[str]) -> pa.RecordBatchReader:
    columns = released_columns(parquet, fields)
    schema = pa.schema([pq.ParquetFile(parquet).schema_arrow.field(c) for c in columns])
    return pa.RecordBatchReader.from_batches(schema, iter_batches(parquet, fields))


def render(fmt: str, parquet: Path, fields: list[str], target: Path, *, bom: bool = False,
           rows: int | None = None) -> None:
    """Write ``parquet`` (released fields only) as ``fmt`` to ``target``."""
    if fmt == "csv":
        write_csv(parquet, fields, target, bom=bom)
    elif fmt in ("json", "ndjson"):
        write_json(parquet, fields, target, array=fmt == "json")
    elif fmt == "xlsx":
        write_xlsx(parquet, fields, target, rows=rows)
    elif fmt == "parquet":
        write_parquet(parquet, fields, target)
    else:
        raise ValueError(f"unknown format {fmt!r}")


def time_text(column: pa.Array, sep: str = " ") -> pa.Array:
    """Whole-second timestamps as ``2024-01-01 08:00:00``; Arrow's %S would add ``.000`` for ms units."""
    if not _whole_seconds(column):
        return column
    seconds = pc.cast(column, pa.timestamp("s", tz=column.type.tz), safe=False)
    if not column.type.tz:
        # Arrow's own cast prints exactly this shape, some twenty times faster than strftime.
        text = pc.cast(seconds, pa.string())
        return text if sep == " " else pc.replace_substring(text, " ", sep, max_replacements=1)
    return pc.strftime(seconds, format=f"%Y-%m-%d{sep}%H:%M:%S%z")


def _csv_ready(batch: pa.RecordBatch) -> pa.RecordBatch:
    columns = [time_text(c) if pa.types.is_timestamp(c.type) else c for c in batch.columns]
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _whole_seconds(column: pa.Array) -> bool:
    if column.type.unit == "s":
        return True
    seconds = pc.cast(pc.cast(column, pa.timestamp("s", tz=column.type.tz), safe=False), column.type)
    return bool(pc.all(pc.equal(seconds, column)).as_py() in (True, None))


def write_csv(parquet: Path, fields: list[str], target: Path, *, bom: bool = False) -> None:
    with open(target, "wb") as raw:
        if bom:
            raw.write(BOM)
        writer: pacsv.CSVWriter | None = None
        for batch in iter_batches(parquet, fields):
            ready = _csv_ready(batch)
            if writer is None:
                writer = pacsv.CSVWriter(raw, ready.schema)
            writer.write_batch(ready)
        if writer is None:  # no rows: still a header line
            pacsv.write_csv(pa.table({c: pa.array([], pa.string()) for c in released_columns(parquet, fields)}),
                            raw)
        else:
            writer.close()


def write_json(parquet: Path, fields: list[str], target: Path, *, array: bool) -> None:
    """JSON through DuckDB's streaming writer; the connection only ever sees this one Arrow stream."""
    source = batch_reader(parquet, fields)
    con = duckdb.connect(":memory:", config={"threads": 1, "memory_limit": "256MB"})
    try:
        con.register("released", source)
        option = "true" if array else "false"
        con.execute(f"COPY (SELECT * FROM released) TO '{_sql_path(target)}' (FORMAT json, ARRAY {option})")
    finally:
        con.close()
    if array and target.stat().st_size == 0:
        target.write_bytes(b"[]\n")


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def write_parquet(parquet: Path, fields: list[str], target: Path) -> None:
    reader = batch_reader(parquet, fields)
    with pq.ParquetWriter(target, reader.schema, compression="zstd") as writer:
        for batch in reader:
            writer.write_batch(batch)


def check_xlsx_size(rows: int | None) -> None:
    if rows is not None and rows > XLSX_MAX_ROWS:
        raise DownloadTooLarge(
            f"该资源有 {rows} 行，超过 Excel 下载上限 {XLSX_MAX_ROWS} 行，请下载 CSV 或 Parquet 格式，或用数据接口筛选后导出",
            f"This resource has {rows} rows, above the XLSX limit of {XLSX_MAX_ROWS}; download CSV or Parquet, "
            "or filter through the data API")


def write_xlsx(parquet: Path, fields: list[str], target: Path, *, rows: int | None = None) -> None:
    import xlsxwriter

    check_xlsx_size(rows if rows is not None else pq.ParquetFile(parquet).metadata.num_rows)
    workbook = xlsxwriter.Workbook(str(target), {"constant_memory": True, "remove_timezone": True, "nan_inf_to_errors": True,
                                                 "default_date_format": "yyyy-mm-dd hh:mm:ss"})
    try:
        sheet = workbook.add_worksheet("data")
        sheet.write_row(0, 0, released_columns(parquet, fields), workbook.add_format({"bold": True}))
        row = 1
        for batch in iter_batches(parquet, fields):
            for values in zip(*(c.to_pylist() for c in batch.columns), strict=True):
                sheet.write_row(row, 0, values)
                row += 1
    finally:
        workbook.close()
