"""Applying decisions to Arrow tables: filters, delay, field actions, aggregation, failing closed."""

from __future__ import annotations

import csv
import json
import statistics
from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone

import pyarrow as pa
import pytest

from catalog.redact import RedactionError, apply_decision, preview
from publish_rules import Audience, Subject, evaluate, ruleset_from_documents

CST = timezone(timedelta(hours=8))
PUBLIC = Audience.public()


def rules(*rule_list: dict) -> object:
    return ruleset_from_documents({"t.yaml": {"rules": [
        {"id": "base", "description": "跟随数据集属性", "open": "dataset"}, *rule_list]}})


def subject(*fields: tuple[str, str, tuple[str, ...]], **kw: object) -> Subject:
    return Subject("cq-test", "cq-sthjj", fields=fields, **kw)  # type: ignore[arg-type]


def pollution_table() -> pa.Table:
    hours = [datetime(2026, 11, 28, h) for h in (0, 1, 2, 3)] + [datetime(2026, 11, 29, 0)]
    return pa.table({
        "mn": ["88888880000001"] * 5,
        "enterprise_name": ["重庆长寿化工有限责任公司"] * 5,
        "time": pa.array(hours, pa.timestamp("s")),
        "factor_code": ["w01018"] * 5,
        "avg": [31.5, 28.0, 120.0, 30.5, 25.0],
        "flag": ["N", "N", "D", "N", "N"],
        "contact_person": ["李建国"] * 5,
        "contact_phone": ["13983001234"] * 5,
    })


def test_shipped_pollution_rules_give_daily_statistics_of_normal_rows(shipped) -> None:
    table = pollution_table()
    subj = Subject("cq-psm", "cq-sthjj", themes=("pollution-source",), table_schema="pollution_source_emissions",
                   fields=tuple((n, "string" if n != "avg" else "number", ()) for n in table.column_names))
    decision = evaluate(subj, shipped, PUBLIC)
    out = apply_decision(table, decision, now=datetime(2026, 11, 30), time_field="time")
    assert "contact_person" not in out.column_names and "contact_phone" not in out.column_names
    normal = [(t, v) for t, v, f in zip(table["time"].to_pylist(), table["avg"].to_pylist(),
                                        table["flag"].to_pylist(), strict=True) if f == "N"]
    by_day: dict[datetime, list[float]] = defaultdict(list)
    for t, v in normal:
        by_day[datetime(t.year, t.month, t.day)].append(v)
    rows = out.to_pylist()
    assert [r["time"] for r in rows] == sorted(by_day)
    for row in rows:
        values = by_day[row["time"]]
        assert row["avg_mean"] == pytest.approx(statistics.mean(values))
        assert (row["avg_min"], row["avg_max"], row["avg_count"]) == (min(values), max(values), len(values))
        assert row["mn"] == "88888880000001" and row["factor_code"] == "w01018"


def test_delay_keeps_only_rows_old_enough_and_boundary_is_inclusive() -> None:
    decision = evaluate(subject(("time", "datetime", ()), ("pm25", "number", ())),
                        rules({"id": "d", "description": "延迟", "delay": "1h"}), PUBLIC)
    times = [datetime(2026, 11, 29, h, tzinfo=CST) for h in (9, 10, 11)] + [None]
    table = pa.table({"time": pa.array(times, pa.timestamp("s", tz="Asia/Shanghai")), "pm25": [35.0, 41.0, 38.0, 1.0]})
    out = apply_decision(table, decision, now=datetime(2026, 11, 29, 11, tzinfo=CST), time_field="time")
    assert out["pm25"].to_pylist() == [35.0, 41.0]
    with pytest.raises(RedactionError, match="timezone"):
        apply_decision(table, decision, now=datetime(2026, 11, 29, 11), time_field="time")
    with pytest.raises(RedactionError, match="time field"):
        apply_decision(table, decision, now=datetime(2026, 11, 29, 11, tzinfo=UTC), time_field=None)


def test_delay_on_text_times_in_the_same_wall_clock() -> None:
    decision = evaluate(subject(("time", "string", ()), ("pm25", "number", ())),
                        rules({"id": "d", "description": "延迟", "delay": "P1D"}), PUBLIC)
    table = pa.table({"time": ["2026-11-27 08:00:00", "2026-11-28 09:00:00"], "pm25": [12.0, 13.0]})
    out = apply_decision(table, decision, now=datetime(2026, 11, 29, 8, 30), time_field="time")
    assert out["pm25"].to_pylist() == [12.0]


MASKS = [
    ({"keep_first": 3, "keep_last": 4}, "13983001234", "139****1234"),
    ({"keep_first": 1}, "李建国", "李**"),
    ({"keep_first": 1, "keep_last": 1}, "王五", "**"),
    ({"keep_first": 2, "char": "#"}, "重庆长寿化工", "重庆####"),
]


@pytest.mark.parametrize(("params", "original", "masked"), MASKS)
def test_mask_patterns(params, original, masked) -> None:
    decision = evaluate(subject(("v", "string", ())), rules(
        {"id": "m", "description": "遮盖", "fields": [{"field": "v", "action": "mask", **params}]}), PUBLIC)
    out = apply_decision(pa.table({"v": [original, None]}), decision, now=datetime(2026, 1, 1), time_field=None)
    assert out["v"].to_pylist() == [masked, None]


def test_round_and_coarsen() -> None:
    decision = evaluate(
        subject(("lon", "number", ("precise-location",)), ("lat", "string", ("precise-location",)),
                ("time", "datetime", ())),
        rules({"id": "r", "description": "取舍", "fields": [
            {"tag": "precise-location", "action": "round", "decimals": 2},
            {"field": "time", "action": "coarsen", "unit": "month"}]}), PUBLIC)
    table = pa.table({"lon": [106.551234, 107.4], "lat": ["29.563987", "30.1"],
                      "time": pa.array([datetime(2026, 11, 29, 8, 15), datetime(2026, 2, 1)], pa.timestamp("s"))})
    out = apply_decision(table, decision, now=datetime(2026, 12, 1), time_field="time").to_pylist()
    assert [r["lon"] for r in out] == [pytest.approx(106.55), pytest.approx(107.4)]
    assert [r["lat"] for r in out] == [pytest.approx(29.56), pytest.approx(30.1)]
    assert [r["time"] for r in out] == [datetime(2026, 11, 1), datetime(2026, 2, 1)]


@pytest.mark.parametrize(("entry", "kept"), [
    ({"field": "station_name", "drop_if_matches": "^测试"}, ["解放碑", "两路口", None]),
    ({"field": "flag", "drop_if_in": ["F", "M"]}, ["解放碑", "测试点", None]),
    ({"field": "station_name", "drop_if_null": True}, ["解放碑", "测试点", "两路口"]),
    ({"field": "flag", "keep_if_in": ["N"]}, ["解放碑"]),
])
def test_row_filters(entry, kept) -> None:
    decision = evaluate(subject(("station_name", "string", ()), ("flag", "string", ())),
                        rules({"id": "f", "description": "过滤", "row_filter": [entry]}), PUBLIC)
    table = pa.table({"station_name": ["解放碑", "测试点", "两路口", None], "flag": ["N", "D", "M", None]})
    out = apply_decision(table, decision, now=datetime(2026, 1, 1), time_field=None)
    assert out["station_name"].to_pylist() == kept


def test_undeclared_columns_are_removed_except_for_the_owner() -> None:
    subj = subject(("pm25", "number", ()))
    table = pa.table({"pm25": [35.0], "inspector_id_card": ["500103199001011234"]})
    public = apply_decision(table, evaluate(subj, rules(), PUBLIC), now=datetime(2026, 1, 1), time_field=None)
    owner = apply_decision(table, evaluate(subj, rules(), Audience.owner("cq-sthjj")),
                           now=datetime(2026, 1, 1), time_field=None)
    assert public.column_names == ["pm25"]
    assert owner.column_names == ["pm25", "inspector_id_card"]


def test_unsafe_applications_raise() -> None:
    subj = subject(("pm25", "number", ()), ("flag", "string", ()))
    filtering = rules({"id": "f", "description": "过滤", "row_filter": [{"field": "flag", "keep_if_in": ["N"]}]})
    with pytest.raises(RedactionError, match="flag"):
        apply_decision(pa.table({"pm25": [1.0]}), evaluate(subj, filtering, PUBLIC), now=datetime(2026, 1, 1),
                       time_field=None)
    closed = evaluate(subject(("pm25", "number", ()), open_type="不予开放", share_type="不予共享"), rules(), PUBLIC)
    with pytest.raises(RedactionError, match="deny"):
        apply_decision(pa.table({"pm25": [1.0]}), closed, now=datetime(2026, 1, 1), time_field=None)
    assert preview(pa.table({"pm25": [1.0]}), closed, datetime(2026, 1, 1))["row_count"] == 0


def test_preview_reports_fields_rows_delay_and_channels(shipped) -> None:
    table = pollution_table()
    subj = Subject("cq-psm", "cq-sthjj", themes=("pollution-source",),
                   fields=tuple((n, "string", ()) for n in table.column_names))
    result = preview(table, evaluate(subj, shipped, PUBLIC), datetime(2026, 11, 30), time_field="time")
    json.dumps(result, ensure_ascii=False)
    assert result["rows_in"] == 5 and result["row_count"] == 2
    assert [f["name"] for f in result["fields"]] == ["mn", "enterprise_name", "factor_code", "time", "avg_mean",
                                                     "avg_min", "avg_max", "avg_count"]
    assert result["channels"] == ["bulk", "data_api", "dcat", "download", "portal"]


def _chongqing_stations(corpora) -> pa.Table:
    rows = []
    for name in ("archive_2017-07-07-16.geojson", "airnow_2018-02-20T07.geojson"):
        data = json.loads((corpora / "envdata" / "cnemc-realtime" / name).read_text(encoding="utf-8"))
        for feature in data["features"]:
            props = feature["properties"]
            if props["area"] == "重庆市":
                pm25 = props["pm2_5"]
                rows.append({"station_code": props["stationcode"], "station_name": props["positionname"],
                             "time": datetime.fromisoformat(props["timepoint"]),
                             "pm25": None if pm25 in ("-;", "—") else float(pm25),
                             "lon": feature["geometry"]["coordinates"][0],
                             "lat": feature["geometry"]["coordinates"][1]})
    return pa.Table.from_pylist(rows)


def test_real_cnemc_chongqing_stations_round_and_delay(corpora, shipped) -> None:
    table = _chongqing_stations(corpora)
    assert table.num_rows >= 30
    subj = Subject("cq-air-hourly-cnemc", "cq-sthjj", themes=("air", "radiation"), update_cycle="实时",
                   fields=(("station_code", "string", ()), ("station_name", "string", ()),
                           ("time", "datetime", ()), ("pm25", "number", ()),
                           ("lon", "number", ("precise-location",)), ("lat", "number", ("precise-location",))))
    now = datetime(2018, 2, 20, 7, 30)
    out = apply_decision(table, evaluate(subj, shipped, PUBLIC), now=now, time_field="time")
    expected = [r for r in table.to_pylist() if r["time"] <= now - timedelta(hours=1)]
    assert out.num_rows == len(expected) and out.num_rows < table.num_rows
    for got, raw in zip(out.to_pylist(), expected, strict=True):
        assert got["station_name"] == raw["station_name"]
        assert abs(got["lon"] - raw["lon"]) <= 0.005 + 1e-9 and round(got["lon"], 2) == got["lon"]


def test_real_chongqing_daily_aqi_aggregates_to_months(corpora) -> None:
    path = corpora / "envdata" / "aqistudy-city-daily" / "chongqing.csv"
    with path.open(encoding="utf-8") as handle:
        raw = [r for r in csv.DictReader(handle) if r["PM2.5"] not in ("", "NA")]
    table = pa.table({"日期": pa.array([datetime.fromisoformat(r["日期"]) for r in raw], pa.timestamp("s")),
                      "AQI级别": [r["AQI级别"] for r in raw], "PM2.5": [float(r["PM2.5"]) for r in raw]})
    subj = subject(("日期", "date", ()), ("AQI级别", "string", ()), ("PM2.5", "number", ()))
    monthly = rules({"id": "m", "description": "月汇总", "aggregate": {
        "period": "month", "functions": ["mean", "count"], "group_by": []}})
    out = apply_decision(table, evaluate(subj, monthly, PUBLIC), now=datetime(2026, 1, 1), time_field="日期")
    months: dict[str, list[float]] = defaultdict(list)
    for r in raw:
        months[r["日期"][:7]].append(float(r["PM2.5"]))
    assert out.column_names == ["日期", "PM2.5_mean", "PM2.5_count"]
    got = {row["日期"].strftime("%Y-%m"): row for row in out.to_pylist()}
    assert set(got) == set(months)
    for month, values in months.items():
        assert got[month]["PM2.5_mean"] == pytest.approx(statistics.mean(values))
        assert got[month]["PM2.5_count"] == len(values)


def test_daily_buckets_follow_the_data_time_zone() -> None:
    decision = evaluate(subject(("station_code", "string", ()), ("time", "datetime", ()), ("pm25", "number", ())),
                        rules({"id": "a", "description": "日汇总", "min_aggregation": "day"}), PUBLIC)
    times = [datetime(2026, 11, 29, 0, 30, tzinfo=CST), datetime(2026, 11, 29, 23, 30, tzinfo=CST)]
    table = pa.table({"station_code": ["500103051"] * 2,
                      "time": pa.array(times, pa.timestamp("s", tz="Asia/Shanghai")), "pm25": [20.0, 40.0]})
    out = apply_decision(table, decision, now=datetime(2026, 12, 1, tzinfo=CST), time_field="time").to_pylist()
    assert len(out) == 1
    assert out[0]["time"] == datetime(2026, 11, 29, tzinfo=CST)
    assert (out[0]["pm25_mean"], out[0]["pm25_count"]) == (30.0, 2)
