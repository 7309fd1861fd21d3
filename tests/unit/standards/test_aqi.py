"""AQI, levels, primary pollutants and the edition rules of HJ 633-2012 / HJ 633-2026.

Every expected number is worked by hand from domain-standards §3.1; the arithmetic is in the comments.
"""

from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from catalog.standards import StandardsInputError, add_aqi, aqi, iaqi

AT_2012 = datetime(2025, 12, 1, 10)
AT_2026 = datetime(2026, 6, 1, 10)


@pytest.mark.parametrize(
    ("so2", "expected_aqi", "level", "category", "colour", "rgb"),
    [
        (50, 50, "一级", "优", "绿色", (0, 228, 0)),
        (51, 51, "二级", "良", "黄色", (255, 255, 0)),  # 50 + 50*1/100 = 50.5 -> 51
        (150, 100, "二级", "良", "黄色", (255, 255, 0)),
        (152, 101, "三级", "轻度污染", "橙色", (255, 126, 0)),  # 100 + 50*2/325 = 100.3 -> 101
        (475, 150, "三级", "轻度污染", "橙色", (255, 126, 0)),
        (476, 151, "四级", "中度污染", "红色", (255, 0, 0)),  # 150 + 50*1/325 -> 151
        (800, 200, "四级", "中度污染", "红色", (255, 0, 0)),
        (801, 201, "五级", "重度污染", "紫色", (153, 0, 76)),  # 200 + 100*1/800 -> 201
        (1600, 300, "五级", "重度污染", "紫色", (153, 0, 76)),
        (1601, 301, "六级", "严重污染", "褐红色", (126, 0, 35)),  # 300 + 100*1/500 -> 301
    ],
)
def test_level_boundaries(so2, expected_aqi, level, category, colour, rgb):
    result = aqi({"so2_24h": so2}, date(2025, 5, 4), kind="daily")
    assert (result.aqi, result.level, result.category, result.colour, result.colour_rgb) == (
        expected_aqi, level, category, colour, rgb)
    assert result.primary_pollutants == (() if expected_aqi <= 50 else ("SO2",))


def test_health_advice_follows_the_level():
    result = aqi({"pm2_5_24h": 160}, date(2025, 1, 15), kind="daily")  # 200 + 100*10/100 = 210
    assert result.aqi == 210
    assert result.health_effect == "心脏病和肺病患者症状显著加剧，运动耐受力降低，健康人群普遍出现症状"
    assert result.advice.startswith("儿童、老年人和心脏病、肺病患者应停留在室内")


def test_primary_pollutant_ties_are_all_listed():
    values = {"so2_24h": 9, "no2_24h": 80, "co_24h": 0.6, "o3_1h": 60, "o3_8h": 48,
              "pm10_24h": 150, "pm2_5_24h": 75}
    # 2012: NO2 80 -> 100, PM10 150 -> 100, PM2.5 75 -> 100: three-way tie, listed in table order.
    result = aqi(values, date(2025, 12, 20), kind="daily")
    assert result.aqi == 100
    assert result.primary_pollutants == ("NO2", "PM10", "PM2.5")
    # 2026: PM10 150 -> 100 + 50*30/130 = 111.5 -> 112; PM2.5 75 -> 100 + 50*15/55 = 113.6 -> 114.
    result = aqi({k: v for k, v in values.items() if k != "o3_1h"}, date(2026, 12, 20), kind="daily")
    assert (result.aqi, result.primary_pollutants) == (114, ("PM2.5",))
    assert result.iaqi["pm10_24h"] == 112


def test_no_primary_pollutant_when_the_tie_is_at_or_below_50():
    result = aqi({"pm2_5_24h": 35, "pm10_24h": 50, "no2_24h": 12}, date(2025, 9, 9), kind="daily")
    assert (result.aqi, result.primary_pollutants, result.category) == (50, (), "优")


def _hourly_pair() -> pa.Table:
    # Same concentrations either side of the cut-over, both named as each edition wants them.
    row = {"so2_1h": 10.0, "no2_1h": 20.0, "co_1h": 0.5, "o3_1h": 50.0, "o3_8h": 40.0,
           "pm10_24h": 130.0, "pm2_5_24h": 70.0, "pm10_1h": 130.0, "pm2_5_1h": 70.0}
    times = [datetime(2026, 2, 28, 23), datetime(2026, 3, 1, 0)]
    return pa.Table.from_pylist([{"station_code": "500103051", "time": t, **row} for t in times])


def test_cut_over_instant_chooses_the_edition_per_row():
    out = add_aqi(_hourly_pair(), time_field="time", kind="hourly", with_iaqi=True).to_pylist()
    # 23:00 (2012 real-time): PM10 24 h 130 -> 50 + 50*80/100 = 90; PM2.5 24 h 70 -> 50 + 50*35/40 = 93.75 -> 94
    assert (out[0]["standard"], out[0]["aqi"], out[0]["category"]) == ("HJ 633-2012", 94, "良")
    assert out[0]["iaqi_pm10_24h"] == 90
    # 00:00 (2026 real-time): PM10 1 h 130 -> 100 + 50*10/130 = 103.8 -> 104; PM2.5 1 h 70 -> 100 + 50*10/55 = 109.1 -> 110
    assert (out[1]["standard"], out[1]["aqi"], out[1]["category"]) == ("HJ 633-2026", 110, "轻度污染")
    assert (out[1]["iaqi_pm10_1h"], out[1]["primary_pollutant"]) == (104, "PM2.5")
    assert out[1]["iaqi_o3_8h"] is None  # the 2026 real-time report has no O3 8 h


def test_cut_over_with_utc_times_and_other_zones():
    table = _hourly_pair().drop_columns(["time"])
    utc = pa.array([datetime(2026, 2, 28, 15, 59, 59, tzinfo=UTC),
                    datetime(2026, 2, 28, 16, 0, tzinfo=UTC)], pa.timestamp("s", "UTC"))
    out = add_aqi(table.append_column("time", utc), time_field="time")
    assert out.column("standard").to_pylist() == ["HJ 633-2012", "HJ 633-2026"]
    naive_utc = pa.array([datetime(2026, 2, 28, 15), datetime(2026, 2, 28, 16)], pa.timestamp("ms"))
    out = add_aqi(table.append_column("time", naive_utc), time_field="time", tz="UTC")
    assert out.column("standard").to_pylist() == ["HJ 633-2012", "HJ 633-2026"]


def test_daily_rows_by_date():
    table = pa.table({"day": pa.array([date(2026, 2, 28), date(2026, 3, 1)]), "pm2_5_24h": [70.0, 70.0]})
    out = add_aqi(table, time_field="day", kind="daily")
    # 2012: 50 + 50*35/40 = 93.75 -> 94; 2026: 100 + 50*10/55 = 109.1 -> 110
    assert out.column("aqi").to_pylist() == [94, 110]


@pytest.mark.parametrize(
    ("key", "conc", "expected_2012", "expected_2026"),
    [
        # 2026 first rounds half to even (GB/T 8170): 35.5 -> 36, 34.5 -> 34.
        ("pm2_5_24h", 35.5, 51, 52),  # 2012: 50 + 50*0.5/40 = 50.6 -> 51; 2026: 50 + 50*1/25 = 52
        ("pm2_5_24h", 34.5, 50, 49),  # 2012: 50*34.5/35 = 49.3 -> 50;    2026: 50*34/35 = 48.6 -> 49
        ("pm10_24h", 120.5, 86, 100),  # 2012: 50 + 50*70.5/100 = 85.25 -> 86; 2026: 120 -> 100
        ("pm10_24h", 121.5, 86, 101),  # 2026: 122 -> 100 + 50*2/130 = 100.8 -> 101
        ("co_24h", 2.15, 54, 55),  # 2012: 50 + 50*0.15/2 = 53.75 -> 54; 2026: 2.2 -> 55
        ("co_24h", 2.25, 57, 55),  # 2012: 50 + 50*0.25/2 = 56.25 -> 57; 2026: 2.2 (2 is even) -> 55
        ("co_24h", 1.15, 29, 30),  # 2012: 50*1.15/2 = 28.75 -> 29;      2026: 1.2 -> 30
    ],
)
def test_2026_rounds_concentrations_first(key, conc, expected_2012, expected_2026):
    pollutant, period = key.rsplit("_", 1)
    assert iaqi(pollutant, conc, period, AT_2012) == expected_2012
    assert iaqi(pollutant, conc, period, AT_2026) == expected_2026


def test_so2_1h_above_800():
    values = {"so2_1h": 900, "so2_24h": 200, "no2_1h": 40, "co_1h": 0.8, "o3_1h": 30, "o3_8h": 25,
              "pm10_24h": 60, "pm2_5_24h": 40}
    # 2012: report SO2's 24 h IAQI: 100 + 50*(200-150)/325 = 107.7 -> 108
    result = aqi(values, AT_2012)
    assert (result.aqi, result.iaqi["so2_1h"], result.primary_pollutants) == (108, 108, ("SO2",))
    # 2026: IAQI = 200 whatever the 24 h value
    hourly_2026 = {"so2_1h": 900, "no2_1h": 40, "co_1h": 0.8, "o3_1h": 30, "pm10_1h": 60, "pm2_5_1h": 40}
    result = aqi(hourly_2026, AT_2026)
    assert (result.aqi, result.category, result.primary_pollutants) == (200, "中度污染", ("SO2",))


def test_o3_8h_above_800():
    # 2012 daily: O3 8 h 850 reports the O3 1 h IAQI: 300 + 100*(900-800)/200 = 350; both O3 lines tie.
    result = aqi({"o3_8h": 850, "o3_1h": 900, "pm2_5_24h": 20}, date(2025, 6, 21), kind="daily")
    assert (result.aqi, result.primary_pollutants) == (350, ("O3_1h", "O3_8h"))
    # 2026 daily: IAQI = 300.
    result = aqi({"o3_8h": 850, "pm2_5_24h": 20}, date(2026, 6, 21), kind="daily")
    assert (result.aqi, result.level, result.primary_pollutants) == (300, "五级", ("O3_8h",))


@pytest.mark.parametrize(
    ("pm2_5", "expected"),
    [
        (60, None),  # 100 with PM10 missing: not > 100, so only single-pollutant values are published
        (61, 101),  # 100 + 50*1/55 = 100.9 -> 101 > 100: published from the remaining pollutants
    ],
)
def test_2026_missing_pollutant_publishes_only_an_aqi_above_100(pm2_5, expected):
    base = {"so2_1h": 8, "no2_1h": 35, "co_1h": 0.7, "o3_1h": 60, "pm10_1h": None, "pm2_5_1h": pm2_5}
    result = aqi(base, AT_2026)
    assert result.aqi == expected
    assert (result.level is None) == (expected is None)


def test_2012_computes_from_the_remaining_pollutants():
    base = {"so2_1h": 8, "no2_1h": 35, "co_1h": 0.7, "o3_1h": 60, "o3_8h": 50, "pm10_24h": None,
            "pm2_5_24h": 60}
    assert aqi(base, AT_2012).aqi == 82  # 50 + 50*25/40 = 81.25 -> 82


def test_not_monitored_is_not_missing():
    rows = [{"time": datetime(2026, 5, 1, 9), "so2_1h": 8.0, "no2_1h": 35.0, "co_1h": 0.7, "o3_1h": 60.0,
             "pm10_1h": None, "pm10_1h_mark": mark, "pm2_5_1h": 40.0} for mark in ("/", None)]
    out = add_aqi(pa.Table.from_pylist(rows), time_field="time").to_pylist()
    # 2026 PM2.5 40 -> 50 + 50*5/25 = 60; with PM10 not monitored the AQI stands, with PM10 missing it is NA.
    assert [r["aqi"] for r in out] == [60, None]
    # A column absent from the table is not monitored too.
    no_pm10 = pa.Table.from_pylist(rows).drop_columns(["pm10_1h", "pm10_1h_mark"])
    assert add_aqi(no_pm10, time_field="time").column("aqi").to_pylist() == [60, 60]


def test_aqi_range_floor_in_2026():
    zeros = {"so2_24h": 0, "no2_24h": 0, "co_24h": 0, "o3_8h": 0, "pm10_24h": 0, "pm2_5_24h": 0}
    assert aqi(zeros, date(2025, 1, 1), kind="daily").aqi == 0
    assert aqi(zeros, date(2027, 1, 1), kind="daily").aqi == 1  # 2026 range is 1-500 [verify]


def test_column_mapping_and_iaqi_columns():
    table = pa.table({"日期": pa.array([date(2025, 3, 3)]), "PM2.5": pa.array([115], pa.int64()),
                      "PM10": pa.array([None], pa.int64())})
    out = add_aqi(table, time_field="日期", kind="daily",
                  columns={"pm2_5_24h": "PM2.5", "pm10_24h": "PM10"}, with_iaqi=True)
    row = out.to_pylist()[0]
    assert (row["aqi"], row["iaqi_pm2_5_24h"], row["iaqi_pm10_24h"], row["colour_rgb"]) == (150, 150, None, "#FF7E00")
    assert out.schema.field("category").type == pa.dictionary(pa.int32(), pa.string())


def test_unusable_input_is_reported_in_chinese_and_english():
    table = pa.table({"time": ["2026-03-01 00:00"], "pm2_5_1h": [30.0]})
    with pytest.raises(StandardsInputError) as err:
        add_aqi(table, time_field="time")
    assert "观测时间" in err.value.message and "timestamp" in err.value.message_en
    with pytest.raises(StandardsInputError):
        add_aqi(pa.table({"time": [datetime(2026, 3, 1)]}), time_field="time", kind="weekly")
    with pytest.raises(StandardsInputError):
        add_aqi(pa.table({"time": pa.array([None], pa.timestamp("s")), "so2_1h": [1.0]}), time_field="time")
    with pytest.raises(StandardsInputError):
        add_aqi(pa.table({"time": [datetime(2026, 3, 1)], "so2_1h": ["12"]}), time_field="time")
    with pytest.raises(StandardsInputError):
        iaqi("pm2_5", 30, "1h", AT_2012)  # 2012 has no 1 h PM breakpoints
    with pytest.raises(StandardsInputError):
        iaqi("nox", 30, "1h", AT_2012)


def test_missing_and_negative_values_have_no_iaqi():
    assert iaqi("no2", None, "24h", AT_2012) is None
    assert iaqi("no2", -1, "24h", AT_2012) is None
    assert iaqi("pm10", 60, "1h", AT_2026) == 58  # 2026 1 h PM uses the daily table: 50 + 50*10/70 = 57.1 -> 58
