"""The real receiver on 127.0.0.1 (random port) against the simulator and raw sockets."""

from __future__ import annotations

import asyncio
from pathlib import Path

from harvesters.hj212.framing import Frame, StreamFramer, build_frame
from harvesters.hj212.message import parse_header, parse_message
from harvesters.hj212.receiver import Receiver, ReceiverConfig
from harvesters.hj212.registry import FilePointRegistry
from harvesters.hj212.series import read_series
from harvesters.hj212.simulator import SimulatorOptions, simulate, simulated_points
from harvesters.hj212.verify import chain_files, iter_entries, raw_bytes, verify_frames


def _registry(tmp_path: Path, count: int) -> FilePointRegistry:
    registry = FilePointRegistry(tmp_path / "points.yaml")
    registry.add_many(simulated_points(count))
    return registry


def _stored(root: Path) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {"frames": [], "quarantine": []}
    for path in chain_files(root):
        kind = "quarantine" if path.parent.name == "quarantine" else "frames"
        out[kind] += [entry for _, entry in iter_entries(path)]
    return out


def test_simulated_loggers_all_stored_and_acknowledged(tmp_path: Path) -> None:
    options = SimulatorOptions(loggers=12, interval=0.2, duration=2.0, split_ratio=0.15, late_ratio=0.1,
                               legacy_ratio=0.1, bad_crc_ratio=0.1)

    async def run() -> tuple[object, Receiver]:
        receiver = Receiver(tmp_path / "data", _registry(tmp_path, 12), ReceiverConfig(port=0))
        host, port = await receiver.start()
        summary = await simulate(host, port, options)
        await receiver.close()
        return summary, receiver

    summary, receiver = asyncio.run(run())
    stored = _stored(tmp_path / "data")
    assert summary.sent == len(stored["frames"]) + len(stored["quarantine"])  # type: ignore[attr-defined]
    assert summary.expected_acks > 0 and summary.acked == summary.expected_acks  # type: ignore[attr-defined]
    assert {e["reason"] for e in stored["quarantine"]} == {"bad_crc"}
    assert summary.bad_crc_sent == len(stored["quarantine"]) > 0  # type: ignore[attr-defined]
    assert 0 < summary.refused <= summary.bad_crc_sent  # type: ignore[attr-defined]  # 9011 QnRtn=9
    stored_qns = {(e["mn"], parse_header(raw_bytes(e)[6:-6]).qn) for e in stored["frames"]}
    assert summary.acked_qns <= stored_qns  # type: ignore[attr-defined]
    assert verify_frames(tmp_path / "data") == []
    series = read_series(tmp_path / "data")
    assert series.num_rows > 0
    assert set(series.column("flag").to_pylist()) == {"N", None}  # None: 2005 B02 item sent without flag
    assert "a21026" in set(series.column("code").to_pylist())  # 2005 code 02 mapped
    assert set(series.column("frame_sha256").to_pylist()) <= {e["sha256"] for e in stored["frames"]}


async def _raw_exchange(host: str, port: int, data: bytes, wait: float = 1.0) -> list[bytes]:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(data)
    await writer.drain()
    framer, replies = StreamFramer(), []
    try:
        while chunk := await asyncio.wait_for(reader.read(4096), wait):
            replies += [e.raw for e in framer.feed(chunk) if isinstance(e, Frame)]
    except TimeoutError:
        pass
    writer.close()
    return replies


def _upload(mn: str, pw: str, qn: str = "20260115100000001") -> bytes:
    return build_frame(f"QN={qn};ST=22;CN=2011;PW={pw};MN={mn};Flag=5;"
                       "CP=&&DataTime=20260115100000;a34004-Rtd=52,a34004-Flag=N&&")


def test_garbage_half_frames_and_disconnects_do_not_disturb_others(tmp_path: Path) -> None:
    registry = _registry(tmp_path, 5)
    good_mn = simulated_points(5)[0].mn

    async def vandal(host: str, port: int) -> list[bytes]:
        await _raw_exchange(host, port, b"\x00\x01GET / HTTP/1.1\r\n\r\n##12", wait=0.2)
        await _raw_exchange(host, port, _upload(good_mn, "123456")[:40], wait=0.2)  # half frame, then gone
        await _raw_exchange(host, port, b"##9999" + b"A" * 70_000, wait=0.5)
        mixed = b"junk" + _upload(good_mn, "123456", "20260115100000777") + b"##00zz"
        return await _raw_exchange(host, port, mixed, wait=0.5)

    async def run() -> tuple[object, list[bytes]]:
        receiver = Receiver(tmp_path / "data", registry, ReceiverConfig(port=0))
        host, port = await receiver.start()
        summary, replies = await asyncio.gather(
            simulate(host, port, SimulatorOptions(loggers=5, interval=0.1, duration=1.5)), vandal(host, port))
        await receiver.close()
        return summary, replies

    summary, replies = asyncio.run(run())
    assert summary.errors == 0 and summary.acked == summary.expected_acks > 0  # type: ignore[attr-defined]
    assert [parse_header(r[6:-6]).qn for r in replies] == ["20260115100000777"]
    reasons = {e["reason"] for e in _stored(tmp_path / "data")["quarantine"]}
    assert {"hj212.bad_header", "hj212.bad_length", "hj212.too_long"} <= reasons


def test_unknown_mn_and_wrong_password_refused_and_quarantined(tmp_path: Path) -> None:
    registry = _registry(tmp_path, 1)
    known = simulated_points(1)[0].mn

    async def run() -> tuple[list[bytes], list[bytes]]:
        receiver = Receiver(tmp_path / "data", registry, ReceiverConfig(port=0))
        host, port = await receiver.start()
        unknown = await _raw_exchange(host, port, _upload("C0E1FFFFFFFFFFFFFFFFFFFF", "123456"))
        wrong_pw = await _raw_exchange(host, port, _upload(known, "654321"))
        await receiver.close()
        return unknown, wrong_pw

    unknown, wrong_pw = asyncio.run(run())
    assert [parse_message(r[6:-6]).fields for r in unknown] == [{"QnRtn": 4}]
    assert [parse_message(r[6:-6]).fields for r in wrong_pw] == [{"QnRtn": 3}]
    stored = _stored(tmp_path / "data")
    assert stored["frames"] == []
    assert [(e["mn"], e["reason"]) for e in stored["quarantine"]] == [
        ("C0E1FFFFFFFFFFFFFFFFFFFF", "bad_mn"), (known, "bad_pw")]
    assert read_series(tmp_path / "data").num_rows == 0


def test_rate_limit_and_idle_timeout_per_connection(tmp_path: Path) -> None:
    registry = _registry(tmp_path, 1)
    mn = simulated_points(1)[0].mn
    flood = b"".join(_upload(mn, "123456", f"20260115100000{i:03d}") for i in range(40))

    async def run() -> tuple[list[bytes], bool]:
        config = ReceiverConfig(port=0, max_fps=5, idle_timeout=1.0)
        receiver = Receiver(tmp_path / "data", registry, config)
        host, port = await receiver.start()
        replies = await _raw_exchange(host, port, flood, wait=1.0)
        reader, writer = await asyncio.open_connection(host, port)
        closed = await asyncio.wait_for(reader.read(1), 5.0) == b""  # idle: the receiver hangs up
        writer.close()
        await receiver.close()
        return replies, closed

    replies, closed = asyncio.run(run())
    stored = _stored(tmp_path / "data")
    limited = [e for e in stored["quarantine"] if e["reason"] == "rate_limited"]
    answers = [parse_message(r[6:-6]) for r in replies]
    assert len([a for a in answers if a.cn == "9014"]) == len(stored["frames"]) == 10  # bucket: 2 s at 5/s
    assert [a.fields for a in answers if a.cn == "9011"] == [{"QnRtn": 2}] * 30
    assert len(limited) == 30
    assert closed
