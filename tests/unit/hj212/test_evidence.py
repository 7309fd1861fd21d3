from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

from harvesters.hj212.evidence import EvidenceStore
from harvesters.hj212.framing import build_frame
from harvesters.hj212.verify import iter_entries, raw_bytes, verify_frames

MN = "C0E100000000000000000003"
WHEN = datetime(2026, 1, 15, 2, 0, tzinfo=UTC)  # 10:00 in Chongqing


def _frame(i: int) -> bytes:
    return build_frame(f"QN=20260115100000{i:03d};ST=22;CN=2011;PW=123456;MN={MN};Flag=5;"
                       f"CP=&&DataTime=20260115100000;a34004-Rtd={30 + i},a34004-Flag=N&&")


async def _store(root: Path, frames: list[bytes], reason: str | None = None) -> list[bool]:
    store = EvidenceStore(root, commit_interval=0.001)
    store.start()
    durable: list[bool] = []
    for raw in frames:
        store.append(raw, "127.0.0.1:40000", WHEN, mn=MN, reason=reason, on_durable=durable.append)
    await store.close()
    return durable


def test_frames_chained_per_mn_and_day(tmp_path: Path) -> None:
    frames = [_frame(i) for i in range(5)]
    assert asyncio.run(_store(tmp_path, frames)) == [True] * 5
    path = tmp_path / "frames" / MN / "2026-01-15.jsonl"
    entries = [e for _, e in iter_entries(path)]
    assert [raw_bytes(e) for e in entries] == frames
    assert [e["prev"] for e in entries[1:]] == [e["hash"] for e in entries[:-1]]
    assert entries[0]["received_at"].startswith("2026-01-15T10:00:00")
    assert verify_frames(tmp_path) == []


def test_chain_continues_after_restart(tmp_path: Path) -> None:
    asyncio.run(_store(tmp_path, [_frame(0)]))
    asyncio.run(_store(tmp_path, [_frame(1)]))
    assert verify_frames(tmp_path) == []
    path = tmp_path / "frames" / MN / "2026-01-15.jsonl"
    assert [e["seq"] for _, e in iter_entries(path)] == [1, 2]


def test_one_flipped_byte_is_named(tmp_path: Path) -> None:
    asyncio.run(_store(tmp_path, [_frame(i) for i in range(4)]))
    path = tmp_path / "frames" / MN / "2026-01-15.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    at = lines[2].index(b"a34004-Rtd=32") + len(b"a34004-Rtd=3")
    lines[2] = lines[2][:at] + b"9" + lines[2][at + 1:]
    path.write_bytes(b"".join(lines))
    problems = verify_frames(tmp_path)
    assert [(p.code, p.location.line, p.location.record) for p in problems] == [
        ("hj212.evidence_hash", 3, f"{MN}/2026-01-15")]
    assert problems[0].location.file == str(path)


def test_removed_entry_breaks_the_chain(tmp_path: Path) -> None:
    asyncio.run(_store(tmp_path, [_frame(i) for i in range(3)]))
    path = tmp_path / "frames" / MN / "2026-01-15.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[0] + lines[2])
    assert [(p.code, p.location.line) for p in verify_frames(tmp_path)] == [("hj212.evidence_chain", 2)]


def test_quarantine_keeps_reason_and_binary(tmp_path: Path) -> None:
    asyncio.run(_store(tmp_path, [b"\xff\xfe##garbage"], reason="hj212.bad_header"))
    [(_, entry)] = list(iter_entries(tmp_path / "quarantine" / "2026-01-15.jsonl"))
    assert entry["reason"] == "hj212.bad_header" and raw_bytes(entry) == b"\xff\xfe##garbage"
    assert not (tmp_path / "frames").exists()
    assert verify_frames(tmp_path) == []


def test_unsafe_mn_goes_to_quarantine(tmp_path: Path) -> None:
    store_root = tmp_path / "ev"

    async def run() -> None:
        store = EvidenceStore(store_root)
        store.start()
        store.append(b"x", "p", WHEN, mn="../../etc")
        await store.close()

    asyncio.run(run())
    [(_, entry)] = list(iter_entries(store_root / "quarantine" / "2026-01-15.jsonl"))
    assert entry["reason"] == "bad_mn_for_storage"


def test_torn_tail_is_moved_to_quarantine(tmp_path: Path) -> None:
    asyncio.run(_store(tmp_path, [_frame(0)]))
    path = tmp_path / "frames" / MN / "2026-01-15.jsonl"
    with path.open("ab") as fh:
        fh.write(b'{"seq":2,"received_at":"2026')
    asyncio.run(_store(tmp_path, [_frame(1)]))
    assert verify_frames(tmp_path) == []
    assert [e["seq"] for _, e in iter_entries(path)] == [1, 2]
    quarantined = [e for p in (tmp_path / "quarantine").glob("*.jsonl") for _, e in iter_entries(p)]
    assert [json.dumps(e["reason"]) for e in quarantined] == ['"torn_write:2026-01-15.jsonl"']
