"""Flatten a message into typed records for the series sink (one per factor × kind)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from harvesters.hj212 import codes
from harvesters.hj212.cp import scan_readings
from harvesters.hj212.message import Header, Message, check_header, parse_message


class SeriesRecord(NamedTuple):
    mn: str
    cn: str
    data_time: datetime | None
    code: str
    kind: str  # Rtd, Min, Avg, Max, Cou, ZsRtd …, RS/RT for facilities, Data/DayData/NightData for noise
    value: float
    flag: str | None  # None: the logger sent no flag.  Statistics use only "N".
    frame_sha256: str
    raw_code: str | None = None
    standard: bool = True


_new = tuple.__new__  # SeriesRecord(...) without the keyword handling of a NamedTuple's __new__


def message_records(message: Message, frame_sha256: str) -> list[SeriesRecord]:
    out: list[SeriesRecord] = []
    mn, cn, data_time = message.mn, message.cn, message.data_time
    for factor in message.factors:
        for kind, value in factor.values.items():
            out.append(_new(SeriesRecord, (mn, cn, data_time, factor.code, kind, value, factor.flag,
                                           frame_sha256, factor.raw_code, factor.standard)))
    return out


def frame_records(segment: str | bytes, header: Header, frame_sha256: str) -> list[SeriesRecord]:
    """``message_records(parse_message(segment, header), frame_sha256)``, raising as that does, without
    building the Message and its Factors: the receiver needs only the records of each frame."""
    if header.flag is None or header.flag >> 2 == 0:
        return message_records(parse_message(segment, header), frame_sha256)  # 2005: codes are mapped
    check_header(header)
    fields, readings = scan_readings(header.cp)
    data_time = fields.get("DataTime")
    if not isinstance(data_time, datetime):
        data_time = None
    mn, cn, standard = header.mn, header.cn, codes.factor_is_standard
    return [_new(SeriesRecord, (mn, cn, data_time, code, kind, value, flag, frame_sha256, None, standard(code)))
            for code, kind, value, flag in readings]
