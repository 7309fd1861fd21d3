"""Throughput of the standards calculators on synthetic Chongqing station data.

Run: .venv/bin/python bench/standards.py [rows]   Prints `name: value unit` lines.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pyarrow as pa

from catalog.standards import add_aqi, add_water_class, daily_means


def hourly_table(rows: int, seed: int = 7) -> pa.Table:
    rng = np.random.default_rng(seed)
    # Hours spread over 2025-2027 so both HJ 633 editions are exercised.
    start = np.datetime64("2025-06-01T00:00", "h").astype(np.int64)
    hours = start + rng.integers(0, 24 * 365 * 2, rows)
    cols: dict[str, pa.Array] = {"time": pa.array(hours.astype("datetime64[h]").astype("datetime64[s]"))}
    for key, scale in {"so2_1h": 12, "no2_1h": 40, "co_1h": 0.9, "o3_1h": 90, "o3_8h": 80,
                       "pm10_24h": 70, "pm2_5_24h": 45, "pm10_1h": 70, "pm2_5_1h": 45}.items():
        values = rng.gamma(2.0, scale / 2.0, rows).round(0 if key != "co_1h" else 1)
        cols[key] = pa.array(values, mask=rng.random(rows) < 0.01)
    return pa.table(cols)


def rate(name: str, rows: int, fn) -> None:
    fn()  # warm-up
    began = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - began
    print(f"{name}: {rows / elapsed:,.0f} rows/s")
    print(f"{name}_seconds: {elapsed:.3f} s")


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    table = hourly_table(rows)
    rate("add_aqi_hourly", rows, lambda: add_aqi(table, time_field="time", kind="hourly"))

    stations = np.array([f"5001{i:05d}" for i in range(40)])
    rng = np.random.default_rng(3)
    hourly = pa.table({
        "station_code": pa.array(stations[np.arange(rows) % 40]),
        "time": pa.array((np.datetime64("2026-01-01T00:00", "h") + np.arange(rows) // 40)
                         .astype("datetime64[s]")),
        **{p: pa.array(rng.gamma(2.0, 20.0, rows)) for p in ("so2", "no2", "co", "o3", "pm10", "pm2_5")},
        **{f"{p}_flag": pa.array(np.where(rng.random(rows) < 0.03, "D", "N"))
           for p in ("so2", "no2", "co", "o3", "pm10", "pm2_5")},
    })
    rate("daily_means", rows, lambda: daily_means(hourly, time_field="time"))

    water = pa.table({f: pa.array(rng.gamma(2.0, s, rows)) for f, s in
                      {"do": 3.0, "codmn": 2.0, "nh3_n": 0.3, "tp": 0.05, "cod": 8.0, "bod5": 1.5}.items()})
    rate("add_water_class", rows, lambda: add_water_class(water, "river"))


if __name__ == "__main__":
    main()
