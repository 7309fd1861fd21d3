"""Numpy core of HJ 633: IAQI by interpolation, the edition rules, AQI and primary pollutants.

Every function works on whole arrays (NaN = no value), so a million rows cost a few array passes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from catalog.standards.breakpoints.hj633 import (
    BREAKPOINTS,
    CAPPED_IAQI_2026,
    IAQI_STEPS,
    LEVEL_UPPERS,
)
from catalog.standards.errors import StandardsInputError


@dataclass(frozen=True)
class Indicator:
    """One line of a report: its input key, its breakpoint table and its primary-pollutant label."""

    key: str
    table: str
    label: str
    fallback: str | None = None  # 2012: beyond the table, report this other key's IAQI


_SO2_1H_2012 = Indicator("so2_1h", "so2_1h", "SO2", fallback="so2_24h")
_O3_8H_2012 = Indicator("o3_8h", "o3_8h", "O3_8h", fallback="o3_1h")
_DAILY_BASE = (
    Indicator("so2_24h", "so2_24h", "SO2"), Indicator("no2_24h", "no2_24h", "NO2"),
    Indicator("pm10_24h", "pm10_24h", "PM10"), Indicator("co_24h", "co_24h", "CO"),
)
_HOURLY_GASES = (Indicator("no2_1h", "no2_1h", "NO2"), Indicator("co_1h", "co_1h", "CO"),
                 Indicator("o3_1h", "o3_1h", "O3_1h"))
_PM25_24H = Indicator("pm2_5_24h", "pm2_5_24h", "PM2.5")

# (edition, kind) -> the indicators whose IAQI make up the AQI (§3.1 "Reports").
REPORTS: dict[tuple[str, str], tuple[Indicator, ...]] = {
    ("2012", "daily"): (*_DAILY_BASE, Indicator("o3_1h", "o3_1h", "O3_1h"), _O3_8H_2012, _PM25_24H),
    ("2026", "daily"): (*_DAILY_BASE, Indicator("o3_8h", "o3_8h", "O3_8h"), _PM25_24H),
    # 2012 real-time: PM IAQI from the 24 h moving means, plus the O3 8 h moving mean.
    ("2012", "hourly"): (_SO2_1H_2012, *_HOURLY_GASES, _O3_8H_2012,
                         Indicator("pm10_24h", "pm10_24h", "PM10"), _PM25_24H),
    # 2026 real-time: six 1 h means; PM 1 h values use the daily-mean breakpoints.
    ("2026", "hourly"): (Indicator("so2_1h", "so2_1h", "SO2"), *_HOURLY_GASES,
                         Indicator("pm10_1h", "pm10_24h", "PM10"), Indicator("pm2_5_1h", "pm2_5_24h", "PM2.5")),
}
KINDS = ("hourly", "daily")


def report(edition: str, kind: str) -> tuple[Indicator, ...]:
    try:
        return REPORTS[(edition, kind)]
    except KeyError:
        raise StandardsInputError(
            f"报告类型 {kind!r} 无效，应为 hourly（实时报）或 daily（日报）",
            f"kind must be 'hourly' or 'daily', not {kind!r}",
        ) from None


def input_keys(kind: str) -> tuple[str, ...]:
    """All keys either edition reads for a report kind, fallbacks included, in a stable order."""
    keys: dict[str, None] = {}
    for edition in ("2012", "2026"):
        for ind in report(edition, kind):
            keys[ind.key] = None
            if ind.fallback:
                keys[ind.fallback] = None
    return tuple(keys)


def round_gbt8170(values: np.ndarray, decimals: int) -> np.ndarray:
    """GB/T 8170 rounding (round half to even), robust to binary noise such as 1.15*10 = 11.4999…"""
    scale = 10.0 ** decimals
    scaled = np.round(values * scale, 6)
    return np.rint(scaled) / scale


def concentration_2026(values: np.ndarray, table: str) -> np.ndarray:
    """HJ 633-2026 rounds concentrations first: µg/m³ to integers, CO (mg/m³) to one decimal."""
    return round_gbt8170(values, 1 if table.startswith("co_") else 0)


def ceil_index(raw: np.ndarray) -> np.ndarray:
    """进位取整: round up, after removing float noise so an exact 75.0 never becomes 76."""
    return np.ceil(np.round(raw, 6))


def iaqi_array(conc: np.ndarray, table: str, edition: str) -> np.ndarray:
    """IAQI per value (NaN when missing, negative, or beyond a truncated table)."""
    bps = np.asarray(BREAKPOINTS[edition][table], dtype=np.float64)
    steps = np.asarray(IAQI_STEPS[: len(bps)], dtype=np.float64)
    conc = np.where(conc < 0, np.nan, conc)
    # np.interp clamps beyond the last breakpoint: 500 for full tables (AQI range ends at 500).
    out = ceil_index(np.interp(conc, bps, steps))
    if len(bps) < len(IAQI_STEPS):
        out = np.where(conc > bps[-1], np.nan, out)
    return out


def report_iaqis(values: dict[str, np.ndarray], edition: str, kind: str) -> dict[str, np.ndarray]:
    """IAQI of every indicator of the report; absent keys are absent from the result."""
    rounded = _rounded_inputs(values, edition, kind)
    plain: dict[str, np.ndarray] = {}
    for ind in report(edition, kind):
        if ind.key in rounded:
            plain[ind.key] = iaqi_array(rounded[ind.key], ind.table, edition)
    for ind in report(edition, kind):
        if ind.key in rounded:
            plain[ind.key] = _beyond_table(ind, rounded, plain, edition)
    return plain


def _rounded_inputs(values: dict[str, np.ndarray], edition: str, kind: str) -> dict[str, np.ndarray]:
    if edition == "2012":
        return values
    tables = {ind.key: ind.table for ind in report(edition, kind)}
    return {key: concentration_2026(arr, tables.get(key, key)) for key, arr in values.items()}


def _beyond_table(ind: Indicator, conc: dict[str, np.ndarray], plain: dict[str, np.ndarray],
                  edition: str) -> np.ndarray:
    """SO2 1 h > 800 and O3 8 h > 800: 2012 substitutes another IAQI, 2026 fixes the IAQI."""
    top = BREAKPOINTS[edition][ind.table][-1]
    beyond = conc[ind.key] > top
    if len(BREAKPOINTS[edition][ind.table]) == len(IAQI_STEPS) or not beyond.any():
        return plain[ind.key]
    if edition == "2026":
        return np.where(beyond, float(CAPPED_IAQI_2026[ind.table]), plain[ind.key])
    substitute = _fallback_iaqi(ind, conc, plain, edition)
    return np.where(beyond, substitute, plain[ind.key])


def _fallback_iaqi(ind: Indicator, conc: dict[str, np.ndarray], plain: dict[str, np.ndarray],
                   edition: str) -> np.ndarray:
    assert ind.fallback is not None
    if ind.fallback in plain:
        return plain[ind.fallback]
    if ind.fallback in conc:  # e.g. SO2 24 h moving mean, read only to replace a 1 h IAQI
        return iaqi_array(conc[ind.fallback], ind.fallback, edition)
    return np.full(len(conc[ind.key]), np.nan)


def combine(iaqis: dict[str, np.ndarray], missing: np.ndarray, edition: str) -> np.ndarray:
    """AQI = max IAQI.  2026 §5.3: with a monitored pollutant missing, publish only an AQI > 100."""
    stack = np.vstack(list(iaqis.values()))
    aqi = np.fmax.reduce(stack, axis=0)
    if edition == "2026":
        aqi = np.where(missing & (aqi <= 100), np.nan, aqi)
        aqi = np.where(aqi < 1, 1.0, aqi)  # 2026's AQI range is 1–500 [verify: IAQI floor]
    return aqi


def level_index(aqi: np.ndarray) -> np.ndarray:
    """0..5 for 一级..六级; -1 where the AQI is NaN."""
    idx = np.searchsorted(np.asarray(LEVEL_UPPERS, dtype=np.float64), aqi, side="left")
    return np.where(np.isnan(aqi), -1, idx)


def primary_masks(iaqis: dict[str, np.ndarray], aqi: np.ndarray, labels: list[str]) -> np.ndarray:
    """Bit i set when pollutant ``labels[i]`` has the largest IAQI and AQI > 50 (ties all set)."""
    bits = np.zeros(len(aqi), dtype=np.int64)
    over = aqi > 50
    for key, arr in iaqis.items():
        label = key_label(key)
        bits |= np.where(over & (arr == aqi), 1 << labels.index(label), 0)
    return bits


def key_label(key: str) -> str:
    for ind in (*REPORTS[("2012", "hourly")], *REPORTS[("2026", "hourly")], *REPORTS[("2012", "daily")]):
        if ind.key == key:
            return ind.label
    raise StandardsInputError(f"未知的污染物指标 {key!r}", f"unknown indicator {key!r}")
