"""HJ 212 receiver benchmark: the receiver in subprocesses, 500 simulated loggers (one TCP connection
each) against it over loopback.

Phase 1 (steady): every logger sends a real-time frame every 5 s — ack latency under normal load.
Phase 2 (burst): every logger keeps a window of unacknowledged frames in flight — sustained maximum.
Every frame is really stored (hash-chained evidence line, fsync'd) before its ack; afterwards the
stored lines are counted and every acknowledged QN is looked up in the evidence.
Prints ``name: value unit`` lines.  Usage: ``python bench/hj212.py [--loggers 500] [--steady 30]
[--burst 15] [--window 2] [--workers 2] [--sim-procs 2]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harvesters.hj212 import eventloop  # noqa: E402
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
from harvesters.hj212.verify import chain_files, iter_entries, raw_bytes  # noqa: E402


def _stored_qns(root: Path) -> list[tuple[str, str | None]]:
    return [(e["mn"], parse_header(raw_bytes(e)[6:-6]).qn) for path in chain_files(root)
            if path.parent.name != "quarantine" for _, e in iter_entries(path)]


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


def _slice(host: str, port: int, options: SimulatorOptions) -> dict[str, object]:
    start = resource.getrusage(resource.RUSAGE_SELF)
    summary = eventloop.run(simulate(host, port, options))
    end = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (end.ru_utime + end.ru_stime) - (start.ru_utime + start.ru_stime)
    return {"sent": summary.sent, "acked": summary.acked, "expected": summary.expected_acks,
            "errors": summary.errors, "elapsed": summary.elapsed, "latencies": summary.latencies_ms,
            "acked_qns": sorted(summary.acked_qns), "cpu": cpu}


def _phase(pool: ProcessPoolExecutor, host: str, port: int, options: SimulatorOptions,
           procs: int) -> tuple[Summary, float]:
    """Split the loggers over ``procs`` simulator processes (each still one connection per logger)."""
    share = [options.loggers // procs + (1 if i < options.loggers % procs else 0) for i in range(procs)]
    firsts = [sum(share[:i]) for i in range(procs)]
    jobs = [pool.submit(_slice, host, port, replace(options, loggers=n, first_logger=first,
                                                   seed=options.seed + i))
            for i, (n, first) in enumerate(zip(share, firsts, strict=True)) if n]
    merged, cpu = Summary(), 0.0
    for job in jobs:
        part = job.result()
        merged.sent += int(part["sent"])  # type: ignore[call-overload]
        merged.acked += int(part["acked"])  # type: ignore[call-overload]
        merged.expected_acks += int(part["expected"])  # type: ignore[call-overload]
        merged.errors += int(part["errors"])  # type: ignore[call-overload]
        merged.elapsed = max(merged.elapsed, float(part["elapsed"]))  # type: ignore[arg-type]
        merged.latencies_ms += part["latencies"]  # type: ignore[arg-type, operator]
        merged.acked_qns |= {tuple(q) for q in part["acked_qns"]}  # type: ignore[union-attr, misc]
        cpu += float(part["cpu"])  # type: ignore[arg-type]
    return merged, cpu


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loggers", type=int, default=500)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--steady", type=float, default=30.0, help="seconds of steady load")
    parser.add_argument("--burst", type=float, default=15.0, help="seconds of burst load")
    parser.add_argument("--window", type=int, default=2, help="unacknowledged frames per logger (burst)")
    parser.add_argument("--workers", type=int, default=2, help="receiver processes on the port")
    parser.add_argument("--sim-procs", type=int, default=2, help="simulator processes")
    return parser.parse_args()


def _report(args: argparse.Namespace, steady: Summary, burst: Summary, sim_cpu: float, stats: dict[str, float],
            stored: list[tuple[str, str | None]], load_before: float) -> None:
    sent, acked = steady.sent + burst.sent, steady.acked + burst.acked
    missing = (steady.acked_qns | burst.acked_qns) - set(stored)
    cpu = stats.get("serving_cpu_seconds", float("nan"))
    received = stats.get("frames_received", 0) or 1
    print(f"loggers: {args.loggers} loggers")
    print(f"receiver_processes: {args.workers} processes")
    print(f"simulator_processes: {args.sim_procs} processes")
    print(f"steady_frames_per_second: {steady.acked / steady.elapsed:.1f} frames/s")
    print(f"ack_p50: {steady.percentile(0.5):.2f} ms")
    print(f"ack_p99: {steady.percentile(0.99):.2f} ms")
    print(f"frames_per_second: {burst.acked / burst.elapsed:.1f} frames/s")
    print(f"burst_ack_p50: {burst.percentile(0.5):.2f} ms")
    print(f"burst_ack_p99: {burst.percentile(0.99):.2f} ms")
    print(f"frames_sent: {sent} frames")
    print(f"frames_acked: {acked} frames")
    print(f"frames_expected_acks: {steady.expected_acks + burst.expected_acks} frames")
    print(f"frames_stored: {len(stored)} frames")
    print(f"acked_frames_missing_from_evidence: {len(missing)} frames")
    print(f"simulator_errors: {steady.errors + burst.errors} errors")
    print(f"receiver_cpu_per_frame: {cpu / received * 1e6:.1f} us")
    print(f"simulator_cpu_per_frame: {sim_cpu / max(sent, 1) * 1e6:.1f} us")
    print(f"hot_path_frames_per_second: {hot_path():.0f} frames/s")
    print(f"load_average_1min_before: {load_before:.2f} runnable")
    print(f"load_average_1min_after: {os.getloadavg()[0]:.2f} runnable")


def main() -> None:
    args = _parse()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="hj212-bench-") as tmp, \
            ProcessPoolExecutor(args.sim_procs, mp_context=get_context("fork")) as pool:
        root, points = Path(tmp) / "data", Path(tmp) / "points.yaml"
        FilePointRegistry(points).add_many(simulated_points(args.loggers))
        child, host, port = spawn(root, points, 0, "--max-fps", "0", "--workers", str(args.workers))
        try:
            steady, cpu1 = _phase(pool, host, port, SimulatorOptions(
                loggers=args.loggers, interval=args.interval, duration=args.steady), args.sim_procs)
            burst, cpu2 = _phase(pool, host, port, SimulatorOptions(
                loggers=args.loggers, duration=args.burst, burst=True, window=args.window), args.sim_procs)
        finally:
            child.send_signal(signal.SIGTERM)
            out, _ = child.communicate(timeout=180)
        stats = json.loads(out.split("stats ", 1)[1]) if "stats " in out else {}
        _report(args, steady, burst, cpu1 + cpu2, stats, _stored_qns(root), load_before)


if __name__ == "__main__":
    main()
