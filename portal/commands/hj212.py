"""``ecodata hj212 …``: run the HJ 212 receiver, simulate loggers, register points, verify evidence."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import click

from catalog import settings
from harvesters.hj212.receiver import ReceiverConfig
from harvesters.hj212.registry import FilePointRegistry, Point
from harvesters.hj212.run import serve as run_receiver
from harvesters.hj212.simulator import SimulatorOptions, simulate, simulated_points
from harvesters.hj212.verify import verify_frames

RELOAD_WAIT = 1.5


def default_root() -> Path:
    return settings.load().home / "hj212"


def _root(root: Path | None) -> Path:
    return root if root is not None else default_root()


def _points(points: Path | None, root: Path) -> Path:
    return points if points is not None else root / "points.yaml"


@click.group(name="hj212", help="HJ 212-2017 在线监测数据接收 / HJ 212 data feed.")
def command() -> None:
    pass


@command.command(help="Run the receiver (TCP).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=9212, show_default=True, type=int)
@click.option("--root", type=click.Path(path_type=Path), default=None, help="Evidence and data folder.")
@click.option("--points", type=click.Path(path_type=Path), default=None, help="Point registry file.")
@click.option("--max-fps", default=20.0, show_default=True, help="Frames per second per connection.")
@click.option("--webhook", default=None, help="URL that receives alert events as JSON POSTs.")
def serve(host: str, port: int, root: Path | None, points: Path | None, max_fps: float,
          webhook: str | None) -> None:
    base = _root(root)
    config = ReceiverConfig(host=host, port=port, max_fps=max_fps, webhook_url=webhook)
    asyncio.run(run_receiver(base, _points(points, base), config))


@command.command(name="simulate", help="Play simulated loggers against a receiver.")
@click.option("--to", "target", required=True, help="HOST:PORT of the receiver.")
@click.option("--loggers", default=10, show_default=True, type=int)
@click.option("--interval", default=5.0, show_default=True, type=float)
@click.option("--duration", default=30.0, show_default=True, type=float)
@click.option("--burst", is_flag=True, help="Send as fast as acks allow instead of every interval.")
@click.option("--split", "split_ratio", default=0.0, type=float, help="Fraction of split uploads.")
@click.option("--bad-crc", "bad_crc_ratio", default=0.0, type=float)
@click.option("--legacy", "legacy_ratio", default=0.0, type=float, help="Fraction of 2005-style frames.")
@click.option("--late", "late_ratio", default=0.0, type=float)
@click.option("--write-points", type=click.Path(path_type=Path), default=None,
              help="First register the simulated loggers in this point file.")
@click.option("--json", "as_json", is_flag=True)
def simulate_command(target: str, loggers: int, interval: float, duration: float, burst: bool,
                     split_ratio: float, bad_crc_ratio: float, legacy_ratio: float, late_ratio: float,
                     write_points: Path | None, as_json: bool) -> None:
    host, _, port = target.rpartition(":")
    if write_points is not None:
        registry = FilePointRegistry(write_points)
        registry.add_many(simulated_points(loggers))
        time.sleep(RELOAD_WAIT)  # a running receiver re-reads its point file once a second
    options = SimulatorOptions(loggers=loggers, interval=interval, duration=duration, burst=burst,
                               split_ratio=split_ratio, bad_crc_ratio=bad_crc_ratio,
                               legacy_ratio=legacy_ratio, late_ratio=late_ratio)
    summary = asyncio.run(simulate(host or "127.0.0.1", int(port), options)).as_dict()
    if as_json:
        click.echo(json.dumps(summary))
    else:
        for key, value in summary.items():
            click.echo(f"{key}: {value}")


@command.group(help="Monitoring points (file-backed registry).")
def point() -> None:
    pass


@point.command(name="add", help="Register or replace a monitoring point.")
@click.argument("mn")
@click.option("--org", required=True, help="Department code, e.g. cq-sthjj.")
@click.option("--password", required=True, help="The logger's PW.")
@click.option("--name", default="")
@click.option("--st", default="")
@click.option("--root", type=click.Path(path_type=Path), default=None)
@click.option("--points", type=click.Path(path_type=Path), default=None)
def point_add(mn: str, org: str, password: str, name: str, st: str, root: Path | None,
              points: Path | None) -> None:
    path = _points(points, _root(root))
    FilePointRegistry(path).add(Point(mn=mn, password=password, org=org, name=name, st=st))
    click.echo(f"{mn} registered in {path}")


@command.command(help="Recompute every evidence hash chain.")
@click.option("--root", type=click.Path(path_type=Path), default=None)
def verify(root: Path | None) -> None:
    problems = verify_frames(_root(root))
    for problem in problems:
        click.echo(f"{problem.code}\t{problem.location.file}:{problem.location.line}\t{problem.message}")
    if problems:
        raise SystemExit(1)
    click.echo("all evidence chains intact")
