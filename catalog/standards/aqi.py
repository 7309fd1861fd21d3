"""HJ 633 AQI over pyarrow tables (``add_aqi``) and for single observations (``iaqi``, ``aqi``).

Each row is judged by the edition in force at its observation time: HJ 633-2012 before
2026-03-01 00:00 CST, HJ 633-2026 from then on (see ``timebase``).  Input columns are named by
indicator key (``so2_1h``, ``pm2_5_24h``, ``o3_8h`` …, see ``aqi_core.REPORTS``) or mapped with
``columns``.  A column that is absent, or a row whose ``<column>_mark`` is ``/``, is "not monitored";
a null value is "missing" (published as ``NA``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from catalog.standards import aqi_core
from catalog.standards.breakpoints.hj633 import LEVELS, POLLUTANT_LABELS
from catalog.standards.errors import StandardsInputError
from catalog.standards.timebase import edition_at, is_2026

NOT_MONITORED = "/"
_LABELS = list(POLLUTANT_LABELS.values())
_PERIODS = {"1h", "8h", "24h"}
_POLLUTANTS = {"so2", "no2", "co", "o3", "pm10", "pm2_5"}


@dataclass(frozen=True)
class AqiResult:
    edition: str
    aqi: int | None
    iaqi: dict[str, int | None] = field(default_factory=dict)
    primary_pollutants: tuple[str, ...] = ()
    level: str | None = None
    category: str | None = None
    colour: str | None = None
    colour_rgb: tuple[int, int, int] | None = None
    health_effect: str | None = None
    advice: str | None = None


def add_aqi(table: pa.Table, *, time_field: str, tz: str = "Asia/Shanghai", kind: str = "hourly",
            columns: Mapping[str, str] | None = None, with_iaqi: bool = False) -> pa.Table:
    """Append aqi, primary_pollutant, level, category, colour, colour_rgb, health_effect, advice and
    standard (``HJ 633-2012`` / ``HJ 633-2026``); with ``with_iaqi`` also ``iaqi_<key>`` per indicator."""
    aqi_core.report("2012", kind)  # validates kind
    names = {key: (columns or {}).get(key, key) for key in aqi_core.input_keys(kind)}
    values, monitored = _read_inputs(table, names)
    new2026 = is_2026(table.column(time_field), tz)
    result = _Result(table.num_rows)
    for edition, rows in (("2012", np.flatnonzero(~new2026)), ("2026", np.flatnonzero(new2026))):
        if len(rows):
            result.fill(edition, kind, rows, values, monitored)
    return result.append_to(table, with_iaqi)


def iaqi(pollutant: str, value: float | None, period: str, at: datetime | date) -> int | None:
    """IAQI of one concentration.  ``None`` when the value is missing, or beyond the SO2 1 h / O3 8 h
    tables under HJ 633-2012 (which then reports the SO2 24 h / O3 1 h IAQI instead)."""
    if pollutant not in _POLLUTANTS or period not in _PERIODS:
        raise StandardsInputError(f"未知的污染物或时段：{pollutant} {period}",
                                  f"unknown pollutant or period: {pollutant} {period}")
    edition = edition_at(at)
    table = _table_for(pollutant, period, edition)
    if value is None:
        return None
    out = _single(aqi_core.Indicator(table, table, ""), np.asarray([value], dtype=np.float64), edition)
    got = out[table][0]
    return None if np.isnan(got) else int(got)


def aqi(values: Mapping[str, float | None], at: datetime | date, kind: str = "hourly") -> AqiResult:
    """AQI of one observation.  ``values`` maps indicator keys to concentrations (None = missing);
    keys left out are not monitored."""
    when = pa.array([at])
    cols = {"t": when, **{k: pa.array([v], pa.float64()) for k, v in values.items()}}
    row = add_aqi(pa.table(cols), time_field="t", kind=kind, with_iaqi=True).slice(0, 1).to_pylist()[0]
    return _result_from_row(row, values)


def _table_for(pollutant: str, period: str, edition: str) -> str:
    if pollutant in ("pm10", "pm2_5") and period == "1h":
        if edition == "2012":
            raise StandardsInputError(
                "HJ 633-2012 没有颗粒物 1 小时浓度限值，实时报应使用 24 小时滑动平均值",
                "HJ 633-2012 has no 1-h PM breakpoints; use the 24-h moving mean",
            )
        return f"{pollutant}_24h"  # 2026 real-time PM uses the daily-mean breakpoints
    key = f"{pollutant}_{period}"
    if key not in aqi_core.BREAKPOINTS[edition]:
        raise StandardsInputError(f"HJ 633 没有 {pollutant} 的 {period} 浓度限值",
                                  f"HJ 633 has no {period} breakpoints for {pollutant}")
    return key


def _single(ind: aqi_core.Indicator, conc: np.ndarray, edition: str) -> dict[str, np.ndarray]:
    if edition == "2026":
        conc = aqi_core.concentration_2026(conc, ind.table)
    out = aqi_core.iaqi_array(conc, ind.table, edition)
    if edition == "2026" and ind.table in aqi_core.CAPPED_IAQI_2026:
        top = aqi_core.BREAKPOINTS[edition][ind.table][-1]
        out = np.where(conc > top, float(aqi_core.CAPPED_IAQI_2026[ind.table]), out)
    return {ind.key: out}


def _read_inputs(table: pa.Table, names: Mapping[str, str]) -> tuple[dict[str, np.ndarray],
                                                                     dict[str, np.ndarray]]:
    values: dict[str, np.ndarray] = {}
    monitored: dict[str, np.ndarray] = {}
    for key, name in names.items():
        if name not in table.column_names:
            continue
        col = table.column(name)
        if not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)
                or pa.types.is_decimal(col.type) or pa.types.is_null(col.type)):
            raise StandardsInputError(f"字段 {name} 应为数值型浓度，实际为 {col.type}",
                                      f"column {name} must be numeric, got {col.type}")
        values[key] = np.asarray(col.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
        monitored[key] = _monitored_mask(table, name)
    return values, monitored


def _monitored_mask(table: pa.Table, name: str) -> np.ndarray:
    mark = f"{name}_mark"
    if mark not in table.column_names:
        return np.ones(table.num_rows, dtype=bool)
    flags = pc.fill_null(pc.equal(table.column(mark), NOT_MONITORED), False)
    return ~np.asarray(flags.to_numpy(zero_copy_only=False), dtype=bool)


class _Result:
    """Output arrays filled edition by edition, then turned into Arrow columns."""

    def __init__(self, n: int) -> None:
        self.aqi = np.full(n, np.nan)
        self.primary = np.zeros(n, dtype=np.int64)
        self.iaqi: dict[str, np.ndarray] = {}
        self.standard = np.zeros(n, dtype=np.int8)

    def fill(self, edition: str, kind: str, rows: np.ndarray, values: dict[str, np.ndarray],
             monitored: dict[str, np.ndarray]) -> None:
        every = len(rows) == len(self.aqi)  # one edition only: skip the gather copies
        sub = {k: np.where(monitored[k], v, np.nan) if every else np.where(monitored[k][rows], v[rows], np.nan)
               for k, v in values.items()}
        iaqis = aqi_core.report_iaqis(sub, edition, kind)
        missing = np.zeros(len(rows), dtype=bool)
        for key, arr in iaqis.items():
            missing |= monitored[key][rows] & np.isnan(arr)
            self.iaqi.setdefault(key, np.full(len(self.aqi), np.nan))[rows] = arr
        if iaqis:
            aqi = aqi_core.combine(iaqis, missing, edition)
            self.aqi[rows] = aqi
            self.primary[rows] = aqi_core.primary_masks(iaqis, aqi, _LABELS)
        self.standard[rows] = 1 if edition == "2026" else 0

    def append_to(self, table: pa.Table, with_iaqi: bool) -> pa.Table:
        level = aqi_core.level_index(self.aqi)
        out = table
        out = out.append_column("aqi", pa.array(self.aqi, pa.float64(), from_pandas=True).cast(pa.int16()))
        out = out.append_column("primary_pollutant", _primary_column(self.primary))
        for name, values in _level_columns(level).items():
            out = out.append_column(name, values)
        out = out.append_column("standard", pa.DictionaryArray.from_arrays(
            pa.array(self.standard), pa.array(["HJ 633-2012", "HJ 633-2026"])))
        if with_iaqi:
            for key, arr in self.iaqi.items():
                out = out.append_column(f"iaqi_{key}", pa.array(arr, from_pandas=True).cast(pa.int16()))
        return out


def _dictionary(indices: np.ndarray, words: list[str]) -> pa.DictionaryArray:
    idx = pa.array(indices.astype(np.int32), mask=indices < 0)
    return pa.DictionaryArray.from_arrays(idx, pa.array(words, pa.string()))


def _level_columns(level: np.ndarray) -> dict[str, pa.DictionaryArray]:
    pick = {
        "level": [lv.level for lv in LEVELS], "category": [lv.category for lv in LEVELS],
        "colour": [lv.colour for lv in LEVELS], "colour_rgb": [lv.hex for lv in LEVELS],
        "health_effect": [lv.health_effect for lv in LEVELS], "advice": [lv.advice for lv in LEVELS],
    }
    return {name: _dictionary(level, list(words)) for name, words in pick.items()}


def _primary_column(bits: np.ndarray) -> pa.DictionaryArray:
    """Bit masks -> "PM2.5" / "PM10,PM2.5"; null when there is no primary pollutant (AQI ≤ 50)."""
    # A lookup table over the 2**7 possible masks keeps this linear (no sort of a million rows).
    used = np.flatnonzero(np.bincount(bits, minlength=1 << len(_LABELS)))
    lookup = np.full(1 << len(_LABELS), -1, dtype=np.int64)
    lookup[used] = np.arange(len(used))
    words = [",".join(lb for i, lb in enumerate(_LABELS) if mask >> i & 1) for mask in used]
    indices = np.where(bits == 0, -1, lookup[bits])
    return _dictionary(indices, words)


def _result_from_row(row: dict, values: Mapping[str, float | None]) -> AqiResult:
    iaqis = {k[5:]: row[k] for k in row if k.startswith("iaqi_") and k[5:] in values}
    level = next((lv for lv in LEVELS if lv.level == row["level"]), None)
    return AqiResult(
        edition=row["standard"][-4:], aqi=row["aqi"], iaqi=iaqis,
        primary_pollutants=tuple(row["primary_pollutant"].split(",")) if row["primary_pollutant"] else (),
        level=row["level"], category=row["category"], colour=row["colour"],
        colour_rgb=level.rgb if level else None,
        health_effect=row["health_effect"], advice=row["advice"],
    )
