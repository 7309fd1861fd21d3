"""Vectorized cell typing: string column in, typed column plus "missing" and "type error" masks out.

The common cases (integers, numbers, booleans, plain strings, ISO dates and naive ISO datetimes)
run in pyarrow compute.  Everything else — other formats, timezone offsets, geopoints, durations —
is decided by frictionless' own value reader applied once per *distinct* value, so the rare
shapes keep exact frictionless semantics without a per-row Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .schema import FieldSpec

_INT_RE = r"^[+-]?[0-9]+$"
_NUM_RE = r"^[+-]?(([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|(?i:nan|inf|infinity))$"
_DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DATETIME_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}$"
_TRUE = ("true", "True", "TRUE", "1")
_FALSE = ("false", "False", "FALSE", "0")
TIMESTAMP = pa.timestamp("s")


@dataclass
class ParsedColumn:
    typed: pa.ChunkedArray  # nulls where missing or not convertible
    missing: pa.ChunkedArray  # bool: the cell is absent or a missing value
    type_error: pa.ChunkedArray  # bool: present, not missing, not convertible


def parse_column(spec: FieldSpec, raw: pa.ChunkedArray) -> ParsedColumn:
    missing = pc.or_kleene(pc.is_null(raw), pc.is_in(raw, value_set=pa.array(spec.missing_values, pa.string())))
    missing = pc.fill_null(missing, True)
    present = pc.if_else(missing, pa.scalar(None, pa.string()), raw)
    typed, ok = _convert(spec, present)
    type_error = pc.and_(pc.invert(missing), pc.invert(pc.fill_null(ok, False)))
    return ParsedColumn(typed, missing, type_error)


def _convert(spec: FieldSpec, present: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """Return (typed values, convertible mask); both are null where the cell is missing."""
    d = spec.descriptor
    plain_number = not any(k in d for k in ("groupChar", "decimalChar", "bareNumber"))
    if spec.type == "string" and spec.format == "default" or spec.type == "any":
        return present, pc.is_valid(present)
    if spec.type == "integer" and plain_number:
        return _numeric(present, _INT_RE, pa.int64())
    if spec.type == "number" and plain_number:
        return _numeric(present, _NUM_RE, pa.float64())
    if spec.type == "boolean" and "trueValues" not in d and "falseValues" not in d:
        return _boolean(present)
    if spec.type == "date" and spec.format == "default":
        return _strptime(spec, present, _DATE_RE, "%Y-%m-%d", pa.date32())
    if spec.type == "datetime" and spec.format == "default":
        return _strptime(spec, present, _DATETIME_RE, "%Y-%m-%dT%H:%M:%S", TIMESTAMP)
    return _by_distinct_value(spec, present, pc.is_valid(present))


def _numeric(present: pa.ChunkedArray, regex: str, target: pa.DataType) -> tuple[Any, Any]:
    fast = _cast_all(present, target)
    # Arrow reads "0x10" as an integer; Python's int() does not.
    if fast is not None and not (target == pa.int64() and pc.any(pc.match_substring(present, "x")).as_py()):
        return (pc.add(fast, 0.0) if target == pa.float64() else fast), pc.is_valid(present)
    text = pc.utf8_trim_whitespace(present)
    ok = pc.match_substring_regex(text, regex)
    text = pc.utf8_lower(pc.replace_substring_regex(text, r"^\+", ""))
    good = pc.if_else(ok, text, pa.scalar(None, pa.string()))
    try:
        typed = pc.cast(good, target)
    except pa.ArrowInvalid:  # e.g. an integer beyond int64
        typed = pc.cast(good, pa.float64())
    # -0.0 + 0.0 is +0.0: Decimal("-0") equals 0 in enum and unique checks, and hashing must agree.
    return (pc.add(typed, 0.0) if pa.types.is_floating(typed.type) else typed), ok


def _boolean(present: pa.ChunkedArray) -> tuple[Any, Any]:
    is_true = pc.is_in(present, value_set=pa.array(_TRUE))
    is_false = pc.is_in(present, value_set=pa.array(_FALSE))
    ok = pc.if_else(pc.is_valid(present), pc.or_(is_true, is_false), pa.scalar(None, pa.bool_()))
    return pc.if_else(ok, is_true, pa.scalar(None, pa.bool_())), ok


def _cast_all(present: pa.ChunkedArray, target: pa.DataType) -> pa.ChunkedArray | None:
    """The fast path: Arrow's strict parsers accept the whole column, so no cell needs a regex."""
    try:
        return pc.cast(present, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _strptime(spec: FieldSpec, present: pa.ChunkedArray, regex: str, fmt: str,
              target: pa.DataType) -> tuple[Any, Any]:
    fast = _cast_all(present, target)
    # Arrow also takes "2024-01-01" as a timestamp; frictionless wants the full 19 characters.
    width = 19 if target == TIMESTAMP else 10
    if fast is not None and pc.all(pc.equal(pc.utf8_length(pc.drop_null(present)), width)).as_py() is not False:
        return fast, pc.is_valid(present)
    shaped = pc.match_substring_regex(present, regex)
    normal = pc.replace_substring(present, " ", "T") if target == TIMESTAMP else present
    parsed = pc.strptime(pc.if_else(shaped, normal, pa.scalar(None, pa.string())), format=fmt, unit="s",
                         error_is_null=True)
    # strptime rolls 2024-02-30 over into March; a round trip catches impossible dates.
    ok = pc.equal(pc.strftime(parsed, format=fmt), normal)
    typed = parsed if target == TIMESTAMP else pc.cast(parsed, target)
    typed = pc.if_else(ok, typed, pa.scalar(None, target))
    ok = pc.fill_null(ok, False)
    # Cells of other shapes (offsets, fractions) are left to frictionless' reader.
    odd = pc.and_(pc.is_valid(present), pc.invert(pc.fill_null(shaped, False)))
    if pc.any(odd).as_py():
        extra_typed, extra_ok = _by_distinct_value(spec, present, odd, target)
        typed = pc.if_else(odd, extra_typed, typed)
        ok = pc.if_else(odd, extra_ok, ok)
    return typed, pc.if_else(pc.is_valid(present), ok, pa.scalar(None, pa.bool_()))


def _by_distinct_value(spec: FieldSpec, present: pa.ChunkedArray, mask: Any,
                       target: pa.DataType | None = None) -> tuple[Any, Any]:
    from frictionless import Field

    reader = Field.from_descriptor(_reader_descriptor(spec)).create_value_reader()
    distinct = pc.unique(pc.drop_null(pc.filter(present, mask))).to_pylist()
    values = {text: reader(text) for text in distinct}
    good = [text for text, value in values.items() if value is not None]
    index = pc.index_in(present, value_set=pa.array(good, pa.string()))
    ok = pc.if_else(mask, pc.is_valid(index), pa.scalar(None, pa.bool_()))
    if target is None:
        return pc.if_else(ok, present, pa.scalar(None, pa.string())), ok
    converted = pa.array([_to_target(values[t], target) for t in good], target)
    return pc.take(converted, index), ok


def _reader_descriptor(spec: FieldSpec) -> dict[str, Any]:
    d = {k: v for k, v in spec.descriptor.items() if k not in ("constraints", "missingValues")}
    return {**d, "name": spec.name, "type": spec.type, "format": spec.format}


def _to_target(value: Any, target: pa.DataType) -> Any:
    if target == TIMESTAMP and getattr(value, "tzinfo", None) is not None:
        from datetime import UTC

        return value.astimezone(UTC).replace(tzinfo=None)
    return value
