"""What the dataset page shows from released data: release history with signature checks, and
the caller's own audience artifact (first rows, a time-series chart, a station map).

Only artifacts ``catalog.releases`` hands this caller are read, so the page can never show more
than that audience may download.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.authz import Actor
from catalog.models import Dataset, utcnow
from catalog.service import Catalog
from schemas import load_vocab

PREVIEW_ROWS = 10
MAX_ROWS_READ = 200_000
VALUE_PREFERENCE = ("aqi", "pm25", "pm2_5", "value", "dose_rate", "leq", "concentration")
LON_NAMES = ("lon", "longitude", "经度")
LAT_NAMES = ("lat", "latitude", "纬度")
STATION_NAMES = ("station_name", "site_name", "station", "point_name", "station_code")


@dataclass
class ReleasedView:
    releases: list[dict[str, Any]] = field(default_factory=list)
    audience: str | None = None
    resource_id: str | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    total_rows: int = 0
    series: dict[str, Any] | None = None
    stations: list[tuple[float, float, str]] = field(default_factory=list)
    artifacts: dict[str, Any] = field(default_factory=dict)


def release_history(session: Session, catalog: Catalog, ds: Dataset) -> list[dict[str, Any]]:
    from catalog.models.publication import Release
    from catalog.signing import load_signer, verify_signature

    public = load_signer(catalog.config.home).public
    rows = session.scalars(sa.select(Release).where(Release.dataset_id == ds.id).order_by(Release.number.desc()))
    return [{"number": r.number, "state": r.state, "approved_at": r.approved_at, "ruleset": r.ruleset_version,
             "files": len(r.artifacts), "withdraw_reason": r.withdraw_reason,
             "verified": verify_signature(public, r.manifest or {}, r.signature),
             "key_id": r.key_id[:12]} for r in rows]


def released_view(session: Session, catalog: Catalog, actor: Actor, ds: Dataset) -> ReleasedView:
    from catalog.releases import artifacts_for

    view = ReleasedView(releases=release_history(session, catalog, ds))
    refs = artifacts_for(session, actor, ds, now=utcnow())
    view.artifacts = {ref.resource_id: ref for ref in refs}
    if not refs:
        return view
    ref = refs[0]
    table = _read(catalog, ref.blob_key)
    view.audience, view.resource_id, view.total_rows = ref.audience, ref.resource_id, ref.rows
    view.columns = list(table.column_names)
    view.rows = [[_cell(v) for v in row.values()] for row in table.slice(0, PREVIEW_ROWS).to_pylist()]
    view.series = time_series(table)
    view.stations = station_points(table)
    return view


def _read(catalog: Catalog, blob_key: str) -> pa.Table:
    from catalog.storage import open_store

    config = catalog.config
    store = open_store(config["ECODATA_STORAGE_URL"], config.home, config["ECODATA_S3_ENDPOINT"])
    with store.open(blob_key) as fh:
        table = pq.read_table(fh)
    return table.slice(0, MAX_ROWS_READ)


def _cell(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ", timespec="minutes") if hasattr(value, "hour") else value.isoformat()
    return "" if value is None else value


def _time_column(table: pa.Table) -> str | None:
    for f in table.schema:
        if pa.types.is_timestamp(f.type) or pa.types.is_date(f.type):
            return f.name
    return None


def _value_column(table: pa.Table) -> str | None:
    numeric = [f.name for f in table.schema if (pa.types.is_integer(f.type) or pa.types.is_floating(f.type))
               and f.name.lower() not in LON_NAMES + LAT_NAMES]
    for name in VALUE_PREFERENCE:
        if name in numeric:
            return name
    return numeric[0] if numeric else None


def time_series(table: pa.Table, limit: int = 240) -> dict[str, Any] | None:
    """The mean of the main measure per time step (over all stations), the latest ``limit`` steps."""
    tcol, vcol = _time_column(table), _value_column(table)
    if tcol is None or vcol is None or table.num_rows < 2:
        return None
    grouped = table.select([tcol, vcol]).filter(pc.is_valid(table[vcol])).group_by(tcol).aggregate(
        [(vcol, "mean")]).sort_by(tcol)
    grouped = grouped.slice(max(0, grouped.num_rows - limit))
    if grouped.num_rows < 2:
        return None
    return {"time_field": tcol, "value_field": vcol, "times": grouped[tcol].to_pylist(),
            "values": [float(v) for v in grouped[f"{vcol}_mean"].to_pylist()]}


def _named(table: pa.Table, names: tuple[str, ...]) -> str | None:
    lowered = {c.lower(): c for c in table.column_names}
    return next((lowered[n] for n in names if n in lowered), None)


@cache
def _station_vocab() -> dict[str, tuple[float, float, str]]:
    """The national-network station register, by station code and by station name."""
    entries = load_vocab("stations")
    by_code = {e["id"]: (float(e["lon"]), float(e["lat"]), e["zh"]) for e in entries}
    by_name = {e["zh"]: (float(e["lon"]), float(e["lat"]), e["zh"]) for e in entries}
    return {**by_name, **by_code}


def station_points(table: pa.Table) -> list[tuple[float, float, str]]:
    """Distinct stations with coordinates: from the released columns, else the station register."""
    lon, lat, label = _named(table, LON_NAMES), _named(table, LAT_NAMES), _named(table, STATION_NAMES)
    if lon and lat:
        cols = [c for c in (lon, lat, label) if c]
        seen: dict[tuple[float, float], str] = {}
        for row in table.select(cols).to_pylist()[:50_000]:
            if row[lon] is None or row[lat] is None:
                continue
            seen.setdefault((float(row[lon]), float(row[lat])), str(row.get(label) or "") if label else "")
        return [(x, y, name) for (x, y), name in list(seen.items())[:500]]
    code, name = _named(table, ("station_code",)), _named(table, ("station_name",))
    if not (code or name):
        return []
    known = _station_vocab()
    pairs = table.select([c for c in (code, name) if c]).to_pylist()
    found: dict[tuple[float, float, str], None] = {}
    for row in pairs:
        hit = known.get(str(row.get(code) or "")) if code else None
        hit = hit or (known.get(str(row.get(name) or "")) if name else None)
        if hit:
            found.setdefault(hit)
    return list(found)
