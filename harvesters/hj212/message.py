"""Data segment: ``QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;[PNUM=…;PNO=…;]CP=&&…&&`` into typed values."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from harvesters.hj212 import codes
from harvesters.hj212.cp import Factor, check_time, format_cp, new_frozen, parse_cp
from harvesters.hj212.errors import Hj212Error

_HEADER_KEYS = ("QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO")


@dataclass(frozen=True)
class Header:
    """The envelope, read without looking inside CP (enough to authenticate and to answer)."""

    qn: str | None
    st: str
    cn: str
    pw: str
    mn: str
    flag: int | None
    pnum: int | None
    pno: int | None
    cp: str

    @property
    def ack_requested(self) -> bool:
        return self.flag is not None and bool(self.flag & 1)

    @property
    def split(self) -> bool:
        return self.pnum is not None

    @property
    def version(self) -> str:
        return version_of(self.flag)


def version_of(flag: int | None) -> str:
    """``2005`` (no Flag or V=0), ``2017`` (V=1), ``2017-water`` (V=2, surface-water networks) or ``vN``."""
    bits = 0 if flag is None else flag >> 2
    return _VERSIONS.get(bits) or f"v{bits}"


_VERSIONS = {0: "2005", 1: "2017", 2: "2017-water"}


@dataclass(frozen=True)
class Message:
    header: Header
    data_time: datetime | None
    fields: dict[str, object]
    factors: tuple[Factor, ...]

    @property
    def mn(self) -> str:
        return self.header.mn

    @property
    def cn(self) -> str:
        return self.header.cn

    @property
    def qn(self) -> str | None:
        return self.header.qn

    @property
    def version(self) -> str:
        return self.header.version


def _header_fields(head: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in head.split(";"):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or key not in _HEADER_KEYS:
            raise Hj212Error("hj212.bad_field", item[:40], field=key or None)
        if key in out:
            raise Hj212Error("hj212.bad_field", f"{key} twice", field=key)
        out[key] = value
    return out


def _int_field(values: dict[str, str], key: str, limit: int) -> int | None:
    raw = values.get(key)
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 4 or int(raw) > limit:
        raise Hj212Error("hj212.bad_flag" if key == "Flag" else "hj212.bad_field", f"{key}={raw}", field=key)
    return int(raw)


def parse_header(segment: str | bytes) -> Header:
    """Split the envelope from CP.  Checks presence and shape of the envelope fields only."""
    text = _decode(segment)
    head, sep, rest = text.partition("CP=&&")
    if not sep:
        raise Hj212Error("hj212.missing_field", "CP", field="CP")
    if not rest.endswith("&&"):
        raise Hj212Error("hj212.bad_cp", "no closing &&", field="CP")
    values = _header_fields(head)
    st, cn, pw, mn = values.get("ST"), values.get("CN"), values.get("PW"), values.get("MN")
    if not (st and cn and pw and mn):
        key = next(k for k in ("ST", "CN", "PW", "MN") if not values.get(k))
        raise Hj212Error("hj212.missing_field", key, field=key)
    pnum = pno = None
    if "PNUM" in values or "PNO" in values:  # a split upload
        pnum, pno = _int_field(values, "PNUM", 9999), _int_field(values, "PNO", 9999)
        if (pnum is None) != (pno is None) or (pnum is not None and pno is not None and not 1 <= pno <= pnum):
            raise Hj212Error("hj212.bad_split", f"PNUM={pnum} PNO={pno}", field="PNO")
    flag = None if "Flag" not in values else _int_field(values, "Flag", 255)
    return new_frozen(Header, qn=values.get("QN"), st=st, cn=cn, pw=pw, mn=mn, flag=flag, pnum=pnum, pno=pno,
                      cp=rest[:-2])


def _decode(segment: str | bytes) -> str:
    if isinstance(segment, str):
        return segment
    try:
        return segment.decode("utf-8")
    except UnicodeDecodeError:
        raise Hj212Error("hj212.bad_encoding") from None


def check_header(header: Header) -> None:
    """The envelope checks :func:`parse_message` adds to :func:`parse_header`'s."""
    if header.qn is not None:
        if len(header.qn) != 17:
            raise Hj212Error("hj212.bad_field", f"QN={header.qn}", field="QN")
        check_time(header.qn, "QN")
    if not (header.cn.isdigit() and len(header.cn) == 4):
        raise Hj212Error("hj212.bad_field", f"CN={header.cn}", field="CN")
    if header.cn not in codes.CN_CODES and header.cn not in codes.CN_CODES_2005:
        raise Hj212Error("hj212.unknown_cn", header.cn, field="CN")
    if len(header.mn) > 24 or len(header.pw) > 24 or len(header.st) > 3:
        raise Hj212Error("hj212.bad_field", "MN/PW/ST too long", field="MN")


def parse_message(segment: str | bytes, header: Header | None = None) -> Message:
    """Fully typed message; 2005 factor codes and flags are mapped to 2017 (raw code kept).

    ``header``: the result of :func:`parse_header` on the same segment, if the caller already has it.
    """
    header = header or parse_header(segment)
    check_header(header)
    area = parse_cp(header.cp)
    factors = area.factors
    if header.version == "2005":
        factors = tuple(_from_2005(f, header.st) for f in factors)
    standard = codes.factor_is_standard
    if not all([standard(f.code) for f in factors]):
        factors = tuple(f if standard(f.code) else replace(f, standard=False) for f in factors)
    data_time = area.fields.get("DataTime")
    return new_frozen(Message, header=header, data_time=data_time if isinstance(data_time, datetime) else None,
                      fields=area.fields, factors=factors)


def _from_2005(factor: Factor, st: str) -> Factor:
    mapped = codes.map_2005_factor(factor.code, st)
    flag = codes.FLAGS_2005_TO_2017.get(factor.flag, factor.flag) if factor.flag else factor.flag
    if mapped is None:
        return replace(factor, flag=flag)
    return replace(factor, code=mapped, raw_code=factor.code, flag=flag)


def build_segment(*, st: str, cn: str, pw: str, mn: str, cp: str, qn: str | None = None,
                  flag: int | None = None, pnum: int | None = None, pno: int | None = None) -> str:
    """Data segment text, in the standard's field order."""
    parts = [f"QN={qn}"] if qn is not None else []
    parts += [f"ST={st}", f"CN={cn}", f"PW={pw}", f"MN={mn}"]
    if flag is not None:
        parts.append(f"Flag={flag}")
    if pnum is not None:
        parts += [f"PNUM={pnum}", f"PNO={pno}"]
    return ";".join(parts) + f";CP=&&{cp}&&"


def message_segment(message: Message) -> str:
    """Inverse of :func:`parse_message` for 2017 messages (used by the simulator and round-trip tests)."""
    h = message.header
    cp = format_cp(message.fields, message.factors)
    return build_segment(st=h.st, cn=h.cn, pw=h.pw, mn=h.mn, cp=cp, qn=h.qn, flag=h.flag,
                         pnum=h.pnum, pno=h.pno)
