from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harvesters.hj212.cp import Factor
from harvesters.hj212.errors import Hj212Error
from harvesters.hj212.framing import build_frame, check_frame
from harvesters.hj212.message import Header, Message, message_segment, parse_header, parse_message
from harvesters.hj212.records import message_records

HOURLY = ("QN=20260115090000001;ST=32;CN=2061;PW=123456;MN=C0E100000000000000000007;Flag=5;"
          "CP=&&DataTime=20260115080000;w00000-Cou=63.0,w00000-Min=16.4,w00000-Avg=17.5,w00000-Max=20.1,"
          "w00000-Flag=N;w01018-Avg=40.1,w01018-ZsAvg=42.0,w01018-Flag=M;SB1-RS=1;SB1-RT=23.5;"
          "i12001-Info=0&&")


def test_typed_values() -> None:
    msg = parse_message(HOURLY)
    assert (msg.qn, msg.cn, msg.mn, msg.version) == ("20260115090000001", "2061", "C0E100000000000000000007",
                                                     "2017")
    assert msg.header.ack_requested and not msg.header.split
    assert msg.data_time == datetime(2026, 1, 15, 8)
    by_code = {f.code: f for f in msg.factors}
    assert by_code["w00000"].values == {"Cou": 63.0, "Min": 16.4, "Avg": 17.5, "Max": 20.1}
    assert by_code["w01018"].flag == "M" and by_code["w01018"].values["ZsAvg"] == 42.0
    assert by_code["SB1"].values == {"RS": 1.0, "RT": 23.5}
    assert by_code["i12001"].texts == {"Info": "0"}
    records = message_records(msg, "ab" * 32)
    assert {(r.code, r.kind, r.value, r.flag) for r in records} >= {("w01018", "Avg", 40.1, "M")}
    assert all(r.frame_sha256 == "ab" * 32 for r in records)


def test_2005_mapping_by_system_type() -> None:
    water = parse_message("ST=32;CN=2011;PW=123456;MN=LD130133000015;CP=&&DataTime=20160824003817000;"
                          "B01-Rtd=36.91;011-Rtd=231.0,011-Flag=P;060-Rtd=1.803,060-Flag=N&&")
    assert water.version == "2005"
    assert [(f.code, f.raw_code, f.flag) for f in water.factors] == [
        ("w00000", "B01", None), ("w01018", "011", "D"), ("w21003", "060", "N")]
    air = parse_message("ST=31;CN=2011;PW=123456;MN=LD130133000016;CP=&&DataTime=20160824003817;"
                        "02-Rtd=12.0;01-Rtd=3.1,01-Flag=2;023-Rtd=1&&")
    assert [(f.code, f.flag, f.standard) for f in air.factors] == [
        ("a21026", None, True), ("a34013", "D", True), ("023", None, False)]


@pytest.mark.parametrize(("segment", "code"), [
    ("ST=32;CN=2011;PW=123456;MN=X;Flag=5", "hj212.missing_field"),
    ("ST=32;CN=2011;PW=123456;Flag=5;CP=&&&&", "hj212.missing_field"),
    ("ST=32;CN=2011;PW=123456;MN=X;Flag=256;CP=&&&&", "hj212.bad_flag"),
    ("ST=32;CN=2011;PW=123456;MN=X;Flag=a;CP=&&&&", "hj212.bad_flag"),
    ("ST=32;CN=7777;PW=123456;MN=X;Flag=4;CP=&&&&", "hj212.unknown_cn"),
    ("ST=32;CN=20x1;PW=123456;MN=X;Flag=4;CP=&&&&", "hj212.bad_field"),
    ("QN=2026011509000;ST=32;CN=2011;PW=1;MN=X;CP=&&&&", "hj212.bad_field"),
    ("QN=20261315090000001;ST=32;CN=2011;PW=1;MN=X;CP=&&&&", "hj212.bad_datetime"),
    ("ST=32;CN=2011;PW=1;MN=X;CP=&&DataTime=20260230000000&&", "hj212.bad_datetime"),
    ("ST=32;CN=2011;PW=1;MN=X;CP=&&DataTime=20260115000000;w01018-Rtd=abc&&", "hj212.bad_field"),
    ("ST=32;CN=2011;PW=1;MN=X;CP=&&w01018-Rtd=nan&&", "hj212.bad_field"),
    ("ST=32;CN=2011;PW=1;MN=X;CP=&&w01018-Rtd=1;w01018-Rtd=2&&", "hj212.bad_cp"),
    ("ST=32;CN=2011;PW=1;MN=X;CP=&&w01018&&", "hj212.bad_cp"),
    ("ST=32;CN=2011;PW=1;MN=X;CP=&&w01018-Rtd=1", "hj212.bad_cp"),
    ("ST=32;CN=2011;PW=1;MN=X;Flag=7;PNUM=2;PNO=3;CP=&&&&", "hj212.bad_split"),
    ("ST=32;CN=2011;PW=1;MN=X;Flag=7;PNUM=2;CP=&&&&", "hj212.bad_split"),
    ("ST=32;CN=2011;PW=1;MN=X;XX=1;CP=&&&&", "hj212.bad_field"),
    (b"ST=32;CN=2011;PW=1;MN=\xff;CP=&&&&", "hj212.bad_encoding"),
])
def test_errors(segment: str | bytes, code: str) -> None:
    with pytest.raises(Hj212Error) as info:
        parse_message(segment)
    assert info.value.code == code


codes = st.sampled_from(["a34004", "a34002", "a21026", "a21004", "a05024", "w01018", "w21003", "SB1"])
kinds = st.sampled_from(["Rtd", "Min", "Avg", "Max", "Cou", "ZsRtd"])
numbers = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).map(lambda v: round(v, 3))
factor = st.builds(lambda code, values, flag: Factor(code, values, flag),
                   codes, st.dictionaries(kinds, numbers, min_size=1, max_size=4),
                   st.sampled_from([None, "N", "F", "M", "S", "D", "C", "T", "B"]))
stamps = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda d: d.replace(microsecond=0))


@st.composite
def messages(draw: st.DrawFn) -> Message:
    factors = tuple({f.code: f for f in draw(st.lists(factor, max_size=6))}.values())
    data_time = draw(stamps)
    qn = draw(stamps).strftime("%Y%m%d%H%M%S") + f"{draw(st.integers(0, 999)):03d}"
    split = draw(st.booleans())
    pnum = draw(st.integers(1, 20)) if split else None
    pno = draw(st.integers(1, pnum)) if pnum else None
    header = Header(qn, draw(st.sampled_from(["21", "22", "31", "32"])),
                    draw(st.sampled_from(["2011", "2051", "2061", "2031"])),
                    draw(st.text("0123456789ABCDEF", min_size=6, max_size=6)),
                    draw(st.text("0123456789ABCDEF", min_size=24, max_size=24)),
                    (5 | (2 if split else 0)) if draw(st.booleans()) else (4 | (2 if split else 0)),
                    pnum, pno, "")
    return Message(header, data_time, {"DataTime": data_time}, factors)


@given(messages())
def test_build_frame_parse_round_trip(message: Message) -> None:
    frame = check_frame(build_frame(message_segment(message)))
    parsed = parse_message(frame.segment)
    assert parsed.header == parse_header(message_segment(message))
    assert parsed.data_time == message.data_time
    assert parsed.factors == message.factors


@given(st.binary(max_size=400))
def test_parser_never_crashes_on_bytes(data: bytes) -> None:
    try:
        parse_message(data)
    except Hj212Error as exc:
        assert exc.code.startswith("hj212.")


@given(st.text(alphabet="QNSTCPWMFlagU=;&,-0123456789wa.", max_size=200))
def test_parser_never_crashes_on_near_misses(text: str) -> None:
    try:
        parse_message("ST=32;CN=2011;PW=1;MN=X;CP=&&" + text + "&&")
        parse_message(text)
    except Hj212Error as exc:
        assert exc.code.startswith("hj212.")
