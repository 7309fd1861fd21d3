"""Streaming renderings of a released Parquet file."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from catalog.delivery import formats

FIELDS = ["station_code", "station_name", "time", "pm25", "aqi"]


def released(tmp_path: Path, rows: int = 5, *, ms: bool = False) -> Path:
    names = ["解放碑", "杨家坪", "礼嘉", "虎溪", "天生"]
    table = pa.table({
        "station_code": [f"16{65 + i % 5}A" for i in range(rows)],
        "station_name": [names[i % 5] for i in range(rows)],
        "time": pa.array([datetime(2024, 3, 1, i % 24, 0, 0, 250_000 if ms and i == 0 else 0)
                          for i in range(rows)], pa.timestamp("ms")),
        "pm25": [None if i == 2 else 35.5 + i for i in range(rows)],
        "aqi": pa.array([50 + i for i in range(rows)], pa.int64()),
        "contact_phone": ["13983001234"] * rows,  # in the file, but not a released field
    })
    path = tmp_path / "released.parquet"
    pq.write_table(table, path, row_group_size=2)
    return path


@pytest.mark.parametrize("fmt", ["csv", "json", "ndjson", "xlsx", "parquet"])
def test_only_released_fields_are_written(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    formats.render(fmt, released(tmp_path), FIELDS, out)
    data = out.read_bytes()
    if fmt == "parquet":
        assert pq.read_schema(out).names == FIELDS
    elif fmt == "xlsx":
        book = openpyxl.load_workbook(out, read_only=True)
        try:  # a read-only workbook keeps its file open until closed
            assert [c.value for c in next(book.active.iter_rows(max_row=1))] == FIELDS
        finally:
            book.close()
    else:
        assert b"contact_phone" not in data and b"13983001234" not in data


def test_csv_text_bom_and_times(tmp_path: Path) -> None:
    source = released(tmp_path)
    plain, excel = tmp_path / "a.csv", tmp_path / "b.csv"
    formats.render("csv", source, FIELDS, plain)
    formats.render("csv", source, FIELDS, excel, bom=True)
    assert excel.read_bytes() == formats.BOM + plain.read_bytes()
    lines = plain.read_text(encoding="utf-8").splitlines()
    assert lines[0] == '"station_code","station_name","time","pm25","aqi"'
    assert lines[1] == '"1665A","解放碑","2024-03-01 00:00:00",35.5,50'
    assert lines[3].split(",")[3] == ""  # a missing value stays empty


def test_sub_second_times_keep_their_fraction(tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    formats.render("csv", released(tmp_path, ms=True), FIELDS, out)
    table = pacsv.read_csv(out)
    assert table.column("time")[0].as_py() == datetime(2024, 3, 1, 0, 0, 0, 250_000)


def test_json_array_and_ndjson_hold_the_rows(tmp_path: Path) -> None:
    source = released(tmp_path)
    formats.render("json", source, FIELDS, tmp_path / "a.json")
    formats.render("ndjson", source, FIELDS, tmp_path / "a.ndjson")
    array = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    lines = [json.loads(x) for x in (tmp_path / "a.ndjson").read_text(encoding="utf-8").splitlines()]
    assert array == lines and len(array) == 5
    assert array[1] == {"station_code": "1666A", "station_name": "杨家坪", "time": "2024-03-01 01:00:00",
                        "pm25": 36.5, "aqi": 51}
    assert array[2]["pm25"] is None


def test_empty_release_still_renders(tmp_path: Path) -> None:
    source = released(tmp_path, rows=0)
    for fmt in ("csv", "json", "ndjson", "xlsx", "parquet"):
        formats.render(fmt, source, FIELDS, tmp_path / f"e.{fmt}")
    assert json.loads((tmp_path / "e.json").read_text()) == []
    assert (tmp_path / "e.csv").read_text().startswith('"station_code"')
    assert pq.read_table(tmp_path / "e.parquet").num_rows == 0


def test_xlsx_refuses_above_its_bound(tmp_path: Path) -> None:
    with pytest.raises(formats.DownloadTooLarge) as exc:
        formats.check_xlsx_size(formats.XLSX_MAX_ROWS + 1)
    assert exc.value.status == 413 and "CSV" in exc.value.message
    formats.check_xlsx_size(formats.XLSX_MAX_ROWS)


def test_xlsx_cells_are_typed(tmp_path: Path) -> None:
    out = tmp_path / "a.xlsx"
    formats.render("xlsx", released(tmp_path), FIELDS, out)
    rows = list(openpyxl.load_workbook(io.BytesIO(out.read_bytes())).active.iter_rows(values_only=True))
    assert rows[1] == ("1665A", "解放碑", datetime(2024, 3, 1, 0, 0), 35.5, 50)
    assert rows[3][3] is None
