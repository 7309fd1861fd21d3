"""Points and alerts backed by the catalogue, kept off the receiver's hot path.

:class:`CatalogPointRegistry` answers ``lookup`` from an in-memory map that a background thread
refreshes every few seconds, so no frame waits for the database.  :class:`CatalogAlertSink` stores
alert events in batches from its own thread.
"""

from __future__ import annotations

import hmac
import logging
import queue
import threading
from typing import Any

from catalog import hj212_points
from catalog.models.hj212 import MonitoringPoint
from catalog.service import Catalog
from harvesters.hj212.registry import Point

log = logging.getLogger(__name__)


def point_of(row: MonitoringPoint) -> Point:
    limits = {f["code"]: float(f["limit"]) for f in row.factors if f.get("limit") is not None}
    return Point(mn=row.mn, password="", org=row.organization.name, name=row.name, st=row.st,
                 factors=tuple(f["code"] for f in row.factors), limits=limits,
                 interval=float(row.interval_seconds), password_key=row.password_key, org_id=row.org_id)


class CatalogPointRegistry:
    def __init__(self, catalog: Catalog, *, refresh_seconds: float = 5.0) -> None:
        self.catalog = catalog
        self.refresh_seconds = refresh_seconds
        self.secret = hj212_points.point_secret(catalog.config.home)
        self._points: dict[str, Point] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.refresh()

    def lookup(self, mn: str) -> Point | None:
        return self._points.get(mn)

    def all(self) -> list[Point]:
        return list(self._points.values())

    def verify(self, point: Point, pw: str) -> bool:
        if not point.password_key:
            return False
        key = hj212_points.password_key(self.secret, point.mn, pw)
        return hmac.compare_digest(key, point.password_key)

    def refresh(self) -> None:
        with self.catalog.read() as session:
            fresh = {row.mn: point_of(row) for row in hj212_points.active_points(session)}
        # keep unchanged Point objects so per-connection password caches stay valid
        self._points = {mn: self._points[mn] if self._points.get(mn) == p else p for mn, p in fresh.items()}

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="hj212-points", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.refresh_seconds):
            try:
                self.refresh()
            except Exception:  # a database hiccup must not stop the receiver; the old map stays
                log.exception("refreshing monitoring points failed")

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.refresh_seconds + 5)


class CatalogAlertSink:
    """Alert payloads → ``hj212_alerts`` rows, written in batches by a background thread."""

    def __init__(self, catalog: Catalog, *, batch_seconds: float = 1.0) -> None:
        self.catalog = catalog
        self.batch_seconds = batch_seconds
        self.stored = 0
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue(maxsize=100_000)
        self._thread = threading.Thread(target=self._run, name="hj212-alert-store", daemon=True)
        self._thread.start()

    def send(self, payload: dict[str, Any]) -> None:
        try:
            self._queue.put_nowait(payload)
        except queue.Full:
            log.warning("alert store queue full; alert kept only in alerts.jsonl")

    def _drain(self, first: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
        batch, done = [first], False
        while True:
            try:
                item = self._queue.get(timeout=self.batch_seconds if len(batch) < 500 else 0)
            except queue.Empty:
                return batch, done
            if item is None:
                return batch, True
            batch.append(item)

    def _run(self) -> None:
        done = False
        while not done:
            first = self._queue.get()
            if first is None:
                return
            batch, done = self._drain(first)
            try:
                with self.catalog.write() as session:
                    self.stored += hj212_points.record_alerts(session, batch)
            except Exception:
                log.exception("storing %d alerts failed; they remain in alerts.jsonl", len(batch))

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)
