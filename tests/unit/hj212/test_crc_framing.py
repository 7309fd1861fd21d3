from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harvesters.hj212.crc import crc_hex, hj212_crc, hj212_crc_reference, modbus_crc_wire_hex
from harvesters.hj212.errors import Hj212Error
from harvesters.hj212.framing import Frame, Garbage, StreamFramer, build_frame, check_frame

ANNEX_A = b"QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&"
WATER = ("QN=20260115100000001;ST=32;CN=2011;PW=123456;MN=C0E100000000000000000001;Flag=5;"
         "CP=&&DataTime=20260115100000;w01018-Rtd=23.5,w01018-Flag=N;w21003-Rtd=0.412,w21003-Flag=N&&")


def test_annex_a_vector() -> None:
    assert len(ANNEX_A) == 101
    assert crc_hex(ANNEX_A) == "1C80"
    assert modbus_crc_wire_hex(ANNEX_A) != "1C80"


@given(st.binary(max_size=300))
def test_table_crc_equals_bitwise(data: bytes) -> None:
    assert hj212_crc(data) == hj212_crc_reference(data)


def test_chinese_counts_utf8_bytes() -> None:
    segment = WATER.replace("w21003-Flag=N&&", "i11001-Info=//设备维护//&&")
    frame = build_frame(segment)
    assert int(frame[2:6]) == len(segment.encode("utf-8")) != len(segment)
    assert check_frame(frame).segment.decode("utf-8") == segment


@pytest.mark.parametrize(("raw", "code"), [
    (b"#0101" + ANNEX_A + b"1C80\r\n", "hj212.bad_header"),
    (b"##01a1" + ANNEX_A + b"1C80\r\n", "hj212.bad_header"),
    (b"##0100" + ANNEX_A + b"1C80\r\n", "hj212.bad_length"),
    (b"##2000" + ANNEX_A + b"1C80\r\n", "hj212.too_long"),
    (b"##0101" + ANNEX_A + b"1C80\n\n", "hj212.bad_trailer"),
    (b"##0101" + ANNEX_A + b"1C81\r\n", "hj212.bad_crc"),
    (b"##0101" + ANNEX_A + b"0759\r\n", "hj212.bad_crc"),
    (b"##", "hj212.bad_header"),
])
def test_check_frame_errors(raw: bytes, code: str) -> None:
    with pytest.raises(Hj212Error) as info:
        check_frame(raw)
    assert info.value.code == code
    assert info.value.problems[0].code == code
    assert info.value.message  # Chinese message for the clerk


def test_lowercase_crc_accepted() -> None:
    frame = build_frame(ANNEX_A)
    assert check_frame(frame[:-6] + frame[-6:-2].lower() + b"\r\n").segment == ANNEX_A


def _chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in zip(edges, edges[1:], strict=False)]


@given(st.lists(st.integers(min_value=0, max_value=5000), max_size=30))
def test_framer_any_split(cuts: list[int]) -> None:
    frames = [build_frame(WATER.replace("23.5", f"{i}.5")) for i in range(5)]
    stream = b"noise" + frames[0] + frames[1] + b"\x00##zz" + frames[2] + frames[3][:20] + frames[4]
    framer = StreamFramer()
    events = [e for chunk in _chunks(stream, cuts) for e in framer.feed(chunk)] + framer.flush()
    got = [e.raw for e in events if isinstance(e, Frame)]
    assert got == [frames[0], frames[1], frames[2], frames[4]]
    garbage = b"".join(e.data for e in events if isinstance(e, Garbage))
    assert b"noise" in garbage and b"zz" in garbage


@given(st.binary(max_size=3000), st.lists(st.integers(min_value=0, max_value=3000), max_size=10))
def test_framer_never_crashes(data: bytes, cuts: list[int]) -> None:
    framer = StreamFramer()
    events = [e for chunk in _chunks(data, cuts) for e in framer.feed(chunk)] + framer.flush()
    total = sum(len(e.raw) if isinstance(e, Frame) else len(e.data) for e in events)
    assert total == len(data)  # every byte is accounted for: in a frame or in garbage
    for event in events:
        if isinstance(event, Frame):
            with contextlib.suppress(Hj212Error):
                check_frame(event.raw)


def test_framer_drops_oversized_header_and_resyncs() -> None:
    good = build_frame(WATER)
    events = StreamFramer().feed(b"##9999" + b"x" * 50 + good)
    assert isinstance(events[0], Garbage) and events[0].reason == "hj212.too_long"
    assert [e.raw for e in events if isinstance(e, Frame)] == [good]
