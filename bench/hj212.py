"""HJ 212 receiver benchmark: the receiver in a subprocess, 500 simulated loggers against it.

Phase 1 (steady): every logger sends a real-time frame every 5 s — ack latency under normal load.
Phase 2 (burst): every logger keeps a window of unacknowledged frames in flight — sustained maximum.
Prints ``name: value unit`` lines.  Usage: ``python bench/hj212.py [--loggers 500] [--steady 30]
[--burst 15] [--window 4]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harvesters.hj212.evidence import GENESIS, entry_line  # noqa: E402
from harvesters.hj212.framing import Frame, StreamFramer, crc_verdict  # noqa: E402
from harvesters.hj212.message import parse_header, parse_message  # noqa: E402
from harvesters.hj212.records import message_records  # noqa: E402
from harvesters.hj212.registry import FilePointRegistry  # noqa: E402
from harvesters.hj212.replies import reply_for  # noqa: E402
from harvesters.hj212.run import spawn  # noqa: E402
from harvesters.hj212.simulator import (  # noqa: E402
    SimulatorOptions,
    Summary,
    _Logger,
    simulate,
    simulated_points,
)
from harvesters.hj212.verify import chain_files  # noqa: E402


def _count_stored(root: Path) -> int:
    return sum(sum(1 for _ in path.open("rb")) for path in chain_files(root)
               if path.parent.name != "quarantine")


def hot_path(count: int = 20_000) -> float:
    """Frames per second of one core through the receiver's CPU path, without the network:
    framing a coalesced stream, CRC, envelope, evidence line, full parse, records, reply."""
    logger = _Logger(0, SimulatorOptions(), Summary())
    stream = b"".join(logger.frames()[0][0] for _ in range(count))
    now = datetime.now(UTC).isoformat()
    started = time.perf_counter()
    framer, prev = StreamFramer(), GENESIS
    for offset in range(0, len(stream), 65_536):
        for frame in framer.feed(stream[offset:offset + 65_536]):
            assert isinstance(frame, Frame) and crc_verdict(frame.segment, frame.crc_field) == "hj212"
            header = parse_header(frame.segment)
            _, prev, sha = entry_line(1, now, "127.0.0.1:50000", frame.raw, prev, header.mn, None)
            message_records(parse_message(frame.segment, header), sha)
            reply_for(header)
    return count / (time.perf_counter() - started)


def _phase(host: str, port: int, options: SimulatorOptions) -> Summary:
    return asyncio.run(simulate(host, port, options))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loggers", type=int, default=500)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--steady", type=float, default=30.0, help="seconds of steady load")
    parser.add_argument("--burst", type=float, default=15.0, help="seconds of burst load")
    parser.add_argument("--window", type=int, default=2, help="unacknowledged frames per logger (burst)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hj212-bench-") as tmp:
        root, points = Path(tmp) / "data", Path(tmp) / "points.yaml"
        registry = FilePointRegistry(points)
        registry.add_many(simulated_points(args.loggers))
        child, host, port = spawn(root, points, 0, "--max-fps", "0")
        try:
            steady = _phase(host, port, SimulatorOptions(loggers=args.loggers, interval=args.interval,
                                                          duration=args.steady))
            burst = _phase(host, port, SimulatorOptions(loggers=args.loggers, duration=args.burst,
                                                         burst=True, window=args.window))
        finally:
            child.send_signal(signal.SIGTERM)
            out, _ = child.communicate(timeout=120)
        stats = json.loads(out.split("stats ", 1)[1]) if "stats " in out else {}
        print(f"loggers: {args.loggers} loggers")
        print(f"steady_frames_per_second: {steady.acked / steady.elapsed:.1f} frames/s")
        print(f"ack_p50: {steady.percentile(0.5):.2f} ms")
        print(f"ack_p99: {steady.percentile(0.99):.2f} ms")
        print(f"frames_per_second: {burst.acked / burst.elapsed:.1f} frames/s")
        print(f"burst_ack_p50: {burst.percentile(0.5):.2f} ms")
        print(f"burst_ack_p99: {burst.percentile(0.99):.2f} ms")
        print(f"frames_sent: {steady.sent + burst.sent} frames")
        print(f"frames_acked: {steady.acked + burst.acked} frames")
        print(f"frames_stored: {_count_stored(root)} frames")
        cpu = stats.get("serving_cpu_seconds", float("nan"))
        received = stats.get("frames_received", 0) or 1
        print(f"receiver_cpu_per_frame: {cpu / received * 1e6:.1f} us")
        print(f"receiver_one_core_capacity: {received / cpu if cpu else float('nan'):.0f} frames/s")
        print(f"hot_path_frames_per_second: {hot_path():.0f} frames/s")
        print(f"load_average_1min: {os.getloadavg()[0]:.2f} runnable")


if __name__ == "__main__":
    main()
