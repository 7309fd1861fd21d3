"""A point's Parquet series → minute rows in its dataset's table schema → the resource's staged data.

Per minute and factor: mean/min/max of the N-flagged values only (statistics never use other
flags); a minute with no N value keeps its non-N flag and empty values, so government users can
see the fault while public releases (flag N only, then hourly or daily statistics) never count it.
The rows go through the real ingest (validation against the Table Schema) and
``catalog.publication.stage_table``; submit → approve → release then applies the disclosure rules.
"""

from __future__ import annotations

import csv
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from catalog import hj212_points
from catalog.authz import Actor
from catalog.models import Dataset
from catalog.models.hj212 import MonitoringPoint
from catalog.publication import stage_table
from catalog.service import Catalog
from catalog.storage import BlobStore, open_store
from catalog.tabular.ingest import ingest_file
from catalog.tabular.schema import load_table_schema
from harvesters.hj212.series import read_series

SYSTEM = Actor(user_id=None, name="system", sysadmin=True)
VALUE_KINDS = ["Rtd", "Avg"]  # real-time values and loggers' own minute/hour means
AIR_COLUMNS = {"a34004": "pm25", "a34002": "pm10", "a05024": "o3", "a21026": "so2", "a21004": "no2",
               "a21005": "co"}
MinuteKey = tuple[datetime, str]


@dataclass(frozen=True)
class Staged:
    mn: str
    dataset: str
    rows: int
    rows_invalid: int
    sha256: str


def minute_stats(series: pa.Table, day: date | None = None) -> dict[MinuteKey, dict[str, Any]]:
    """{(minute, code): {mean, min, max, flag}} — statistics over N-flagged values only."""
    table = series.filter(pc.is_in(series["kind"], pa.array(VALUE_KINDS)))
    table = table.filter(pc.is_valid(table["data_time"]))
    if day is not None:
        table = table.filter(pc.equal(pc.cast(table["data_time"], pa.date32()), pa.scalar(day, pa.date32())))
    table = table.append_column("minute", pc.floor_temporal(table["data_time"], unit="minute"))
    normal = table.filter(pc.equal(table["flag"], "N"))
    out: dict[MinuteKey, dict[str, Any]] = {}
    grouped = normal.group_by(["minute", "code"]).aggregate([("value", "mean"), ("value", "min"),
                                                            ("value", "max")])
    for row in grouped.to_pylist():
        out[(row["minute"], row["code"])] = {"mean": row["value_mean"], "min": row["value_min"],
                                             "max": row["value_max"], "flag": "N"}
    others = table.filter(pc.and_(pc.is_valid(table["flag"]), pc.not_equal(table["flag"], "N")))
    for row in others.group_by(["minute", "code"]).aggregate([("flag", "min")]).to_pylist():
        out.setdefault((row["minute"], row["code"]),
                       {"mean": None, "min": None, "max": None, "flag": row["flag_min"]})
    return out


def _units(point: MonitoringPoint) -> dict[str, str]:
    return {f["code"]: f["unit"] for f in point.factors if f.get("unit")}


def emission_rows(point: MonitoringPoint, stats: dict[MinuteKey, dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of ``pollution_source_emissions``; factors without a configured unit are left out."""
    units, extras = _units(point), point.extras
    rows = []
    for (minute, code), s in sorted(stats.items()):
        if code not in units:
            continue
        rows.append({"mn": point.mn, "enterprise_name": extras.get("enterprise_name") or point.name,
                     "credit_code": extras.get("credit_code", ""), "outlet_code": extras.get("outlet_code", "DA001"),
                     "district_code": point.district_code or "", "time": minute.isoformat(), "factor_code": code,
                     "avg": s["mean"], "min": s["min"], "max": s["max"], "zs_avg": None, "cou": None,
                     "unit": units[code], "flag": s["flag"]})
    return rows


def air_rows(point: MonitoringPoint, stats: dict[MinuteKey, dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of ``air_quality_hourly`` at minute resolution: one row per minute, a column per pollutant;
    the row is N only when every pollutant of that minute is N."""
    minutes: dict[datetime, dict[str, Any]] = defaultdict(dict)
    flags: dict[datetime, list[str]] = defaultdict(list)
    for (minute, code), s in stats.items():
        column = AIR_COLUMNS.get(code)
        if column is None:
            continue
        minutes[minute][column] = s["mean"]
        flags[minute].append(s["flag"])
    base = {"station_code": point.extras.get("station_code", ""), "station_name": point.name[:50],
            "district_code": point.district_code or ""}
    return [{**base, "time": minute.isoformat(), **{c: values.get(c) for c in AIR_COLUMNS.values()},
             "aqi": None, "flag": next((f for f in flags[minute] if f != "N"), "N")}
            for minute, values in sorted(minutes.items())]


def _write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in row.items()} for row in rows)


def stage_rows(session: Any, actor: Actor, ds: Dataset, store: BlobStore, rows: list[dict[str, Any]],
               schema_name: str) -> tuple[int, int, str]:
    schema = load_table_schema(schema_name)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{ds.name}.csv"
        _write_csv(path, rows, [f["name"] for f in schema["fields"]])
        result = ingest_file(path, schema, store)
    if result.parquet is None:
        raise ValueError(f"series of {ds.name} could not be staged: {result.report}")
    stage_table(session, actor, ds.resources[0], blob_key=result.parquet.key, sha256=result.parquet.sha256,
                size=result.parquet.size, rows=result.rows_valid, table_schema=schema, time_field="time")
    return result.rows_valid, result.rows_invalid, result.parquet.sha256


def stage_point(catalog: Catalog, root: Path, mn: str, *, day: date | None = None,
                actor: Actor = SYSTEM) -> Staged | None:
    """Stage one point's series (one day, or everything stored); None when there is nothing to stage."""
    store = open_store(catalog.config["ECODATA_STORAGE_URL"], catalog.config.home,
                       catalog.config["ECODATA_S3_ENDPOINT"])
    stats = minute_stats(read_series(root, mn), day)
    with catalog.write() as session:
        point = hj212_points.get_point(session, mn)
        if point is None or point.dataset_id is None:
            raise LookupError(f"monitoring point {mn} is not registered with a dataset")
        ds = session.get(Dataset, point.dataset_id)
        assert ds is not None
        schema_name = hj212_points.theme_for(point.kind, point.st)[1]
        rows = air_rows(point, stats) if schema_name == "air_quality_hourly" else emission_rows(point, stats)
        if not rows:
            return None
        valid, invalid, sha = stage_rows(session, actor, ds, store, rows, schema_name)
        return Staged(mn, ds.name, valid, invalid, sha)
