"""Two receiver processes appending to one MN's chain (shared mode): the chain stays one valid chain;
a writer that died mid-line leaves a torn tail that the next writer moves to quarantine."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from harvesters.hj212.evidence import EvidenceStore
from harvesters.hj212.framing import build_frame
from harvesters.hj212.verify import iter_entries, raw_bytes, verify_frames

MN = "C0E100000000000000000007"
WHEN = datetime(2026, 1, 15, 2, 0, tzinfo=UTC)


def _frame(i: int) -> bytes:
    return build_frame(f"QN=20260115100000{i:03d};ST=31;CN=2011;PW=123456;MN={MN};Flag=5;"
                       f"CP=&&DataTime=20260115100000;a21026-Rtd={30 + i},a21026-Flag=N&&")


async def _interleave(root: Path, frames: list[bytes]) -> list[bool]:
    # two stores = two open file descriptions, exactly as two processes hold them
    stores = [EvidenceStore(root, commit_interval=0.001, shared=True) for _ in range(2)]
    for store in stores:
        store.start()
    durable: list[bool] = []
    for i, raw in enumerate(frames):
        stores[(i // 3) % 2].append(raw, f"127.0.0.1:{41000 + i % 2}", WHEN, mn=MN, on_durable=durable.append)
        if i % 3 == 2:
            await asyncio.sleep(0.01)  # let that store's batch commit before the other writes
    for store in stores:
        await store.close()
    return durable


def test_two_writers_continue_one_chain(tmp_path: Path) -> None:
    frames = [_frame(i) for i in range(30)]
    assert asyncio.run(_interleave(tmp_path, frames)) == [True] * 30
    entries = [e for _, e in iter_entries(tmp_path / "frames" / MN / "2026-01-15.jsonl")]
    assert [e["seq"] for e in entries] == list(range(1, 31))
    assert sorted(raw_bytes(e) for e in entries) == sorted(frames)
    assert verify_frames(tmp_path) == []


def test_torn_tail_of_a_dead_writer_goes_to_quarantine(tmp_path: Path) -> None:
    asyncio.run(_interleave(tmp_path, [_frame(i) for i in range(3)]))
    chain = tmp_path / "frames" / MN / "2026-01-15.jsonl"
    with chain.open("ab") as fh:
        fh.write(b'{"seq":4,"received_at":"2026-01-15T10:00:0')  # the process died here
    assert asyncio.run(_interleave(tmp_path, [_frame(i) for i in range(3, 6)])) == [True] * 3
    assert [e["seq"] for _, e in iter_entries(chain)] == [1, 2, 3, 4, 5, 6]
    quarantined = [e for path in (tmp_path / "quarantine").glob("*.jsonl") for _, e in iter_entries(path)]
    assert [e["reason"] for e in quarantined] == ["torn_write:2026-01-15.jsonl"]
    assert verify_frames(tmp_path) == []
