"""Column checks: field constraints, unique fields, primary and foreign keys, as boolean masks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .cells import ParsedColumn, parse_column
from .schema import FieldSpec

_BOUNDS = {"minimum": pc.greater_equal, "maximum": pc.less_equal,
           "exclusiveMinimum": pc.greater, "exclusiveMaximum": pc.less}
_ORDER = ("required", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
          "exclusiveMaximum", "pattern", "enum")


def to_mask(values: Any) -> np.ndarray:
    arr = pc.fill_null(values, False)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=bool)


def _typed_constant(spec: FieldSpec, values: list[Any], target: pa.DataType) -> pa.Array:
    raw = pa.chunked_array([pa.array([v if isinstance(v, str) else _json_text(v) for v in values], pa.string())])
    plain = FieldSpec(spec.name, spec.type, spec.format, {}, (), spec.descriptor)
    parsed = parse_column(plain, raw).typed
    return pc.cast(parsed, target).combine_chunks()


def _json_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def constraint_masks(spec: FieldSpec, col: ParsedColumn, raw: pa.ChunkedArray) -> list[tuple[str, np.ndarray]]:
    """(constraint name, failing mask) in frictionless' order; type errors never reach constraints."""
    out: list[tuple[str, np.ndarray]] = []
    checkable = pc.invert(col.type_error)
    for name in _ORDER:
        if name not in spec.constraints or not _applies(spec, name):
            continue
        fails = _constraint_fails(spec, name, col, raw)
        if fails is not None:
            mask = to_mask(pc.and_(fails, checkable))
            if mask.any():
                out.append((name, mask))
    return out


def _applies(spec: FieldSpec, name: str) -> bool:
    if name in ("minLength", "maxLength"):
        return spec.type in ("string", "array", "object", "list")
    if name == "pattern":
        return spec.type == "string"
    if name in _BOUNDS:
        return spec.type in ("integer", "number", "date", "datetime", "time", "year", "yearmonth", "duration")
    return True


def _constraint_fails(spec: FieldSpec, name: str, col: ParsedColumn, raw: pa.ChunkedArray) -> Any:
    value = spec.constraints[name]
    typed = col.typed
    if name == "required":
        return pc.and_(col.missing, pa.scalar(bool(value)))
    if name in ("minLength", "maxLength"):
        length = pc.utf8_length(typed)
        return pc.less(length, value) if name == "minLength" else pc.greater(length, value)
    if name == "pattern":
        return pc.invert(pc.match_substring_regex(typed, f"^(?:{value})$"))
    if not _vectorizable(typed.type):
        return None
    if name == "enum":
        return pc.invert(pc.is_in(typed, value_set=_typed_constant(spec, list(value), typed.type)))
    bound = _typed_constant(spec, [value], typed.type)[0]
    passes = _BOUNDS[name](typed, bound)
    return pc.invert(passes)


def _vectorizable(dtype: pa.DataType) -> bool:
    return bool(pa.types.is_integer(dtype) or pa.types.is_floating(dtype) or pa.types.is_string(dtype)
                or pa.types.is_timestamp(dtype) or pa.types.is_date(dtype) or pa.types.is_boolean(dtype))


def duplicates(columns: list[pa.ChunkedArray], skip: np.ndarray) -> tuple[np.ndarray, Callable[[int], int]]:
    """Mask of rows repeating an earlier key, and the row index each one repeats (the latest before it)."""
    n = len(columns[0]) if columns else 0
    codes, radix = key_codes(columns)
    if codes is None:
        table = pa.table({f"k{i}": c for i, c in enumerate(columns)}).filter(pa.array(~skip))
        repeated = table.group_by(table.column_names).aggregate([]).num_rows != table.num_rows
    else:
        repeated = _has_repeats(codes[~skip], radix)
    if not repeated:
        return np.zeros(n, dtype=bool), lambda i: -1
    keys = codes.tolist() if codes is not None else list(zip(*(c.to_pylist() for c in columns), strict=True))
    return _python_duplicates(keys, skip)


def _has_repeats(codes: np.ndarray, radix: int) -> bool:
    if len(codes) < 2:
        return False
    if radix <= 8 * len(codes):  # a counting pass beats hashing or sorting
        return bool(np.bincount(codes, minlength=radix).max() > 1)
    ordered = np.sort(codes)
    return bool(np.any(ordered[1:] == ordered[:-1]))


def key_codes(columns: list[pa.ChunkedArray]) -> tuple[np.ndarray | None, int]:
    """One int64 per row identifying its key tuple (nulls included), when the radix product fits."""
    total = np.zeros(len(columns[0]), dtype=np.int64)
    radix = 1
    for col in columns:
        encoded = pc.dictionary_encode(col, null_encoding="encode").combine_chunks()
        size = len(encoded.dictionary) + 1
        if radix * size >= 2**62:
            return None, 0
        indices = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        total += indices * radix
        radix *= size
    return total, radix


def _python_duplicates(values: list[Any], skip: np.ndarray) -> tuple[np.ndarray, Callable[[int], int]]:
    seen: dict[Any, int] = {}
    previous: dict[int, int] = {}
    for index, key in enumerate(values):
        if skip[index]:
            continue
        if key in seen:
            previous[index] = seen[key]
        seen[key] = index
    mask = np.zeros(len(values), dtype=bool)
    mask[list(previous)] = True
    return mask, lambda i: previous.get(i, -1)


def all_null(columns: list[pa.ChunkedArray], n: int) -> np.ndarray:
    out = np.ones(n, dtype=bool)
    for col in columns:
        out &= to_mask(pc.is_null(col))
    return out


def any_null(columns: list[pa.ChunkedArray], n: int) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    for col in columns:
        out |= to_mask(pc.is_null(col))
    return out


def missing_in_reference(columns: list[pa.ChunkedArray], reference: list[pa.ChunkedArray]) -> np.ndarray:
    """Rows whose key tuple does not occur in the reference columns (all-null keys excluded)."""
    n = len(columns[0])
    if len(columns) == 1:
        ref = reference[0]
        ref = ref if ref.type == columns[0].type else _cast_like(ref, columns[0].type)
        found = pc.is_in(columns[0], value_set=pc.unique(pc.drop_null(ref)))
    else:
        found = pc.is_in(_joined(columns), value_set=pc.unique(_joined(reference)))
    return to_mask(pc.invert(found)) & ~all_null(columns, n)


def _cast_like(ref: pa.ChunkedArray, dtype: pa.DataType) -> pa.ChunkedArray:
    try:
        return pc.cast(ref, dtype)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pc.cast(ref, pa.string())


def _joined(columns: list[pa.ChunkedArray]) -> pa.ChunkedArray:
    texts = [pc.fill_null(pc.cast(c, pa.string()), "\x00") for c in columns]
    return pc.binary_join_element_wise(*texts, "\x1f")
