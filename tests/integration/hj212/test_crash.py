"""SIGKILL the receiver process mid-stream, restart it, and prove no acknowledged frame was lost."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
from pathlib import Path

from harvesters.hj212.message import parse_header
from harvesters.hj212.registry import FilePointRegistry
from harvesters.hj212.run import spawn
from harvesters.hj212.simulator import SimulatorOptions, Summary, simulate, simulated_points
from harvesters.hj212.verify import chain_files, iter_entries, raw_bytes, verify_frames


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(child: subprocess.Popen[str]) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=30)
    if child.stdout is not None:
        child.stdout.close()


def test_no_acknowledged_frame_lost_across_sigkill(tmp_path: Path) -> None:
    points = tmp_path / "points.yaml"
    registry = FilePointRegistry(points)
    registry.add_many(simulated_points(20))
    root, port = tmp_path / "data", _free_port()
    children: list[subprocess.Popen[str]] = []

    async def chaos() -> None:
        await asyncio.sleep(1.5)
        children[0].send_signal(signal.SIGKILL)
        children[0].wait()
        await asyncio.sleep(0.5)
        children.append(spawn(root, points, port, "--max-fps", "0")[0])

    async def run() -> Summary:
        options = SimulatorOptions(loggers=20, duration=4.0, burst=True, window=4, drain=2.0)
        sim = asyncio.create_task(simulate("127.0.0.1", port, options))
        await chaos()
        return await sim

    children.append(spawn(root, points, port, "--max-fps", "0")[0])
    try:
        summary = asyncio.run(run())
    finally:
        for child in children:
            _stop(child)
    assert children[0].returncode == -signal.SIGKILL
    stored = {(e["mn"], parse_header(raw_bytes(e)[6:-6]).qn)
              for path in chain_files(root) if path.parent.name != "quarantine"
              for _, e in iter_entries(path)}
    assert summary.acked > 0 and summary.errors > 0  # loggers saw the crash and reconnected
    missing = summary.acked_qns - stored
    assert missing == set()
    assert verify_frames(root) == []


def _workers(supervisor: subprocess.Popen[str]) -> list[int]:
    text = Path(f"/proc/{supervisor.pid}/task/{supervisor.pid}/children").read_text()
    return [int(pid) for pid in text.split()]


def test_sigkill_of_one_worker_loses_no_acknowledged_frame(tmp_path: Path) -> None:
    points = tmp_path / "points.yaml"
    FilePointRegistry(points).add_many(simulated_points(20))
    root = tmp_path / "data"
    supervisor, host, port = spawn(root, points, 0, "--max-fps", "0", "--workers", "2")
    workers = _workers(supervisor)
    assert len(workers) == 2

    async def run() -> Summary:
        options = SimulatorOptions(loggers=20, duration=4.0, burst=True, window=4, drain=2.0)
        sim = asyncio.create_task(simulate(host, port, options))
        await asyncio.sleep(1.5)
        os.kill(workers[0], signal.SIGKILL)  # loggers on it reconnect to the other worker
        return await sim

    try:
        summary = asyncio.run(run())
    finally:
        _stop(supervisor)
    stored = {(e["mn"], parse_header(raw_bytes(e)[6:-6]).qn)
              for path in chain_files(root) if path.parent.name != "quarantine"
              for _, e in iter_entries(path)}
    assert summary.expected_acks > summary.acked > 0  # frames in flight on the killed worker
    assert summary.acked_qns - stored == set()
    assert verify_frames(root) == []
