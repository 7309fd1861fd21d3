"""The CP data area: ``name=value`` items, ``,`` within one factor, ``;`` between groups."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from harvesters.hj212.errors import Hj212Error

T = TypeVar("T")

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
    stamp = _SECONDS.get(value)
    if stamp is not None:
        return stamp
    stamp = _parse_time(value, name)
    if len(value) == 14:
        # every logger of a network sends the same DataTime each interval: parse it once
        if len(_SECONDS) >= _CACHE_LIMIT:
            _SECONDS.clear()
        _SECONDS[value] = stamp
    return stamp


def check_time(value: str, name: str) -> None:
    """Raise as :func:`parse_time` would, without building the datetime when ``value`` is a valid
    17-digit stamp whose 14-digit second is already known (QN: one second, many frames)."""
    if len(value) == 17 and value[:14] in _SECONDS and value.isascii() and value.isdigit():
        return
    stamp = parse_time(value, name)
    if len(value) == 17:
        parse_time(value[:14], name)  # valid seconds imply a valid stamp: cache them
    del stamp


def _parse_time(value: str, name: str) -> datetime:
    if len(value) not in (14, 17) or not value.isdigit():
        raise Hj212Error("hj212.bad_datetime", f"{name}={value}", field=name)
    try:
        stamp = datetime(int(value[0:4]), int(value[4:6]), int(value[6:8]), int(value[8:10]),
                         int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise Hj212Error("hj212.bad_datetime", f"{name}={value}", field=name) from None
    return stamp.replace(microsecond=int(value[14:]) * 1000) if len(value) == 17 else stamp


_CACHE_LIMIT = 4096
_SECONDS: dict[str, datetime] = {}
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


# one factor as the single pass reads it: code, numeric values, Flag, EFlag, text items
FactorParts = tuple[str, dict[str, float], str | None, str | None, dict[str, str]]


def parse_cp(cp: str) -> DataArea:
    """Typed fields and factors of a data area (the text between ``CP=&&`` and the closing ``&&``)."""
    fields, parts = scan_cp(cp)
    return DataArea(fields, tuple(new_frozen(Factor, code=code, values=values, flag=flag, eflag=eflag,
                                             texts=texts, raw_code=None, standard=True)
                                  for code, values, flag, eflag, texts in parts))


def scan_cp(cp: str) -> tuple[dict[str, object], list[FactorParts]]:
    """What :func:`parse_cp` returns, with each factor as plain parts instead of a :class:`Factor`
    (the receiver turns them straight into records).  Raises exactly as :func:`parse_cp`."""
    try:
        scanned = _scan_single_pass(cp)
    except (Hj212Error, ValueError):
        scanned = None
    if scanned is not None:
        return scanned
    # Anything the single pass does not accept is parsed again by the checking parser, which
    # raises the error a malformed area deserves (the first one in its order of checks).
    area = _parse_cp_checked(cp)
    return area.fields, [(f.code, f.values, f.flag, f.eflag, f.texts) for f in area.factors]


def _parse_cp_checked(cp: str) -> DataArea:
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


def _scan_single_pass(cp: str) -> tuple[dict[str, object], list[FactorParts]] | None:
    """The same result as :func:`_parse_cp_checked` for a well-formed area, in one pass with the
    common cases inline (this runs once per received frame).  None, or an exception, for anything
    the checking parser should look at."""
    # ";" and "," differ only in that an empty group is allowed and an empty item is not: with no
    # empty item anywhere, every item is read in one flat split.
    if ",," in cp or ",;" in cp or ";," in cp or cp.startswith(",") or cp.endswith(","):
        return None
    fields: dict[str, object] = {}
    raw: dict[str, dict[str, str]] = {}
    for item in cp.replace(";", ",").split(","):
        if not item:
            continue  # an empty group
        name, sep, value = item.partition("=")
        if not sep or not name:
            return None
        code, dash, kind = name.rpartition("-")
        if dash and code and kind:
            items = raw.get(code)
            if items is None:
                raw[code] = {kind: value}
            elif kind in items:
                return None
            else:
                items[kind] = value
        else:
            fields[name] = _typed_field(name, value)
    parts: list[FactorParts] = []
    for code, items in raw.items():
        values: dict[str, float] = {}
        texts: dict[str, str] = {}
        for kind, value in items.items():
            if kind in NUMERIC_KINDS:
                # parse_number's own first test, inline; float() raising sends the area back
                if 0 < len(value) <= 20 and _PLAIN.issuperset(value):
                    values[kind] = float(value)
                else:
                    values[kind] = parse_number(value, f"{code}-{kind}")
            elif kind == "Flag" or kind == "EFlag":
                continue
            else:
                if kind == "SampleTime":
                    parse_time(value, f"{code}-{kind}")
                texts[kind] = value
        flag = items.get("Flag")
        if flag is not None and len(flag) != 1:
            return None
        parts.append((code, values, flag, items.get("EFlag"), texts))
    return fields, parts


# (code, kind, value, the factor's Flag) of one numeric item
Reading = tuple[str, str, float, str | None]


def scan_readings(cp: str) -> tuple[dict[str, object], list[Reading]]:
    """The typed fields of a data area and, factor by factor, each numeric item with its factor's Flag:
    :func:`parse_cp` flattened, as the receiver stores it.  Raises exactly as :func:`parse_cp`."""
    try:
        read = _read_by_layout(cp)
    except (Hj212Error, ValueError):
        read = None
    if read is not None:
        return read
    fields, parts = scan_cp(cp)
    return fields, [(code, kind, value, flag) for code, values, flag, _, _ in parts for kind, value in values.items()]


@dataclass(frozen=True)
class _Layout:
    """How to read an area whose item names are known: a logger sends the same names every time."""

    fields: tuple[tuple[int, str], ...]  # (item number, name) of each plain field, in order
    codes: tuple[str, ...]  # per numeric value, factor by factor: its factor's code
    kinds: tuple[str, ...]  # … its kind
    numeric_at: tuple[int, ...]  # … its item number
    flag_of: tuple[int, ...]  # … the item number of its factor's Flag, or -1: none
    flag_at: tuple[int, ...]  # item number of each factor's Flag


_NO_LAYOUT = _Layout((), (), (), (), (), ())
_LAYOUTS: dict[tuple[str, ...], _Layout] = {}
_NOT_SEPARATORS = bytes(b for b in range(256) if b not in b";,=")


def _read_by_layout(cp: str) -> tuple[dict[str, object], list[Reading]] | None:
    """:func:`scan_readings` for an area of ``name=value`` items with no empty item, no ``=`` in a
    value and only numeric, Flag and EFlag items in its factors; None for anything else."""
    if not cp:
        return {}, []
    # the separators alone must read "=" then ";" or "," and "=" again …: one "=" in every item
    separators = cp.encode().translate(None, _NOT_SEPARATORS)
    items = (len(separators) + 1) >> 1
    if not (len(separators) & 1 and separators.count(b"=") == items == separators[0::2].count(b"=")):
        return None
    pieces = cp.replace(";", ",").replace("=", ",").split(",")
    names, values = tuple(pieces[0::2]), pieces[1::2]
    layout = _LAYOUTS.get(names)
    if layout is None:
        if len(_LAYOUTS) >= _CACHE_LIMIT:
            _LAYOUTS.clear()
        layout = _LAYOUTS[names] = _layout(names) or _NO_LAYOUT
    if layout is _NO_LAYOUT:
        return None
    fields: dict[str, object] = {}
    for number, name in layout.fields:
        fields[name] = _typed_field(name, values[number])
    numbers = [values[n] for n in layout.numeric_at]
    joined = "".join(numbers)
    # parse_number's first test, on all values at once; anything else goes to the full scan
    if "" in numbers or not _PLAIN.issuperset(joined) or (len(joined) > 20 and max(map(len, numbers)) > 20):
        return None
    flags = [values[n] for n in layout.flag_at]
    if "" in flags or len("".join(flags)) != len(flags):  # every Flag one character
        return None
    values.append(None)  # type: ignore[arg-type]  # item -1: the Flag of a factor that sent none
    return fields, list(zip(layout.codes, layout.kinds, map(float, numbers), [values[n] for n in layout.flag_of],
                            strict=True))


def _layout(names: tuple[str, ...]) -> _Layout | None:
    """What :func:`_parse_cp_checked` does with these item names; None where a name alone makes it
    raise, or where a factor has text items (read by the full scan)."""
    fields: list[tuple[int, str]] = []
    factors: dict[str, dict[str, int]] = {}
    for number, name in enumerate(names):
        if not name:
            return None
        code, dash, kind = name.rpartition("-")
        if dash and code and kind:
            items = factors.setdefault(code, {})
            if kind in items:
                return None
            items[kind] = number
        else:
            fields.append((number, name))
    numeric: list[tuple[str, str, int, int]] = []
    for code, items in factors.items():
        if not all(kind in NUMERIC_KINDS or kind in ("Flag", "EFlag") for kind in items):
            return None
        numeric += [(code, kind, number, items.get("Flag", -1)) for kind, number in items.items()
                    if kind in NUMERIC_KINDS]
    codes, kinds, numeric_at, flag_of = (tuple(column) for column in zip(*numeric, strict=True)) if numeric else (
        (), (), (), ())
    flag_at = tuple(items["Flag"] for items in factors.values() if "Flag" in items)
    return _Layout(tuple(fields), codes, kinds, numeric_at, flag_of, flag_at)


def new_frozen(cls: type[T], **fields: object) -> T:
    """An instance of a frozen dataclass with every field given, without its ``__init__``: a frozen
    ``__init__`` sets each field through ``object.__setattr__``, which on the receiver's per-frame
    path costs more than the parsing around it.  Only for classes without ``__post_init__``."""
    obj = object.__new__(cls)
    obj.__dict__.update(fields)
    return obj


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
