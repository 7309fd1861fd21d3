"""Series → minute rows: statistics over N-flagged values only; a minute without N keeps its flag."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from catalog.models.hj212 import MonitoringPoint
from harvesters.hj212.message import parse_message
from harvesters.hj212.records import message_records
from harvesters.hj212.series import ParquetSeriesSink, read_series
from harvesters.hj212.stage import air_rows, emission_rows, minute_stats

MN = "C0E1C0021200000000000041"


def _series(tmp_path: Path, readings: list[tuple[str, str, float, str]]) -> Any:
    sink = ParquetSeriesSink(tmp_path)
    for i, (when, code, value, flag) in enumerate(readings):
        segment = (f"QN=20260115100000{i:03d};ST=32;CN=2011;PW=p;MN={MN};Flag=5;CP=&&DataTime={when};"
                   f"{code}-Rtd={value},{code}-Flag={flag}&&")
        sink(message_records(parse_message(segment), f"{i:064x}"))
    sink.flush()
    return read_series(tmp_path, MN)


def test_minute_statistics_use_only_normal_values(tmp_path: Path) -> None:
    series = _series(tmp_path, [
        ("20260115100005", "w01018", 30.0, "N"), ("20260115100035", "w01018", 34.0, "N"),
        ("20260115100050", "w01018", 900.0, "C"),  # calibration: never in a statistic
        ("20260115100110", "w01018", 5.0, "D"),    # a minute with only a fault
        ("20260116000010", "w01018", 31.0, "N"),
    ])
    stats = minute_stats(series)
    ten = stats[(datetime(2026, 1, 15, 10, 0), "w01018")]
    assert (ten["mean"], ten["min"], ten["max"], ten["flag"]) == (32.0, 30.0, 34.0, "N")
    assert stats[(datetime(2026, 1, 15, 10, 1), "w01018")] == {"mean": None, "min": None, "max": None, "flag": "D"}
    assert set(minute_stats(series, datetime(2026, 1, 16).date())) == {(datetime(2026, 1, 16, 0, 0), "w01018")}


def test_rows_carry_configured_units_and_skip_unconfigured_factors(tmp_path: Path) -> None:
    series = _series(tmp_path, [("20260115100005", "w01018", 30.0, "N"), ("20260115100005", "w21003", 1.1, "N")])
    point = MonitoringPoint(mn=MN, name="重庆某化工有限公司废水排放口", district_code="500115", st="32", kind="enterprise",
                            factors=[{"code": "w01018", "name": "化学需氧量", "unit": "mg/L", "limit": 50.0}],
                            extras={"enterprise_name": "重庆某化工有限公司", "outlet_code": "DW001"})
    rows = emission_rows(point, minute_stats(series))
    assert [(r["factor_code"], r["unit"], r["avg"], r["outlet_code"]) for r in rows] == [
        ("w01018", "mg/L", 30.0, "DW001")]


def test_air_row_is_normal_only_when_every_pollutant_is(tmp_path: Path) -> None:
    series = _series(tmp_path, [("20260115100005", "a34004", 48.0, "N"), ("20260115100005", "a21026", 9.0, "M")])
    point = MonitoringPoint(mn=MN, name="渝中区解放碑空气自动监测站", district_code="500103", st="22", kind="station",
                            factors=[], extras={"station_code": "5003A"})
    [row] = air_rows(point, minute_stats(series))
    assert (row["station_code"], row["pm25"], row["so2"], row["flag"]) == ("5003A", 48.0, None, "M")
