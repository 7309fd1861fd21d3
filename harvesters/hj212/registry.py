"""Monitoring points a receiver accepts: a narrow lookup protocol and a YAML/JSON file implementation."""

from __future__ import annotations

import hmac
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass(frozen=True)
class Point:
    mn: str
    password: str
    org: str = ""
    name: str = ""
    st: str = ""
    factors: tuple[str, ...] = ()
    limits: dict[str, float] = field(default_factory=dict)  # factor code -> upper limit
    interval: float = 0.0  # expected upload interval in seconds; 0 disables the silence alert
    accept_modbus_crc: bool = False  # per-MN allow-list for non-conformant devices
    password_key: str = ""  # keyed hash of the PW (catalogue points); ``password`` is then empty
    org_id: str = ""


class PointRegistry(Protocol):
    def lookup(self, mn: str) -> Point | None: ...


def plain_password_ok(point: Point, pw: str) -> bool:
    """A file registry keeps the PW itself; compare in constant time."""
    return bool(point.password) and hmac.compare_digest(point.password.encode(), pw.encode())


def _point(raw: dict[str, Any]) -> Point:
    data = dict(raw)
    data["factors"] = tuple(data.get("factors") or ())
    data["limits"] = {str(k): float(v) for k, v in (data.get("limits") or {}).items()}
    data["mn"], data["password"] = str(data["mn"]), str(data["password"])
    return Point(**data)


class FilePointRegistry:
    """Points kept in one YAML (``.yaml``/``.yml``) or JSON file: ``{"points": [{mn, password, …}]}``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._mtime = -1.0
        self._points: dict[str, Point] = {}
        self.reload_if_changed()

    def lookup(self, mn: str) -> Point | None:
        return self._points.get(mn)

    def all(self) -> list[Point]:
        return list(self._points.values())

    def reload_if_changed(self) -> bool:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            self._points, self._mtime = {}, -1.0
            return False
        if mtime == self._mtime:
            return False
        self._points = {p.mn: p for p in map(_point, self._read().get("points") or [])}
        self._mtime = mtime
        return True

    def _read(self) -> dict[str, list[dict[str, Any]]]:
        text = self.path.read_text(encoding="utf-8")
        data = json.loads(text) if self.path.suffix == ".json" else yaml.load(text, Loader=_Loader)
        return data or {}

    def add(self, point: Point) -> None:
        """Add or replace a point and rewrite the file atomically."""
        self.add_many([point])

    def add_many(self, points: list[Point]) -> None:
        self.reload_if_changed()
        self._points.update((p.mn, p) for p in points)
        rows = [{**asdict(p), "factors": list(p.factors)} for p in self._points.values()]
        body = {"points": rows}
        text = (json.dumps(body, ensure_ascii=False, indent=1) if self.path.suffix == ".json"
                else yaml.dump(body, Dumper=_Dumper, allow_unicode=True, sort_keys=False))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".points-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, self.path)
        self.reload_if_changed()
