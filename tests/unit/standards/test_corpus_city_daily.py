"""Real published daily city AQI (aqistudy.cn, from CNEMC city daily reports, 2013-12..2017-05).

The file gives the six daily concentrations rounded to integers (CO one decimal) but not O3's daily
max 1 h, and the city published its AQI from unrounded concentrations.  So on days a particle
pollutant is primary, our 2012 daily AQI must agree within ±1; a wrong breakpoint or rounding rule
shows up as larger differences on many days.
"""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from catalog.standards import add_aqi

NAMES = ["date", "aqi_published", "category_published", "pm2_5_24h", "pm10_24h", "so2_24h",
         "co_24h", "no2_24h", "o3_8h", "rank"]


def _chongqing(corpora: Path) -> pa.Table:
    table = pacsv.read_csv(corpora / "envdata" / "aqistudy-city-daily" / "chongqing.csv")
    assert table.column_names[:3] == ["日期", "AQI", "AQI级别"]
    return table.rename_columns(NAMES)


def test_particle_days_agree_within_one(corpora: Path) -> None:
    out = add_aqi(_chongqing(corpora), time_field="date", kind="daily")
    assert set(out.column("standard").to_pylist()) == {"HJ 633-2012"}
    particle = out.filter(pc.is_in(out.column("primary_pollutant").cast(pa.string()),
                                   pa.array(["PM2.5", "PM10", "PM10,PM2.5"])))
    assert particle.num_rows > 700  # 重庆 winters are particle-driven
    diff = np.asarray(particle.column("aqi").to_pylist()) - np.asarray(
        particle.column("aqi_published").to_pylist())
    share_within_one = float(np.mean(np.abs(diff) <= 1))
    assert share_within_one >= 0.995, share_within_one


def test_categories_agree(corpora: Path) -> None:
    out = add_aqi(_chongqing(corpora), time_field="date", kind="daily")
    same = pc.equal(out.column("category").cast(pa.string()), out.column("category_published"))
    assert pc.sum(same).as_py() / out.num_rows >= 0.99
