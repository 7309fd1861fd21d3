"""The typed CSV path of ingest_file gives what the string path gives: same report, same stored rows.

Each case is ingested once through ingest_file (typed path first, string path when it steps aside)
and once through the string path alone (read_table + validate_table); the reports must agree error
for error and the stored Parquet must hold the string path's valid rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from catalog.storage import LocalStore
from catalog.tabular import typed
from catalog.tabular.ingest import ingest_file
from catalog.tabular.read import read_table
from catalog.tabular.schema import load_table_schema, parse_schema
from catalog.tabular.typed import sort_rows
from catalog.tabular.validate import validate_table

HEADER = "station_code,station_name,district_code,time,pm25,pm10,o3,so2,no2,co,aqi,flag"
ROWS = [
    "1665A,解放碑,500103,2024-01-01 00:00:00,35,60,20,7,35,0.9,50,N",
    "1665A,解放碑,500103,2024-01-01 01:00:00,NA,61,/,7,35,0.8,51,N",
    '"1666A","杨家坪","500107","2024-01-01 00:00:00","40","70","22",8,30,1.1,57,"M"',
    "1666A,杨家坪,500107,2024-01-01T01:00:00,-0,70,22,8,30,1.1,57,N",
]


def schema(**changes: Any) -> dict[str, Any]:
    s = {k: v for k, v in load_table_schema("air_quality_hourly").items() if k != "foreignKeys"}
    s.update(changes)
    return s


def replaced(row: int, column: str, value: str) -> list[str]:
    rows = [r.replace('"', "") for r in ROWS]
    cells = rows[row].split(",")
    cells[HEADER.split(",").index(column)] = value
    rows[row] = ",".join(cells)
    return rows


CASES: dict[str, tuple[list[str], str]] = {
    "valid": (ROWS, HEADER),
    "unsorted": ([ROWS[2], ROWS[0], ROWS[3], ROWS[1]], HEADER),
    "number with spaces": (replaced(0, "pm25", " 35 "), HEADER),
    "number with spaces and a text cell": (replaced(0, "pm25", " 35 ") + [replaced(1, "pm25", "abc")[1]], HEADER),
    "not a number": (replaced(1, "pm10", "高"), HEADER),
    "hex integer": (replaced(1, "aqi", "0x10"), HEADER),
    "decimal in an integer field": (replaced(1, "aqi", "5.0"), HEADER),
    "date without time": (replaced(1, "time", "2024-01-01"), HEADER),
    "impossible date": (replaced(1, "time", "2024-02-30 00:00:00"), HEADER),
    "time zone offset": (replaced(1, "time", "2024-01-01T01:00:00+08:00"), HEADER),
    "above maximum": (replaced(0, "pm25", "1000.5"), HEADER),
    "not a number value": (replaced(0, "pm25", "nan"), HEADER),
    "pattern": (replaced(0, "district_code", "600103"), HEADER),
    "enum": (replaced(0, "flag", "X"), HEADER),
    "empty enum cell": (replaced(0, "flag", ""), HEADER),
    "required missing": (replaced(0, "station_code", "NA"), HEADER),
    "repeated primary key": ([*ROWS, ROWS[0]], HEADER),
    "blank row": ([*ROWS[:2], ",,,,,,,,,,,", *ROWS[2:]], HEADER),
    "empty line": ([*ROWS[:2], "", *ROWS[2:]], HEADER),
    "short row": ([*ROWS, "1667A,礼嘉,500112"], HEADER),
    "long row": ([*ROWS, ROWS[0].replace("01:00:00", "05:00:00") + ",extra"], HEADER),
    "wrong label": (ROWS, HEADER.replace("pm25", "pm2.5")),
    "columns in another order": ([",".join(r.replace('"', "").split(",")[::-1]) for r in ROWS],
                                 ",".join(HEADER.split(",")[::-1])),
    "title line above the header": (ROWS, "重庆市空气质量小时数据\n" + HEADER),
    "quoted newline": ([*ROWS, '1667A,"礼\n嘉",500112,2024-01-01 00:00:00,1,1,1,1,1,0.1,1,N'], HEADER),
}


def write(tmp_path: Path, lines: list[str], header: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "table.csv"
    path.write_bytes(("\n".join([header, *lines]) + "\n").encode(encoding))
    return path


def string_path(path: Path, descriptor: dict[str, Any]) -> tuple[dict[str, Any], pa.Table]:
    raw = read_table(path)
    ts = parse_schema(descriptor)
    checked = validate_table(raw, ts, name=path.stem, place=path.name)
    valid = checked.valid_rows(ts)
    keys = [k for k in ts.primary_key if k in valid.column_names]
    return checked.report.to_dict(), sort_rows(valid, keys)


def without_timing(report: dict[str, Any]) -> dict[str, Any]:
    out = {**report, "stats": {**report["stats"], "seconds": 0}}
    out["tasks"] = [{**t, "stats": {**t["stats"], "seconds": 0}} for t in report["tasks"]]
    return out


@pytest.mark.parametrize("case", sorted(CASES))
def test_typed_path_agrees_with_string_path(tmp_path: Path, case: str) -> None:
    lines, header = CASES[case]
    path = write(tmp_path, lines, header)
    expected_report, expected_rows = string_path(path, schema())
    result = ingest_file(path, schema(), LocalStore(tmp_path / "files"))
    assert without_timing(result.report) == without_timing(expected_report)
    if result.parquet is not None:
        stored = pq.read_table(LocalStore(tmp_path / "files").path_for(result.parquet.key))
        assert stored.equals(expected_rows.combine_chunks().cast(stored.schema))


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_typed_path_reads_legacy_encodings(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, ROWS, HEADER, encoding)
    result = ingest_file(path, schema(), LocalStore(tmp_path / "files"))
    assert result.valid and result.encoding == encoding and result.rows_valid == len(ROWS)
    stored = pq.read_table(LocalStore(tmp_path / "files").path_for(result.parquet.key))  # type: ignore[union-attr]
    assert "解放碑" in stored.column("station_name").to_pylist()


def test_valid_file_takes_the_typed_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import catalog.tabular.ingest as ingest

    def no_string_path(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the string path ran for a valid file")

    monkeypatch.setattr(ingest, "validate_table", no_string_path)
    result = ingest_file(write(tmp_path, ROWS, HEADER), schema(), LocalStore(tmp_path / "files"))
    assert result.valid and result.rows_valid == len(ROWS)
    assert result.report["tasks"][0]["labels"] == HEADER.split(",")


def test_failed_checks_keep_no_parquet_from_the_typed_path(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "files")
    result = ingest_file(write(tmp_path, [*ROWS, ROWS[0]], HEADER), schema(), store)
    assert not result.valid and result.rows_invalid == 1
    kept = {result.original.key, result.parquet.key, result.invalid_rows.key}  # type: ignore[union-attr]
    assert set(store.list()) == kept


def test_per_field_missing_values_step_aside(tmp_path: Path) -> None:
    descriptor = schema()
    descriptor["fields"] = [dict(f) for f in descriptor["fields"]]
    descriptor["fields"][4]["missingValues"] = ["-"]
    assert typed.read_typed_csv(write(tmp_path, ROWS, HEADER), parse_schema(descriptor),
                                dialect=typed.Dialect(), sort_keys=[], foreign_tables={}, name="t",
                                place="t.csv") is None
