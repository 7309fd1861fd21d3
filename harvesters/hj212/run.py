"""Run a receiver until SIGINT/SIGTERM:
``python -m harvesters.hj212.run --root R (--points F | --catalog) [--port P] [--workers N]``.

Prints ``listening HOST:PORT`` once bound (port 0 picks a free one), so a parent process can connect.
With ``--workers N`` a supervisor starts N receiver processes bound to the same port (SO_REUSEPORT);
the kernel spreads connections over them and the evidence chains lock per batch, so a logger that
reconnects to another process continues the same chain.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import ctypes.util
import json
import logging
import resource
import select
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from harvesters.hj212 import eventloop
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


def spawn(root: Path, points: Path | None, port: int = 0, *extra: str, timeout: float = 30.0,
          env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str, int]:
    """Start a receiver in a child process; returns it with the address it listens on.
    ``points`` None: the catalogue's monitoring points (``--catalog``)."""
    source = ["--points", str(points)] if points is not None else ["--catalog"]
    args = [sys.executable, "-m", "harvesters.hj212.run", "--root", str(root), *source, "--port", str(port), *extra]
    return _start(args, timeout, env=env)


def _start(args: list[str], timeout: float, orphan_dies: bool = False,
           env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str, int]:
    child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env,
                             preexec_fn=_die_with_parent if orphan_dies else None)  # noqa: PLW1509
    assert child.stdout is not None
    ready, _, _ = select.select([child.stdout], [], [], timeout)
    line = child.stdout.readline() if ready else ""
    if not line.startswith("listening "):
        child.kill()
        child.wait()
        raise RuntimeError(f"receiver did not start: {line!r}")
    host, _, bound = line.split()[1].rpartition(":")
    return child, host, int(bound)


def _die_with_parent() -> None:
    # workers must not outlive a supervisor that was killed (PR_SET_PDEATHSIG = 1)
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(1, signal.SIGTERM)


def supervise(args: argparse.Namespace) -> None:
    """``--workers N``: N receiver processes on one port (SO_REUSEPORT); prints their summed stats."""
    base = [sys.executable, "-m", "harvesters.hj212.run", "--root", str(args.root), "--host", args.host,
            "--max-fps", str(args.max_fps), "--commit-interval", str(args.commit_interval), "--share-port",
            *(["--points", str(args.points)] if args.points else ["--catalog"]),
            *(["--webhook", args.webhook] if args.webhook else [])]
    first, host, port = _start([*base, "--port", str(args.port)], 60, orphan_dies=True)
    children = [first] + [_start([*base, "--port", str(port)], 60, orphan_dies=True)[0]
                          for _ in range(args.workers - 1)]
    # blocked only now: children started earlier would inherit the mask and never see SIGTERM
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    print(f"listening {host}:{port}", flush=True)
    signal.sigwait({signal.SIGINT, signal.SIGTERM})
    totals: Counter[str] = Counter()
    for child in children:
        child.send_signal(signal.SIGTERM)
    for child in children:
        out, _ = child.communicate(timeout=120)
        if "stats " in out:
            totals.update(json.loads(out.split("stats ", 1)[1]))
    print(f"stats {json.dumps({**totals, 'workers': len(children)})}", flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="harvesters.hj212.run")
    parser.add_argument("--root", type=Path, required=True)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--points", type=Path, help="point registry file")
    source.add_argument("--catalog", action="store_true", help="the catalogue's monitoring points")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9212)
    parser.add_argument("--max-fps", type=float, default=20.0)
    parser.add_argument("--commit-interval", type=float, default=0.002)
    parser.add_argument("--webhook", default=None)
    parser.add_argument("--workers", type=int, default=1, help="receiver processes sharing the port")
    parser.add_argument("--share-port", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _catalog_sources() -> tuple[PointRegistry, list[AlertSink], Callable[[], None]]:
    from catalog.service import Catalog
    from catalog.settings import load
    from harvesters.hj212.catalog_registry import CatalogAlertSink, CatalogPointRegistry

    catalog = Catalog(load())
    registry = CatalogPointRegistry(catalog)
    registry.start()
    return registry, [CatalogAlertSink(catalog)], registry.close


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.workers > 1:
        supervise(args)
        return
    config = ReceiverConfig(host=args.host, port=args.port, max_fps=args.max_fps,
                            commit_interval=args.commit_interval, webhook_url=args.webhook,
                            workers_share_port=args.share_port)
    if args.points is not None:
        eventloop.run(serve(args.root, args.points, config))
        return
    registry, sinks, close = _catalog_sources()
    try:
        eventloop.run(serve(args.root, registry, config, sinks))
    finally:
        close()


if __name__ == "__main__":
    main()
