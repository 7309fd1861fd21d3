"""``ecodata hj212 …``: run the HJ 212 receiver, simulate loggers, register points, verify evidence."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime
from pathlib import Path

import click

from catalog import settings
from catalog.hj212_points import Factor, PointSpec, active_points, dataset_name, point_secret, register_point
from harvesters.hj212 import eventloop
from harvesters.hj212.catalog_registry import CatalogAlertSink, CatalogPointRegistry
from harvesters.hj212.receiver import ReceiverConfig
from harvesters.hj212.registry import FilePointRegistry, Point
from harvesters.hj212.run import main as run_main
from harvesters.hj212.run import serve as run_receiver
from harvesters.hj212.simulator import SimulatorOptions, simulate, simulated_points
from harvesters.hj212.stage import SYSTEM, stage_point
from harvesters.hj212.verify import verify_frames
from portal.cli import open_catalog

RELOAD_WAIT = 1.5


def default_root() -> Path:
    return settings.load().home / "hj212"


def _root(root: Path | None) -> Path:
    return root if root is not None else default_root()


@click.group(name="hj212", help="HJ 212-2017 在线监测数据接收 / HJ 212 data feed.")
def command() -> None:
    pass


@command.command(help="Run the receiver (TCP).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=9212, show_default=True, type=int)
@click.option("--root", type=click.Path(path_type=Path), default=None, help="Evidence and data folder.")
@click.option("--points", type=click.Path(path_type=Path), default=None,
              help="Point registry file instead of the catalogue's monitoring points.")
@click.option("--max-fps", default=20.0, show_default=True, help="Frames per second per connection.")
@click.option("--webhook", default=None, help="URL that receives alert events as JSON POSTs.")
@click.option("--workers", default=1, show_default=True, help="Receiver processes sharing the port.")
def serve(host: str, port: int, root: Path | None, points: Path | None, max_fps: float,
          webhook: str | None, workers: int) -> None:
    base = _root(root)
    if workers > 1:
        source = ["--points", str(points)] if points is not None else ["--catalog"]
        run_main(["--root", str(base), *source, "--host", host, "--port", str(port), "--max-fps", str(max_fps),
                  "--workers", str(workers), *(["--webhook", webhook] if webhook else [])])
        return
    config = ReceiverConfig(host=host, port=port, max_fps=max_fps, webhook_url=webhook)
    if points is not None:
        eventloop.run(run_receiver(base, points, config))
        return
    catalog = open_catalog()
    registry = CatalogPointRegistry(catalog)
    registry.start()
    sink = CatalogAlertSink(catalog)
    try:
        eventloop.run(run_receiver(base, registry, config, [sink]))
    finally:
        registry.close()


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


@command.group(help="Monitoring points (in the catalogue, or in a point file with --points).")
def point() -> None:
    pass


def _factor(text: str) -> Factor:
    parts = text.split(":")
    if len(parts) not in (3, 4):
        raise click.BadParameter(f"{text}: expected CODE:名称:单位[:限值]")
    return Factor(parts[0], parts[1], parts[2], float(parts[3]) if len(parts) == 4 and parts[3] else None)


@point.command(name="add", help="Register or replace a monitoring point (and its series dataset).")
@click.argument("mn")
@click.option("--org", required=True, help="Department code, e.g. cq-sthjj.")
@click.option("--password", required=True, help="The logger's PW.")
@click.option("--name", default="")
@click.option("--st", default="32", show_default=True, help="System type (22 air, 32 wastewater, 31 flue gas).")
@click.option("--kind", type=click.Choice(["enterprise", "station"]), default=None,
              help="Default: station for air ST 22, enterprise otherwise.")
@click.option("--district", default=None, help="GB/T 2260 district code, e.g. 500115.")
@click.option("--lon", type=float, default=None)
@click.option("--lat", type=float, default=None)
@click.option("--factor", "factors", multiple=True, help="CODE:名称:单位[:限值], e.g. w01018:化学需氧量:mg/L:50")
@click.option("--interval", default=60, show_default=True, help="Expected upload interval, seconds.")
@click.option("--root", type=click.Path(path_type=Path), default=None)
@click.option("--points", type=click.Path(path_type=Path), default=None, help="Write a point file instead.")
def point_add(mn: str, org: str, password: str, name: str, st: str, kind: str | None, district: str | None,
              lon: float | None, lat: float | None, factors: tuple[str, ...], interval: int, root: Path | None,
              points: Path | None) -> None:
    parsed = tuple(_factor(f) for f in factors)
    if points is not None:
        limits = {f.code: f.limit for f in parsed if f.limit is not None}
        FilePointRegistry(points).add(Point(mn=mn, password=password, org=org, name=name, st=st,
                                            factors=tuple(f.code for f in parsed), limits=limits))
        click.echo(f"{mn} registered in {points}")
        return
    spec = PointSpec(mn=mn, org=org, password=password, name=name, st=st,
                     kind=kind or ("station" if st == "22" else "enterprise"), district_code=district,
                     lon=lon, lat=lat, factors=parsed, interval_seconds=interval)
    catalog = open_catalog()
    with catalog.write() as session:
        registered = register_point(session, SYSTEM, spec, point_secret(catalog.config.home))
        dataset = registered.dataset_id
    click.echo(f"{mn} registered (dataset {dataset_name(mn)}, id {dataset})")


@command.command(help="Stage points' series as their datasets' data for the next release.")
@click.option("--point", "mn", default=None, help="One MN (default: every active point).")
@click.option("--day", type=click.DateTime(["%Y-%m-%d"]), default=None, help="One day (default: all).")
@click.option("--root", type=click.Path(path_type=Path), default=None)
def stage(mn: str | None, day: datetime | None, root: Path | None) -> None:
    catalog = open_catalog()
    if mn is None:
        with catalog.read() as session:
            mns = [p.mn for p in active_points(session)]
    else:
        mns = [mn]
    for one in mns:
        staged = stage_point(catalog, _root(root), one, day=day.date() if day else None)
        if staged is None:
            click.echo(f"{one}: no data")
        else:
            click.echo(f"{one}: {staged.rows} rows staged for {staged.dataset} ({staged.rows_invalid} invalid)")


@command.command(help="Recompute every evidence hash chain.")
@click.option("--root", type=click.Path(path_type=Path), default=None)
def verify(root: Path | None) -> None:
    problems = verify_frames(_root(root))
    for problem in problems:
        click.echo(f"{problem.code}\t{problem.location.file}:{problem.location.line}\t{problem.message}")
    if problems:
        raise SystemExit(1)
    click.echo("all evidence chains intact")
