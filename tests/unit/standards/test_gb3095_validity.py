"""GB 3095 validity minimums in ``daily_means``: exactly at the minimum, one below, flags other than N.

Hourly rows are stamped with the start of their hour (HJ 212 DataTime) unless a test says otherwise.
"""

from datetime import date, datetime, timedelta

import pyarrow as pa
import pytest

from catalog.standards import StandardsInputError, add_aqi, daily_means, published_text

DAY = datetime(2026, 4, 12)
STATION = "500106052"  # 沙坪坝区 station code, as the CNEMC list writes them


def _hours(pollutant: str, values: dict[int, float], flags: dict[int, str] | None = None,
           station: str = STATION, day: datetime = DAY) -> list[dict]:
    flags = flags or {}
    return [{"station_code": station, "time": day + timedelta(hours=h), pollutant: v,
             f"{pollutant}_flag": flags.get(h, "N")} for h, v in values.items()]


def _one(rows: list[dict], **kwargs) -> dict:
    out = daily_means(pa.Table.from_pylist(rows), time_field="time", **kwargs).to_pylist()
    assert len(out) == 1
    return out[0]


def test_24h_mean_needs_20_valid_hours():
    twenty = {h: 30.0 + h for h in range(20)}  # mean of 30..49 = 39.5
    row = _one(_hours("pm2_5", twenty))
    assert (row["pm2_5_24h"], row["pm2_5_24h_n"], row["pm2_5_24h_mark"]) == (39.5, 20, None)
    nineteen = {h: 30.0 + h for h in range(19)}
    row = _one(_hours("pm2_5", nineteen))
    assert (row["pm2_5_24h"], row["pm2_5_24h_n"], row["pm2_5_24h_mark"]) == (None, 19, "NA")


@pytest.mark.parametrize("flag", ["F", "M", "S", "D", "C", "T", "B", None])
def test_only_n_flagged_hours_count(flag):
    values = {h: 12.0 for h in range(24)}
    values.update({h: 900.0 for h in range(20, 24)})  # the suspect hours carry absurd values
    flags = {h: flag for h in range(20, 24)}
    row = _one(_hours("so2", values, flags))
    assert (row["so2_24h"], row["so2_24h_n"]) == (12.0, 20)
    flags[19] = flag
    row = _one(_hours("so2", values, flags))
    assert (row["so2_24h"], row["so2_24h_mark"]) == (None, "NA")


def test_other_valid_flags_can_be_named():
    values = {h: 0.8 for h in range(24)}
    flags = {h: "3" for h in range(24)}  # HJ/T 212-2005 air stations: 3 = 正常
    assert _one(_hours("co", values, flags))["co_24h_mark"] == "NA"
    assert _one(_hours("co", values, flags), valid_flags=("N", "3"))["co_24h"] == pytest.approx(0.8)


def test_pollutant_absent_is_not_monitored():
    row = _one(_hours("no2", {h: 40.0 for h in range(24)}))
    assert (row["no2_24h"], row["no2_24h_mark"]) == (40.0, None)
    assert (row["pm10_24h"], row["pm10_24h_mark"]) == (None, "/")
    assert (row["o3_8h"], row["o3_8h_mark"], row["o3_1h_mark"]) == (None, "/", "/")


def test_missing_flag_column_is_an_error():
    table = pa.table({"station_code": [STATION], "time": [DAY], "so2": [10.0]})
    with pytest.raises(StandardsInputError) as err:
        daily_means(table, time_field="time")
    assert "so2_flag" in err.value.message


def test_o3_8h_window_needs_6_valid_hours():
    # Hours 18..23 at 200, all others 100.  Window 16..23 with hours 16 and 17 invalid still has
    # 6 valid hours -> mean 200 is the daily maximum; all 17 windows have >= 6 hours.
    values = {h: (200.0 if h >= 18 else 100.0) for h in range(24)}
    row = _one(_hours("o3", values, {16: "D", 17: "D"}))
    assert (row["o3_8h"], row["o3_8h_n"], row["o3_8h_mark"]) == (200.0, 17, None)
    # With hour 18 invalid too, windows starting 11..16 have only 5 valid hours: 11 windows remain
    # (< 14) and their maximum 100 does not exceed 160, so the day is NA.
    row = _one(_hours("o3", values, {16: "D", 17: "D", 18: "D"}))
    assert (row["o3_8h"], row["o3_8h_n"], row["o3_8h_mark"]) == (None, 11, "NA")


def test_o3_daily_max_needs_14_valid_8h_means():
    # Valid hours 0..18: windows starting 0..11 have 8 hours, 12 has 7, 13 has 6, 14 has 5 -> 14 valid.
    values = {h: 80.0 + h for h in range(19)}
    row = _one(_hours("o3", values))
    # Best valid window starts at 13: hours 13..18 (6 valid) -> mean of 93..98 = 95.5
    assert (row["o3_8h"], row["o3_8h_n"], row["o3_8h_mark"]) == (95.5, 14, None)
    # Valid hours 0..17 -> windows 0..13 minus 13 (5 hours) -> 13 valid: NA.
    row = _one(_hours("o3", {h: 80.0 + h for h in range(18)}))
    assert (row["o3_8h"], row["o3_8h_n"], row["o3_8h_mark"]) == (None, 13, "NA")


def test_short_o3_day_counts_when_it_already_exceeds_the_limit():
    short_high = {h: 170.0 for h in range(18)}  # 13 valid windows, max 170 > 160 (二级)
    row = _one(_hours("o3", short_high))
    assert (row["o3_8h"], row["o3_8h_mark"]) == (170.0, None)
    assert _one(_hours("o3", short_high), o3_exceedance_counts=False)["o3_8h_mark"] == "NA"
    short_at_limit = {h: 160.0 for h in range(18)}  # 160 does not exceed 160
    assert _one(_hours("o3", short_at_limit))["o3_8h_mark"] == "NA"
    short_zone1 = {h: 101.0 for h in range(18)}  # 一类区 limit 100
    assert _one(_hours("o3", short_zone1), zone=1)["o3_8h"] == 101.0
    assert _one(_hours("o3", short_zone1), zone=2)["o3_8h_mark"] == "NA"


def test_o3_daily_max_1h():
    values = {h: 50.0 + 5 * h for h in range(24)}  # max at hour 23: 165
    row = _one(_hours("o3", values, {23: "C"}))
    assert (row["o3_1h"], row["o3_1h_n"]) == (160.0, 23)


def test_days_and_stations_are_separated():
    rows = (_hours("pm10", {h: 60.0 for h in range(24)})
            + _hours("pm10", {h: 90.0 for h in range(24)}, station="500112001")
            + _hours("pm10", {h: 70.0 for h in range(24)}, day=DAY + timedelta(days=1)))
    out = daily_means(pa.Table.from_pylist(rows), time_field="time").sort_by(
        [("station_code", "ascending"), ("date", "ascending")]).to_pylist()
    got = [(r["station_code"], r["date"], r["pm10_24h"]) for r in out]
    assert got == [(STATION, date(2026, 4, 12), 60.0), (STATION, date(2026, 4, 13), 70.0),
                   ("500112001", date(2026, 4, 12), 90.0)]


def test_hours_stamped_at_their_end():
    # Stamps 01:00 .. 24:00 (the last is 00:00 next day) are the 24 hours of 12 April.
    rows = [{"station_code": STATION, "time": DAY + timedelta(hours=h), "no2": 20.0 + h, "no2_flag": "N"}
            for h in range(1, 25)]
    out = daily_means(pa.Table.from_pylist(rows), time_field="time", hour_label="end").to_pylist()
    assert [(r["date"], r["no2_24h"], r["no2_24h_n"]) for r in out] == [(date(2026, 4, 12), 32.5, 24)]
    out = daily_means(pa.Table.from_pylist(rows), time_field="time").to_pylist()
    assert [r["no2_24h_n"] for r in out] == [23, 1]  # start-stamped: the last stamp opens 13 April


def test_daily_means_feed_the_daily_aqi_and_publish_na_and_slash():
    rows = _hours("pm2_5", {h: 80.0 for h in range(24)}) + _hours("so2", {h: 9.0 for h in range(19)})
    columns = ["station_code", "time", "pm2_5", "pm2_5_flag", "so2", "so2_flag"]
    table = pa.table({c: [r.get(c) for r in rows] for c in columns})
    days = daily_means(table, time_field="time")
    out = add_aqi(days, time_field="date", kind="daily")
    # 2026 daily, SO2 invalid (19 h) and PM2.5 80 -> 100 + 50*20/55 = 118.2 -> 119 > 100: published.
    assert out.column("aqi").to_pylist() == [119]
    assert published_text(days, "so2_24h").to_pylist() == ["NA"]
    assert published_text(days, "pm10_24h").to_pylist() == ["/"]
    assert published_text(days, "pm2_5_24h").to_pylist() == ["80"]
