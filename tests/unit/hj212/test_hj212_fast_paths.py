"""The receiver's per-frame shortcuts give exactly what the plain protocol functions give, errors included."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from harvesters.hj212 import cp, replies
from harvesters.hj212.errors import Hj212Error
from harvesters.hj212.framing import build_frame
from harvesters.hj212.message import Header, build_segment, parse_header, parse_message
from harvesters.hj212.records import frame_records, message_records


def _outcome(fn: Any, *args: Any) -> tuple[object, ...]:
    try:
        return ("ok", fn(*args))
    except Hj212Error as exc:
        return ("error", exc.code, exc.detail, exc.field)
    except ValueError as exc:
        return ("value_error", str(exc))


def _checked_parts(text: str) -> tuple[object, ...]:
    area = cp._parse_cp_checked(text)
    return area.fields, [(f.code, f.values, f.flag, f.eflag, f.texts) for f in area.factors]


# separators, digits, signs, kinds and flags, a unicode digit int() refuses, CJK text
CP_ALPHABET = st.sampled_from([";", ",", "=", "-", "&", ".", "+", "e", "0", "1", "5", "9", "²", "测",
                               "a34004", "w01018", "SB1", "Rtd", "Avg", "Cou", "Flag", "EFlag", "N", "NN",
                               "Info", "SampleTime", "DataTime", "20260115100000", "QnRtn", "RtdInterval"])
cp_texts = st.lists(CP_ALPHABET, max_size=40).map("".join)


@given(cp_texts)
def test_scan_agrees_with_the_checking_parser(text: str) -> None:
    expected = _outcome(_checked_parts, text)
    assert _outcome(cp.scan_cp, text) == expected
    area = _outcome(cp.parse_cp, text)
    assert area[0] == expected[0]
    if area[0] == "ok":
        assert area[1] == cp._parse_cp_checked(text)


def _checked_readings(text: str) -> tuple[object, ...]:
    fields, parts = _checked_parts(text)
    return fields, [(code, kind, value, flag) for code, values, flag, _, _ in parts  # type: ignore[attr-defined]
                    for kind, value in values.items()]


@given(cp_texts)
def test_readings_agree_with_the_checking_parser(text: str) -> None:
    assert _outcome(cp.scan_readings, text) == _outcome(_checked_readings, text)


@given(st.lists(st.tuples(st.sampled_from(["a34004", "w01018", "SB1", "a-b", ""]),
                          st.sampled_from(["Rtd", "Avg", "Flag", "EFlag", "Info", ""]),
                          st.sampled_from(["1", "0.5", "-2.25", "1e3", "", "N", "NN", "1.2.3", "12345678901234567890.5",
                                           "20260115100000", "a=b"])), max_size=8),
       st.sampled_from([";", ","]), st.booleans())
def test_readings_of_usual_layouts_agree(items: list[tuple[str, str, str]], separator: str, stamped: bool) -> None:
    names = [f"{code}-{kind}" if code or kind else "" for code, kind, _ in items]
    text = separator.join([*(["DataTime=20260115100000"] if stamped else []),
                           *(f"{name}={value}" for name, (_, _, value) in zip(names, items, strict=True))])
    assert _outcome(cp.scan_readings, text) == _outcome(_checked_readings, text)
    assert _outcome(cp.scan_readings, text) == _outcome(cp.scan_readings, text)  # the cached layout reads alike


@given(st.text("0123456789²a", min_size=12, max_size=18))
def test_check_time_agrees_with_parse_time(value: str) -> None:
    expected = _outcome(cp._parse_time, value, "QN")
    assert _outcome(cp.check_time, value, "QN")[0] == expected[0]
    assert _outcome(cp.check_time, value, "QN")[1:] == expected[1:] or expected[0] == "ok"
    assert _outcome(cp.parse_time, value, "QN") == expected
    if expected[0] == "ok" and len(value) == 17:
        cp.parse_time(value[:14], "QN")  # its second now known: the shortcut answers
        assert _outcome(cp.check_time, value, "QN")[0] == "ok"


@given(st.sampled_from([None, 0, 1, 4, 5, 8, 9, 12, 13]), st.sampled_from(["2011", "2051", "9014", "7777"]),
       cp_texts, st.sampled_from(["20260115100000123", "2026011510000012", "20261315100000123", None]))
def test_frame_records_equal_message_records(flag: int | None, cn: str, text: str, qn: str | None) -> None:
    segment = build_segment(st="22", cn=cn, pw="123456", mn="C0E100000000000000000001", cp=text, qn=qn,
                            flag=flag)
    try:
        header = parse_header(segment)
    except Hj212Error:
        return
    expected = _outcome(lambda: message_records(parse_message(segment, header), "ab" * 32))
    assert _outcome(frame_records, segment, header, "ab" * 32) == expected


factor_items = st.lists(st.tuples(st.sampled_from(["a34004", "w01018", "SB1", "B02", "01", "vendor"]),
                                   st.sampled_from(["Rtd", "Avg", "RS", "Flag", "EFlag", "Info", "SampleTime"]),
                                   st.sampled_from(["1", "0.5", "-2.25", "1e3", "N", "D", "P", "20260115100000"])),
                         max_size=8)
well_formed_cps = st.builds(lambda items, stamp: ";".join([f"DataTime={stamp}", *(f"{c}-{k}={v}" for c, k, v in items)]),
                            factor_items, st.sampled_from(["20260115100000", "20260115100000123"]))


@given(st.sampled_from([None, 1, 4, 5, 8, 13]), well_formed_cps)
def test_frame_records_equal_message_records_for_well_formed_areas(flag: int | None, text: str) -> None:
    segment = build_segment(st="31", cn="2011", pw="1", mn="LD130133000016", cp=text, qn="20260115100000001",
                            flag=flag)
    header = parse_header(segment)
    expected = _outcome(lambda: message_records(parse_message(segment, header), "ab" * 32))
    assert _outcome(frame_records, segment, header, "ab" * 32) == expected


def test_frame_records_of_a_2017_frame() -> None:
    segment = ("QN=20260115100000001;ST=22;CN=2011;PW=123456;MN=C0E100000000000000000001;Flag=5;"
               "CP=&&DataTime=20260115100000;a34004-Rtd=48,a34004-Flag=N;xyz-Rtd=1.5,xyz-Flag=D&&")
    records = frame_records(segment, parse_header(segment), "ab" * 32)
    assert [(r.code, r.kind, r.value, r.flag, r.standard, r.data_time) for r in records] == [
        ("a34004", "Rtd", 48.0, "N", True, datetime(2026, 1, 15, 10)),
        ("xyz", "Rtd", 1.5, "D", False, datetime(2026, 1, 15, 10))]
    assert records == message_records(parse_message(segment), "ab" * 32)


@given(st.sampled_from(["20260115100000001", None]), st.sampled_from(["2011", "1013", "1062"]),
       st.sampled_from([5, 4, 7, None]))
def test_replies_equal_their_segments_built_in_full(qn: str | None, cn: str, flag: int | None) -> None:
    header = Header(qn, "22", cn, "123456", "C0E100000000000000000001", flag, None, None, "")
    for answer, (reply_cn, reply_cp) in ((replies.reply_for(header), _expected_reply(cn)),
                                         (replies.refusal_for(header, "bad_pw"), ("9011", "QnRtn=3"))):
        if not header.ack_requested:
            assert answer is None
            continue
        assert answer == build_frame(build_segment(st="91", cn=reply_cn, pw="123456", mn=header.mn,
                                                   cp=reply_cp, qn=qn, flag=4))


def _expected_reply(cn: str) -> tuple[str, str]:
    return {"2011": ("9014", ""), "1013": ("9013", "")}.get(cn, ("9011", "QnRtn=1"))
