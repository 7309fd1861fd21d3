"""Run a receiver until SIGINT/SIGTERM: ``python -m harvesters.hj212.run --root R --points F [--port P]``.

Prints ``listening HOST:PORT`` once bound (port 0 picks a free one), so a parent process can connect.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import resource
import select
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from harvesters.hj212.alerts import AlertSink
from harvesters.hj212.receiver import Receiver, ReceiverConfig
from harvesters.hj212.registry import FilePointRegistry, PointRegistry


async def serve(root: Path, points: Path | PointRegistry, config: ReceiverConfig,
                alert_sinks: Sequence[AlertSink] = ()) -> None:
    """Run until SIGINT/SIGTERM.  ``points``: a point file, or any registry (e.g. the catalogue's)."""
    registry = FilePointRegistry(points) if isinstance(points, Path) else points
    receiver = Receiver(root, registry, config, alert_sinks=alert_sinks)
    host, port = await receiver.start()
    start_cpu = _cpu_seconds()
    print(f"listening {host}:{port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await receiver.close()
    stats = {**receiver.stats, "serving_cpu_seconds": round(_cpu_seconds() - start_cpu, 3)}
    print(f"stats {json.dumps(stats)}", flush=True)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def spawn(root: Path, points: Path, port: int = 0, *extra: str,
          timeout: float = 30.0) -> tuple[subprocess.Popen[str], str, int]:
    """Start a receiver in a child process; returns it with the address it listens on."""
    args = [sys.executable, "-m", "harvesters.hj212.run", "--root", str(root), "--points", str(points),
            "--port", str(port), *extra]
    child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    ready, _, _ = select.select([child.stdout], [], [], timeout)
    line = child.stdout.readline() if ready else ""
    if not line.startswith("listening "):
        child.kill()
        child.wait()
        raise RuntimeError(f"receiver did not start: {line!r}")
    host, _, bound = line.split()[1].rpartition(":")
    return child, host, int(bound)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="harvesters.hj212.run")
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--points", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9212)
    parser.add_argument("--max-fps", type=float, default=20.0)
    parser.add_argument("--commit-interval", type=float, default=0.002)
    parser.add_argument("--webhook", default=None)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    config = ReceiverConfig(host=args.host, port=args.port, max_fps=args.max_fps,
                            commit_interval=args.commit_interval, webhook_url=args.webhook)
    asyncio.run(serve(args.root, args.points, config))


if __name__ == "__main__":
    main()
