"""Flatten a message into typed records for the series sink (one per factor × kind)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from harvesters.hj212.message import Message


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


def message_records(message: Message, frame_sha256: str) -> list[SeriesRecord]:
    out: list[SeriesRecord] = []
    for factor in message.factors:
        for kind, value in factor.values.items():
            out.append(SeriesRecord(message.mn, message.cn, message.data_time, factor.code, kind, value,
                                    factor.flag, frame_sha256, factor.raw_code, factor.standard))
    return out
