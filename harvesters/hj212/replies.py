"""Replies from the monitoring centre: 9011 request answer, 9012 execution result, 9013 notice answer,
9014 data answer (ST=91, echo QN, Flag=4: version 2017, no reply wanted)."""

from __future__ import annotations

from harvesters.hj212 import codes
from harvesters.hj212.framing import build_frame
from harvesters.hj212.message import Header, build_segment

REPLY_ST = "91"
REPLY_FLAG = 4


def _reply(header: Header, cn: str, cp: str) -> bytes:
    if header.qn is None:
        return build_frame(build_segment(st=REPLY_ST, cn=cn, pw=header.pw, mn=header.mn, cp=cp, flag=REPLY_FLAG))
    # build_segment's text for a reply, written out: one reply goes out per frame received
    return build_frame(f"QN={header.qn};ST={REPLY_ST};CN={cn};PW={header.pw};MN={header.mn};"
                       f"Flag={REPLY_FLAG};CP=&&{cp}&&")


def request_answer(header: Header, qn_rtn: int) -> bytes:
    return _reply(header, "9011", f"QnRtn={qn_rtn}")


def execution_result(header: Header, exe_rtn: int) -> bytes:
    return _reply(header, "9012", f"ExeRtn={exe_rtn}")


def notice_answer(header: Header) -> bytes:
    return _reply(header, "9013", "")


def data_answer(header: Header) -> bytes:
    return _reply(header, "9014", "")


def reply_for(header: Header) -> bytes | None:
    """The answer a site expects for an accepted frame, or None (bit A not set, or a reply itself)."""
    if not header.ack_requested or header.cn in codes.REPLY_CNS:
        return None
    if header.cn in codes.NOTICE_CNS:
        return notice_answer(header)
    if header.cn in codes.DATA_UPLOAD_CNS:
        return data_answer(header)
    return request_answer(header, codes.QN_RTN["ready"])


def refusal_for(header: Header, reason: str) -> bytes | None:
    """9011 with the QnRtn for ``reason`` (bad_pw, bad_mn, bad_crc …) when the site asked for a reply."""
    if not header.ack_requested or header.cn in codes.REPLY_CNS:
        return None
    return request_answer(header, codes.QN_RTN.get(reason, codes.QN_RTN["unknown"]))
