"""Alerts: a value over its point's limit, a flag other than N, or a point silent past its interval.

Each alert is appended to ``<root>/alerts.jsonl`` and, when a webhook URL is set, POSTed as JSON from a
background thread so that a slow or failing endpoint never holds up the receiver.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from harvesters.hj212.evidence import CHINA
from harvesters.hj212.records import SeriesRecord
from harvesters.hj212.registry import Point

log = logging.getLogger(__name__)
SILENCE_GRACE = 2.0  # a point is silent after this many intervals without a frame


@dataclass(frozen=True)
class Alert:
    kind: str  # over_limit | flag | silent
    mn: str
    message: str
    code: str | None = None
    value: float | None = None
    limit: float | None = None
    flag: str | None = None
    data_time: str | None = None
    frame_sha256: str | None = None
    raised_at: str = ""


class _Webhook:
    def __init__(self, url: str, timeout: float = 5.0) -> None:
        self.url, self.timeout = url, timeout
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue(maxsize=10_000)
        self._thread = threading.Thread(target=self._run, name="hj212-webhook", daemon=True)
        self._thread.start()

    def send(self, payload: dict[str, Any]) -> None:
        try:
            self._queue.put_nowait(payload)
        except queue.Full:
            log.warning("alert webhook queue full; alert kept only in alerts.jsonl")

    def _run(self) -> None:
        while (payload := self._queue.get()) is not None:
            body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            request = urllib.request.Request(self.url, body, {"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    response.read()
            except OSError as exc:
                log.warning("alert webhook %s failed: %s", self.url, exc)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=self.timeout + 1)


class AlertSink(Protocol):
    """Somewhere alert events go besides alerts.jsonl; ``send`` must not block."""

    def send(self, payload: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class AlertEngine:
    def __init__(self, root: str | Path, webhook_url: str | None = None,
                 sinks: Sequence[AlertSink] = ()) -> None:
        self.path = Path(root) / "alerts.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._sinks: list[AlertSink] = [*sinks, *([_Webhook(webhook_url)] if webhook_url else [])]
        self._file = self.path.open("a", encoding="utf-8")
        self._last_seen: dict[str, tuple[float, Point]] = {}
        self._silent: set[str] = set()
        self.raised = 0

    def seen(self, point: Point, now: float) -> None:
        self._last_seen[point.mn] = (now, point)
        self._silent.discard(point.mn)

    def check_records(self, point: Point, records: list[SeriesRecord]) -> list[Alert]:
        limits = point.limits
        for record in records:  # nearly every frame raises nothing: look before building anything
            flag = record.flag
            if (flag is not None and flag != "N") or (
                    (limit := limits.get(record.code)) is not None and record.value > limit):
                break
        else:
            return []
        alerts: list[Alert] = []
        seen: set[tuple[str, str | None]] = set()
        for record in records:
            alert = _record_alert(point, record)
            # one alert per factor and cause, not one per Rtd/Min/Avg/Max item
            if alert is not None and (alert.kind, alert.code) not in seen:
                seen.add((alert.kind, alert.code))
                alerts.append(alert)
        for alert in alerts:
            self.raise_alert(alert)
        return alerts

    def check_silence(self, now: float, age_elsewhere: Callable[[str], float | None] | None = None) -> list[Alert]:
        """Points silent past twice their interval.  ``age_elsewhere(mn)``: seconds since another
        receiver process last stored a frame of the point (several processes share one port)."""
        alerts = []
        for mn, (last, point) in list(self._last_seen.items()):
            if point.interval <= 0 or mn in self._silent or now - last <= point.interval * SILENCE_GRACE:
                continue
            age = age_elsewhere(mn) if age_elsewhere is not None else None
            if age is not None and age < now - last - 1.0:
                self._last_seen[mn] = (now - age, point)  # the logger now talks to another process
                continue
            self._silent.add(mn)
            alerts.append(Alert("silent", mn, f"监测点{point.name or mn}已{now - last:.0f}秒未上报数据"))
        for alert in alerts:
            self.raise_alert(alert)
        return alerts

    def raise_alert(self, alert: Alert) -> None:
        stamped = Alert(**{**asdict(alert), "raised_at": datetime.now(CHINA).isoformat(timespec="seconds")})
        payload = {k: v for k, v in asdict(stamped).items() if v is not None}
        self._file.write(json.dumps(payload, ensure_ascii=False) + "\n")
        self._file.flush()
        self.raised += 1
        for sink in self._sinks:
            sink.send(payload)

    def close(self) -> None:
        self._file.close()
        for sink in self._sinks:
            sink.close()


def _record_alert(point: Point, record: SeriesRecord) -> Alert | None:
    limit = point.limits.get(record.code)
    over = limit is not None and record.value > limit
    if not over and (record.flag is None or record.flag == "N"):
        return None
    when = record.data_time.isoformat() if record.data_time else None
    common = {"mn": record.mn, "code": record.code, "value": record.value, "data_time": when,
              "frame_sha256": record.frame_sha256}
    if over:
        return Alert("over_limit", message=f"{record.code} {record.kind}={record.value} 超过限值{limit}",
                     limit=limit, flag=record.flag, **common)  # type: ignore[arg-type]
    if record.flag is not None and record.flag != "N":
        return Alert("flag", message=f"{record.code} 数据标记为{record.flag}（非正常）",
                     flag=record.flag, **common)  # type: ignore[arg-type]
    return None
