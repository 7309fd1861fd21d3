"""Vectorized validation on realistic Chongqing hourly air-quality tables."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from catalog.tabular.read import read_csv
from catalog.tabular.schema import load_table_schema
from catalog.tabular.validate import validate_table

HEADER = "station_code,station_name,district_code,time,pm25,pm10,o3,so2,no2,co,aqi,flag\n"
GOOD = [
    "1665A,解放碑,500103,2024-01-01 00:00:00,58,83,12,8,47,1.1,78,N",
    "1665A,解放碑,500103,2024-01-01 01:00:00,61,90,10,8,45,1.2,82,N",
    "1666A,杨家坪,500107,2024-01-01 00:00:00,NA,76,/,7,39,0.9,NA,M",
]


def schema(**changes: object) -> dict[str, object]:
    s = load_table_schema("air_quality_hourly")
    s.pop("foreignKeys")
    return {**s, **changes}


def write(tmp_path: Path, lines: list[str], header: str = HEADER, encoding: str = "utf-8") -> Path:
    path = tmp_path / "空气质量小时数据.csv"
    path.write_bytes((header + "\n".join(lines) + "\n").encode(encoding))
    return path


def test_valid_file_casts_to_schema_types(tmp_path: Path) -> None:
    result = validate_table(read_csv(write(tmp_path, GOOD)), schema())
    assert result.report.valid, result.report.errors
    rows = result.valid_rows(_parsed())
    assert rows.schema.field("time").type == pa.timestamp("s")
    assert rows.schema.field("aqi").type == pa.int64()
    assert rows.column("pm25").to_pylist() == [58.0, 61.0, None]
    assert rows.column("station_name").to_pylist() == ["解放碑", "解放碑", "杨家坪"]


def _parsed():  # type: ignore[no-untyped-def]
    from catalog.tabular.schema import parse_schema

    return parse_schema(schema())


def test_cell_errors_have_frictionless_positions(tmp_path: Path) -> None:
    bad = [*GOOD,
           "1667A,礼嘉,500112,2024-01-01 00:00:00,abc,70,30,6,20,0.8,60,N",
           "1668a,虎溪,500106,2024-01-01 00:00:00,35,1500000,30,6,20,0.8,60,X",
           "1667A,礼嘉,500112,2024-02-30 00:00:00,35,70,30,6,20,0.8,60,N"]
    report = validate_table(read_csv(write(tmp_path, bad)), schema()).report
    assert report.error_types() == {
        ("type-error", 5, 5),
        ("constraint-error", 6, 1), ("constraint-error", 6, 6), ("constraint-error", 6, 12),
        ("type-error", 7, 4),
    }
    first = report.errors[0]
    assert first["fieldName"] == "pm25" and first["cell"] == "abc" and first["note"] == 'type is "number/default"'
    assert "第5行" in first["messageZh"] and "pm25" in first["messageZh"]
    assert report.to_dict()["tasks"][0]["stats"] == {
        "errors": 5, "warnings": 0, "seconds": report.seconds, "rows": 6, "fields": 12}


def test_primary_key_duplicate_and_invalid_rows_separated(tmp_path: Path) -> None:
    result = validate_table(read_csv(write(tmp_path, [*GOOD, GOOD[0]])), schema())
    assert result.report.error_types() == {("primary-key", 5, None)}
    assert result.report.errors[0]["note"] == "the same as in the row at position 2"
    assert result.invalid.tolist() == [False, False, False, True]
    assert result.valid_rows(_parsed()).num_rows == 3


def test_header_problems(tmp_path: Path) -> None:
    header = "station_code,station_name,district_code,time,pm25,pm10,o3,so2,no2,co,aqi,,remark\n"
    line = "1665A,解放碑,500103,2024-01-01 00:00:00,58,83,12,8,47,1.1,78,N,"
    result = validate_table(read_csv(write(tmp_path, [line], header)), schema())
    assert result.report.error_types() == {("blank-label", None, 12), ("extra-label", None, 13)}
    assert not result.header_ok


def test_blank_row_missing_and_extra_cells(tmp_path: Path) -> None:
    lines = [GOOD[0], "", "1665A,解放碑,500103,2024-01-01 01:00:00,61", GOOD[2] + ",多余"]
    report = validate_table(read_csv(write(tmp_path, lines)), schema()).report
    types = report.error_types()
    assert ("blank-row", 3, None) in types
    assert {("missing-cell", 4, n) for n in range(6, 13)} <= types
    assert ("extra-cell", 5, 13) in types


def test_foreign_key_to_station_list(tmp_path: Path) -> None:
    stations = pa.table({"station_code": ["1665A", "1666A"], "station_name": ["解放碑", "杨家坪"]})
    lines = [*GOOD, "1699A,未登记站点,500101,2024-01-01 00:00:00,20,30,40,5,10,0.5,30,N"]
    full = load_table_schema("air_quality_hourly")
    report = validate_table(read_csv(write(tmp_path, lines)), full, foreign_tables={"stations": stations}).report
    assert report.error_types() == {("foreign-key", 5, None)}
    assert '"1699A"' in report.errors[0]["note"]


def test_error_cap_keeps_total(tmp_path: Path) -> None:
    lines = [f"1665A,解放碑,500103,2024-01-{d:02d} 00:00:00,-1,83,12,8,47,1.1,78,N" for d in range(1, 29)]
    report = validate_table(read_csv(write(tmp_path, lines)), schema(), limit_errors=10).report
    assert report.total == 28 and len(report.errors) == 10
    assert report.warnings == ["reached error limit: 10"]
    assert [e["rowNumber"] for e in report.errors] == list(range(2, 12))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings_come_through_intact(tmp_path: Path, encoding: str) -> None:
    # 㙟 (CJK extension A) exists in GB18030 but not in GBK, so that file is recorded as GB18030.
    name = "㙟口" if encoding == "gb18030" else "杨家坪"
    lines = [*GOOD[:2], GOOD[2].replace("杨家坪", name)]
    raw = read_csv(write(tmp_path, lines, encoding=encoding))
    assert raw.encoding == encoding
    assert raw.columns.column(1).to_pylist() == ["解放碑", "解放碑", name]
