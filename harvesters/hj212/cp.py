"""The CP data area: ``name=value`` items, ``,`` within one factor, ``;`` between groups."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from harvesters.hj212.errors import Hj212Error

NUMERIC_KINDS = frozenset(
    ["Rtd", "Min", "Avg", "Max", "Cou", "ZsRtd", "ZsMin", "ZsAvg", "ZsMax", "Data", "DayData", "NightData", "RS", "RT", "ValidNum", "TotalNum"]
)
TEXT_KINDS = frozenset({"Flag", "EFlag", "Info", "SN", "SampleTime"})
TIME_FIELDS = frozenset({"DataTime", "SystemTime", "RestartTime", "BeginTime", "EndTime"})
INT_FIELDS = frozenset({"QnRtn", "ExeRtn", "RtdInterval", "MinInterval", "OverTime", "ReCount", "VaseNo",
                        "Ctime", "Stime"})


@dataclass(frozen=True)
class Factor:
    """All items sent for one factor (pollutant, facility ``SBx``, info code, noise index)."""

    code: str
    values: dict[str, float] = field(default_factory=dict)
    flag: str | None = None
    eflag: str | None = None
    texts: dict[str, str] = field(default_factory=dict)
    raw_code: str | None = None  # the code as sent, when it was mapped from HJ/T 212-2005
    standard: bool = True


@dataclass(frozen=True)
class DataArea:
    fields: dict[str, object]
    factors: tuple[Factor, ...]


def parse_time(value: str, name: str) -> datetime:
    """``YYYYMMDDhhmmss``, tolerating the 17-digit form with milliseconds some 2005 loggers send."""
    if len(value) not in (14, 17) or not value.isdigit():
        raise Hj212Error("hj212.bad_datetime", f"{name}={value}", field=name)
    try:
        stamp = datetime(int(value[0:4]), int(value[4:6]), int(value[6:8]), int(value[8:10]),
                         int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise Hj212Error("hj212.bad_datetime", f"{name}={value}", field=name) from None
    return stamp.replace(microsecond=int(value[14:]) * 1000) if len(value) == 17 else stamp


_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d{1,3})?")


_PLAIN = frozenset("0123456789.-+")


def parse_number(value: str, name: str) -> float:
    """A decimal as HJ 212 writes it (N14.2 …): no whitespace, no nan/inf, at most 20 characters."""
    if 0 < len(value) <= 20 and _PLAIN.issuperset(value):
        # digits, sign and point only: float() itself rejects any misplaced sign or second point
        try:
            return float(value)
        except ValueError:
            raise Hj212Error("hj212.bad_field", f"{name}={value}", field=name) from None
    if len(value) > 20 or _NUMBER.fullmatch(value) is None:
        raise Hj212Error("hj212.bad_field", f"{name}={value}", field=name)
    return float(value)


def _typed_field(name: str, value: str) -> object:
    if name in TIME_FIELDS:
        return parse_time(value, name)
    if name in INT_FIELDS:
        if not value.isdigit() or len(value) > 6:
            raise Hj212Error("hj212.bad_field", f"{name}={value}", field=name)
        return int(value)
    return value


def _items(cp: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for group in cp.split(";"):
        if not group:
            continue
        for item in group.split(","):
            name, sep, value = item.partition("=")
            if not sep or not name:
                raise Hj212Error("hj212.bad_cp", item[:40], field="CP")
            out.append((name, value))
    return out


def parse_cp(cp: str) -> DataArea:
    """Typed fields and factors of a data area (the text between ``CP=&&`` and the closing ``&&``)."""
    fields: dict[str, object] = {}
    raw: dict[str, dict[str, str]] = {}
    for name, value in _items(cp):
        code, dash, kind = name.rpartition("-")
        if dash and code and kind:
            items = raw.setdefault(code, {})
            if kind in items:
                raise Hj212Error("hj212.bad_cp", f"{name} twice", field=name)
            items[kind] = value
        else:
            fields[name] = _typed_field(name, value)
    return DataArea(fields, tuple(_factor(code, items) for code, items in raw.items()))


def _factor(code: str, items: dict[str, str]) -> Factor:
    values: dict[str, float] = {}
    texts: dict[str, str] = {}
    for kind, value in items.items():
        if kind in NUMERIC_KINDS:
            values[kind] = parse_number(value, f"{code}-{kind}")
        elif kind == "SampleTime":
            parse_time(value, f"{code}-{kind}")
            texts[kind] = value
        elif kind not in ("Flag", "EFlag"):
            texts[kind] = value
    flag = items.get("Flag")
    if flag is not None and len(flag) != 1:
        raise Hj212Error("hj212.bad_field", f"{code}-Flag={flag}", field=f"{code}-Flag")
    return Factor(code, values, flag, items.get("EFlag"), texts)


def format_cp(fields: dict[str, object], factors: tuple[Factor, ...] | list[Factor]) -> str:
    """Inverse of :func:`parse_cp` (times as ``YYYYMMDDhhmmss``, numbers in shortest round-trip form)."""
    parts = [f"{name}={_format_value(value)}" for name, value in fields.items()]
    for factor in factors:
        items = [f"{factor.code}-{kind}={_format_value(v)}" for kind, v in factor.values.items()]
        items += [f"{factor.code}-{kind}={v}" for kind, v in factor.texts.items()]
        if factor.flag is not None:
            items.append(f"{factor.code}-Flag={factor.flag}")
        if factor.eflag is not None:
            items.append(f"{factor.code}-EFlag={factor.eflag}")
        parts.append(",".join(items))
    return ";".join(parts)


def _format_value(value: object) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y%m%d%H%M%S")
    if isinstance(value, float):
        return repr(value) if value != int(value) or abs(value) >= 1e15 else f"{value:.1f}"
    return str(value)
