"""The demo's live HJ 212 feed: three Chongqing enterprises and two air stations streaming to a real receiver.

:func:`start_demo_feed` registers the points in the catalogue (department cq-sthjj), starts the receiver
and a simulator on 127.0.0.1 in background threads, plays the last hours as minute data through the
receiver, stages each point's series and releases it through the normal review path, then keeps the
five loggers sending real-time data every 5 s until :meth:`DemoFeed.stop`.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog import hj212_points, publication
from catalog.hj212_points import Factor, PointSpec
from catalog.service import Catalog
from harvesters.hj212.catalog_registry import CatalogAlertSink, CatalogPointRegistry
from harvesters.hj212.receiver import Receiver, ReceiverConfig
from harvesters.hj212.simulator import SimLogger, SimulatorOptions, Summary, simulate
from harvesters.hj212.stage import SYSTEM, stage_point

log = logging.getLogger(__name__)
ORG = "cq-sthjj"
PASSWORD = "cq212demo"

_W = {"w01018": ("化学需氧量", "mg/L", 50.0, (32.0, 8.0, 1)), "w21003": ("氨氮", "mg/L", 5.0, (1.6, 0.6, 2)),
      "w21011": ("总磷", "mg/L", 0.5, (0.22, 0.08, 3)), "w01001": ("pH值", "无量纲", None, (7.2, 0.3, 2))}
_G = {"a21026": ("二氧化硫", "mg/m³", 100.0, (38.0, 14.0, 1)), "a21002": ("氮氧化物", "mg/m³", 150.0, (118.0, 40.0, 1)),
      "a34013": ("颗粒物", "mg/m³", 20.0, (8.5, 3.0, 1))}
_A = {"a34004": ("细颗粒物", "μg/m³", 75.0, (46.0, 14.0, 0)), "a34002": ("可吸入颗粒物", "μg/m³", 150.0, (70.0, 20.0, 0)),
      "a21026": ("二氧化硫", "μg/m³", 150.0, (9.0, 3.0, 0)), "a21004": ("二氧化氮", "μg/m³", 80.0, (38.0, 10.0, 0)),
      "a05024": ("臭氧", "μg/m³", 160.0, (52.0, 15.0, 0)), "a21005": ("一氧化碳", "mg/m³", 4.0, (0.8, 0.2, 3))}

# (MN, name, ST, kind, district, lon, lat, factor table, extras).  The boiler's NOx runs close to its
# limit, so the demo shows over-limit alerts now and then.
DEMO_POINTS: tuple[tuple[str, str, str, str, str, float, float, dict[str, Any], dict[str, str]], ...] = (
    ("C0E1A0021200000000000001", "重庆长风化工有限公司废水总排口", "32", "enterprise", "500115", 107.0821, 29.8342, _W,
     {"enterprise_name": "重庆长风化工有限公司", "credit_code": "91500115203124567X", "outlet_code": "DW001"}),
    ("C0E1A0021200000000000002", "重庆川维化工有限公司锅炉烟气排放口", "31", "enterprise", "500115", 107.0517, 29.8155,
     _G, {"enterprise_name": "重庆川维化工有限公司", "credit_code": "91500115202804132K", "outlet_code": "DA001"}),
    ("C0E1A0021200000000000003", "重庆鸡冠石污水处理厂出水口", "32", "enterprise", "500108", 106.6247, 29.5381, _W,
     {"enterprise_name": "重庆市排水有限公司鸡冠石污水处理厂", "credit_code": "91500108MA5U4KX21B", "outlet_code": "DW001"}),
    ("C0E1A0021200000000000004", "渝中区解放碑空气自动监测站", "22", "station", "500103", 106.5770, 29.5570, _A,
     {"station_code": "5003A"}),
    ("C0E1A0021200000000000005", "沙坪坝区天星桥空气自动监测站", "22", "station", "500106", 106.4580, 29.5620, _A,
     {"station_code": "5007A"}),
)


def demo_specs() -> list[PointSpec]:
    return [PointSpec(mn=mn, org=ORG, password=PASSWORD, name=name, st=st, kind=kind, district_code=district,
                      lon=lon, lat=lat, interval_seconds=30, extras=extras,
                      factors=tuple(Factor(code, zh, unit, limit) for code, (zh, unit, limit, _) in table.items()))
            for mn, name, st, kind, district, lon, lat, table, extras in DEMO_POINTS]


def demo_fleet() -> tuple[SimLogger, ...]:
    return tuple(SimLogger(mn, PASSWORD, st, {code: spec[3] for code, spec in table.items()})
                 for mn, _, st, _, _, _, _, table, _ in DEMO_POINTS)


def free_port(preferred: int = 9212) -> int:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
        except OSError:
            sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class DemoFeed:
    """The running feed: receiver and simulator on their own event loop thread."""

    catalog: Catalog
    root: Path
    host: str = "127.0.0.1"
    port: int = 0
    releases: dict[str, int] = field(default_factory=dict)
    live: Summary | None = None
    _loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)
    _receiver: Receiver | None = None
    _registry: CatalogPointRegistry | None = None
    _live_task: Future[Summary] | None = None
    _thread: threading.Thread | None = None

    def _call(self, coro: Any, timeout: float = 120.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def start(self, port: int) -> None:
        self._thread = threading.Thread(target=self._loop.run_forever, name="hj212-demo", daemon=True)
        self._thread.start()
        self._registry = CatalogPointRegistry(self.catalog, refresh_seconds=5.0)
        self._registry.start()
        config = ReceiverConfig(port=port, max_fps=0, series_flush_interval=30.0)
        self._receiver = Receiver(self.root, self._registry, config,
                                  alert_sinks=[CatalogAlertSink(self.catalog)])
        self.host, self.port = self._call(self._receiver.start())

    def backfill(self, minutes: int) -> Summary:
        options = SimulatorOptions(fleet=demo_fleet(), history_minutes=minutes, history_only=True, duration=600,
                                   window=16, reconnect=False, drain=10.0)
        summary: Summary = self._call(simulate(self.host, self.port, options), timeout=900)
        assert self._receiver is not None and self._receiver.series is not None
        series = self._receiver.series
        self._call(asyncio.to_thread(series.write, series.take()))
        return summary

    def stream(self, interval: float = 5.0) -> None:
        options = SimulatorOptions(fleet=demo_fleet(), interval=interval, duration=10 * 365 * 86400.0)
        self._live_task = asyncio.run_coroutine_threadsafe(simulate(self.host, self.port, options), self._loop)

    def stats(self) -> dict[str, int]:
        assert self._receiver is not None
        return dict(self._receiver.stats)

    def stop(self) -> None:
        if self._live_task is not None:
            self._live_task.cancel()
            self._call(asyncio.sleep(0.2))  # let the loggers' connections close
        if self._receiver is not None:
            self._call(self._receiver.close())
        if self._registry is not None:
            self._registry.close()
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._loop.close()


def register_demo_points(catalog: Catalog) -> list[str]:
    secret = hj212_points.point_secret(catalog.config.home)
    with catalog.write() as session:
        return [hj212_points.register_point(session, SYSTEM, spec, secret).mn for spec in demo_specs()]


def release_points(catalog: Catalog, root: Path, mns: list[str]) -> dict[str, int]:
    """Stage each point's series and take it through submit → approve (the system reviewer)."""
    ctx = publication.context_for(catalog.config)
    done: dict[str, int] = {}
    for mn in mns:
        staged = stage_point(catalog, root, mn)
        if staged is None:
            continue
        with catalog.write() as session:
            sub = publication.submit(session, SYSTEM, staged.dataset, "HJ 212 在线监测数据首批发布")
            done[mn] = publication.approve(session, ctx, SYSTEM, sub.id, "演示：自动审核").number
    return done


def start_demo_feed(catalog: Catalog, home: Path, *, history_minutes: int = 180, port: int = 9212) -> DemoFeed:
    """Register the demo points, start the receiver and simulator, release the first series; returns a
    handle whose ``stop()`` ends the feed."""
    mns = register_demo_points(catalog)
    feed = DemoFeed(catalog, Path(home) / "hj212")
    feed.start(free_port(port))
    feed.backfill(history_minutes)
    feed.stream()  # before releasing, so no point falls silent meanwhile
    feed.releases = release_points(catalog, feed.root, mns)
    log.info("HJ 212 demo feed on %s:%d, releases %s", feed.host, feed.port, feed.releases)
    return feed
