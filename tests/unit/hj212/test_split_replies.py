from __future__ import annotations

from harvesters.hj212.framing import check_frame
from harvesters.hj212.message import parse_header, parse_message
from harvesters.hj212.replies import execution_result, notice_answer, refusal_for, reply_for, request_answer
from harvesters.hj212.split import Reassembler

MN = "010000A8900016F000169DC0"


def _packet(qn: str, pno: int, body: str, pnum: int = 2, when: str = "20160801080000") -> str:
    return (f"QN={qn};ST=32;CN=2061;PW=123456;MN={MN};Flag=7;PNUM={pnum};PNO={pno};"
            f"CP=&&DataTime={when};{body}&&")


P1 = _packet("20160801085857534", 1, "w00000-Avg=17.5,w00000-Flag=N")
P2 = _packet("20160801085857535", 2, "w01001-Avg=7.5,w01001-Flag=N")


def test_reassembly_in_pno_order_whatever_arrival_order() -> None:
    r = Reassembler()
    assert r.add(parse_message(P2), "b" * 64, now=0.0) is None
    assert len(r) == 1
    done = r.add(parse_message(P1), "a" * 64, now=1.0)
    assert done is not None and len(r) == 0
    assert [f.code for f in done.message.factors] == ["w00000", "w01001"]
    assert done.frame_hashes == ("a" * 64, "b" * 64)
    assert done.message.qn == "20160801085857534"


def test_groups_are_kept_apart_by_data_time_and_expire() -> None:
    r = Reassembler(expiry_seconds=60)
    other_hour = _packet("20160801095857534", 1, "w00000-Avg=1", when="20160801090000")
    assert r.add(parse_message(P1), "a" * 64, now=0.0) is None
    assert r.add(parse_message(other_hour), "c" * 64, now=30.0) is None
    assert len(r) == 2
    expired = r.expire(now=61.0)
    assert [(key[0], arrived) for key, arrived in expired] == [(MN, [1])]
    assert len(r) == 1


def test_unsplit_messages_pass_through() -> None:
    msg = parse_message(f"QN=20160801085857223;ST=32;CN=2011;PW=123456;MN={MN};Flag=5;"
                        "CP=&&DataTime=20160801085800;w01018-Rtd=40.1&&")
    done = Reassembler().add(msg, "d" * 64, now=0.0)
    assert done is not None and done.message is msg


def _upload(cn: str, flag: int) -> str:
    return f"QN=20160801085857223;ST=32;CN={cn};PW=123456;MN={MN};Flag={flag};CP=&&&&"


def test_data_answer_for_uploads_with_a_bit() -> None:
    reply = reply_for(parse_header(_upload("2061", 5)))
    assert reply is not None
    header = parse_header(check_frame(reply).segment)
    assert (header.qn, header.st, header.cn, header.flag, header.mn) == ("20160801085857223", "91", "9014", 4, MN)
    assert reply_for(parse_header(_upload("2061", 4))) is None  # no A bit
    assert reply_for(parse_header(_upload("9014", 5))) is None  # never answer an answer


def test_notice_request_and_refusal_answers() -> None:
    assert parse_header(check_frame(reply_for(parse_header(_upload("1013", 5))) or b"").segment).cn == "9013"
    request = parse_message(check_frame(reply_for(parse_header(_upload("1011", 5))) or b"").segment)
    assert (request.cn, request.fields) == ("9011", {"QnRtn": 1})
    refusal = parse_message(check_frame(refusal_for(parse_header(_upload("2011", 5)), "bad_pw") or b"").segment)
    assert refusal.fields == {"QnRtn": 3}
    crc = parse_message(check_frame(refusal_for(parse_header(_upload("2011", 5)), "bad_crc") or b"").segment)
    assert crc.fields == {"QnRtn": 9}
    header = parse_header(_upload("3012", 5))
    assert parse_message(check_frame(execution_result(header, 1)).segment).fields == {"ExeRtn": 1}
    assert parse_message(check_frame(request_answer(header, 2)).segment).fields == {"QnRtn": 2}
    assert parse_message(check_frame(notice_answer(header)).segment).cn == "9013"
