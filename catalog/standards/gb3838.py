"""GB 3838-2002 surface-water class by single-factor evaluation (worst item decides).

Factors are keyed as in ``breakpoints.gb3838`` (``ph``, ``do``, ``codmn``, ``nh3_n``, ``tp`` …) in the
Table 1 units (mg/L; faecal coliform 个/L): convert µg/L metals first.  The class of each factor is the
best class whose limit it meets (I = 1 … V = 5, 劣Ⅴ = 6); DO is "≥", pH must lie in 6–9.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from catalog.standards.breakpoints import gb3838 as t
from catalog.standards.errors import StandardsInputError

FACTORS: tuple[str, ...] = ("ph", "do", *t.UPPER_LIMITS, "tp", "tn")


@dataclass(frozen=True)
class WaterClassResult:
    water_body: str
    water_class: int | None
    label: str | None
    limiting_factors: tuple[str, ...] = ()
    factor_classes: dict[str, int] = field(default_factory=dict)
    reference_classes: dict[str, int] = field(default_factory=dict)


def factor_classes(factor: str, values: np.ndarray, water_body: str,
                   do_saturation: np.ndarray | None = None) -> np.ndarray:
    """Class 1..6 per value (float, NaN where missing, negative, or not assessed for this water body)."""
    values = np.where(values < 0, np.nan, values)
    if factor == "ph":
        inside = (values >= t.PH_RANGE[0]) & (values <= t.PH_RANGE[1])
        out = np.where(inside, 1.0, 6.0)
    elif factor == "do":
        out = _at_least(values, t.DO_LIMITS)
        if do_saturation is not None:
            out = np.where(do_saturation >= t.DO_SATURATION_CLASS_I, 1.0, out)
    elif factor == "tn" and water_body == "river":
        return np.full(len(values), np.nan)  # Table 1 limits TN for lakes and reservoirs only
    else:
        out = _at_most(values, _upper_limits(factor, water_body))
    return np.where(np.isnan(values), np.nan, out)


def add_water_class(table: pa.Table, water_body: str = "river", *, columns: Mapping[str, str] | None = None,
                    include_reference: bool = False, with_factor_classes: bool = False) -> pa.Table:
    """Append water_class (1..6), water_class_label (Ⅰ类…劣Ⅴ类), limiting_factors (keys, comma-joined,
    every factor at the overall class), limiting_factors_zh, water_body, and class_<factor> for the
    reference items (TN, faecal coliform) when they are not part of the class; with
    ``with_factor_classes`` every factor's class too."""
    _check_water_body(water_body)
    classes = _all_factor_classes(table, water_body, columns or {})
    assessed = {k: v for k, v in classes.items() if include_reference or k not in t.REFERENCE_FACTORS}
    overall = _worst(assessed, table.num_rows)
    out = table.append_column("water_class", pa.array(overall, from_pandas=True).cast(pa.int8()))
    label_idx = np.where(np.isnan(overall), -1, np.nan_to_num(overall, nan=1).astype(np.int64) - 1)
    out = out.append_column("water_class_label", _dictionary(label_idx, list(t.CLASS_LABELS)))
    keys = list(assessed)
    idx, words = _limiting(assessed, overall, keys)
    out = out.append_column("limiting_factors", _dictionary(idx, [",".join(w) for w in words]))
    out = out.append_column("limiting_factors_zh",
                            _dictionary(idx, ["、".join(t.FACTOR_NAMES[k] for k in w) for w in words]))
    out = out.append_column("water_body", pa.array([water_body] * table.num_rows, pa.string())
                            .dictionary_encode())
    for key, arr in classes.items():
        if with_factor_classes or key not in assessed:
            out = out.append_column(f"class_{key}", pa.array(arr, from_pandas=True).cast(pa.int8()))
    return out


def water_class(values: Mapping[str, float | None], water_body: str = "river",
                include_reference: bool = False) -> WaterClassResult:
    """Class of one sample; ``values`` maps factor keys (plus optional ``do_saturation`` %) to values."""
    cols = {k: pa.array([v], pa.float64()) for k, v in values.items()}
    row = add_water_class(pa.table(cols) if cols else pa.table({"_": [None]}), water_body,
                          include_reference=include_reference, with_factor_classes=True).to_pylist()[0]
    classes = {k[6:]: row[k] for k in row if k.startswith("class_") and row[k] is not None}
    ref = {} if include_reference else {k: v for k, v in classes.items() if k in t.REFERENCE_FACTORS}
    return WaterClassResult(
        water_body=water_body, water_class=row["water_class"], label=row["water_class_label"],
        limiting_factors=tuple(row["limiting_factors"].split(",")) if row["limiting_factors"] else (),
        factor_classes={k: v for k, v in classes.items() if k not in ref}, reference_classes=ref,
    )


def _check_water_body(water_body: str) -> None:
    if water_body not in t.WATER_BODIES:
        raise StandardsInputError(f"水体类型 {water_body!r} 无效，应为 river（河流）或 lake（湖泊、水库）",
                                  f"water_body must be 'river' or 'lake', not {water_body!r}")


def _upper_limits(factor: str, water_body: str) -> tuple[float, ...]:
    if factor == "tp":
        return t.TP_LIMITS[water_body]
    if factor == "tn":
        return t.TN_LIMITS_LAKE
    if factor in t.UPPER_LIMITS:
        return t.UPPER_LIMITS[factor][1]
    raise StandardsInputError(f"GB 3838 基本项目中没有 {factor!r}", f"{factor!r} is not a GB 3838 basic item")


def _at_most(values: np.ndarray, limits: tuple[float, ...]) -> np.ndarray:
    # The number of limits strictly below the value is the index of the first class it meets.
    return np.searchsorted(np.asarray(limits, dtype=np.float64), values, side="left") + 1.0


def _at_least(values: np.ndarray, limits: tuple[float, ...]) -> np.ndarray:
    bounds = np.asarray(limits, dtype=np.float64)
    return (values[:, None] < bounds[None, :]).sum(axis=1) + 1.0


def _all_factor_classes(table: pa.Table, water_body: str, columns: Mapping[str, str]) -> dict[str, np.ndarray]:
    def read(key: str) -> np.ndarray | None:
        name = columns.get(key, key)
        if name not in table.column_names:
            return None
        return np.asarray(table.column(name).cast(pa.float64()).to_numpy(zero_copy_only=False))

    saturation = read("do_saturation")
    classes: dict[str, np.ndarray] = {}
    for factor in FACTORS:
        values = read(factor)
        if values is not None and not (factor == "tn" and water_body == "river"):
            classes[factor] = factor_classes(factor, values, water_body, saturation)
    return classes


def _worst(classes: dict[str, np.ndarray], n: int) -> np.ndarray:
    if not classes:
        return np.full(n, np.nan)
    return np.fmax.reduce(np.vstack(list(classes.values())), axis=0)


def _limiting(classes: dict[str, np.ndarray], overall: np.ndarray,
              keys: list[str]) -> tuple[np.ndarray, list[list[str]]]:
    bits = np.zeros(len(overall), dtype=np.int64)
    for i, key in enumerate(keys):
        bits |= np.where(classes[key] == overall, 1 << i, 0)
    uniques, inverse = np.unique(bits, return_inverse=True)
    words = [[k for i, k in enumerate(keys) if mask >> i & 1] for mask in uniques]
    return np.where(bits == 0, -1, inverse), words


def _dictionary(indices: np.ndarray, words: list[str]) -> pa.DictionaryArray:
    idx = pa.array(indices.astype(np.int32), mask=indices < 0)
    return pa.DictionaryArray.from_arrays(idx, pa.array(words or [""], pa.string()))
