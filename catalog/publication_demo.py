"""The publication demo: four datasets whose releases show what the disclosure rules do.

- 渝中区空气质量小时数据: open, hourly rows published one hour late (public: flag N only);
- 长寿区重点排污单位在线监测: open only as daily statistics, enterprise contacts dropped;
- 辐射环境自动监测站剂量率: conditional — metadata for the public, coordinates rounded to 2
  decimals for grant holders (4 for government users);
- 市卫生健康委饮用水卫生监测: not released to anyone outside the department.

Data goes through the real ingest (CSV → validated Parquet) and is staged for publication.
"""

from __future__ import annotations

import csv
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from .authz import Actor
from .datasets import create
from .materialize import BEIJING
from .models import Dataset
from .models.publication import StagedTable
from .publication import stage_table
from .storage import BlobStore
from .tabular.ingest import ingest_file
from .tabular.schema import load_table_schema

AIR, POLLUTION, RADIATION, HEALTH = ("cq-air-hourly-yuzhong-release", "cq-pollution-online-changshou-release",
                                     "cq-radiation-dose-rate-release", "cq-drinking-water-health-release")
# Values that must never reach an audience the rules withhold them from (tests look for them).
SECRET_CONTACT, SECRET_PHONE = "王秀兰", "13983001234"
PRECISE_LON, PRECISE_LAT = 106.551234, 29.563789
HEALTH_DEPARTMENT = "cq-wsjkw"

HEALTH_SCHEMA: dict[str, Any] = {"fields": [
    {"name": "site_name", "type": "string", "title": "监测点名称"},
    {"name": "sampled_on", "type": "date", "title": "采样日期"},
    {"name": "total_coliform", "type": "number", "title": "总大肠菌群（MPN/100mL）"}]}


def _record(name: str, title: str, org: str, themes: list[str], cycle: str, schema: str | None,
            open_type: str = "无条件开放", **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "name": name, "title": title, "description": f"{title}。经信息公开规则处理后按受众发布。",
        "organization": org, "share_type": "无条件共享", "open_type": open_type, "update_cycle": cycle,
        "themes": themes, "keywords": [title[:6], "在线监测"], "districts": ["500000"],
        "license_id": "cn-gov-open-1.0",
        "resources": [{"name": f"{title}（Parquet）", "url": f"https://ecodata.example/files/{name}.parquet",
                       "format": "CSV", **({"table_schema": schema} if schema else {})}],
    }
    if open_type == "有条件开放":
        record["open_condition"] = "须提交用途说明并签订数据利用协议，仅限科研和环境管理用途。"
    record.update(extra)
    return record


def records() -> dict[str, dict[str, Any]]:
    return {
        AIR: _record(AIR, "渝中区空气质量自动监测站小时数据（发布演示）", "cq-sthjj", ["air"], "实时",
                     "air_quality_hourly"),
        POLLUTION: _record(POLLUTION, "长寿区重点排污单位在线监测小时数据（发布演示）", "cq-sthjj",
                           ["pollution-source"], "实时", "pollution_source_emissions"),
        RADIATION: _record(RADIATION, "辐射环境自动监测站空气吸收剂量率（发布演示）", "cq-sthjj", ["radiation"],
                           "每日", "radiation_dose_rate", open_type="有条件开放"),
        HEALTH: _record(HEALTH, "市级集中式饮用水水源卫生监测（发布演示）", HEALTH_DEPARTMENT, ["drinking-water"],
                        "每月", None),
    }


def _hours(now: datetime, count: int) -> list[datetime]:
    top = now.astimezone(BEIJING).replace(minute=0, second=0, microsecond=0, tzinfo=None)
    return [top - timedelta(hours=count - 1 - i) for i in range(count)]


def _air_rows(now: datetime) -> list[dict[str, Any]]:
    rows = []
    for code, station in (("1665A", "解放碑"), ("1666A", "两路口")):
        for i, t in enumerate(_hours(now, 6)):
            rows.append({"station_code": code, "station_name": station, "district_code": "500103",
                         "time": t.isoformat(), "pm25": 35 + i, "pm10": 60 + 2 * i, "o3": 48, "so2": 7,
                         "no2": 41, "co": 0.8, "aqi": 50 + i, "flag": "D" if i == 2 else "N"})
    return rows


def _pollution_rows(now: datetime) -> list[dict[str, Any]]:
    rows = []
    for i, t in enumerate(_hours(now, 30)):
        rows.append({"mn": "88888880000001", "enterprise_name": "重庆长寿化工有限责任公司",
                     "credit_code": "91500115203124567X", "outlet_code": "DA001", "district_code": "500115",
                     "time": t.isoformat(), "factor_code": "a21026", "avg": 31.5 + i % 5, "min": 20.0,
                     "max": 44.0, "zs_avg": 33.0, "cou": 1.2, "unit": "mg/m³", "flag": "N",
                     "contact_person": SECRET_CONTACT, "contact_phone": SECRET_PHONE})
    return rows


def _radiation_rows(now: datetime) -> list[dict[str, Any]]:
    return [{"station_code": "5001R", "station_name": "重庆市辐射环境自动监测站（渝中）", "district_code": "500103",
             "time": t.isoformat(), "dose_rate": 82.5 + i, "rainfall": 0.0, "lon": PRECISE_LON,
             "lat": PRECISE_LAT, "flag": "N"} for i, t in enumerate(_hours(now - timedelta(days=1), 4))]


def _health_rows(now: datetime) -> list[dict[str, Any]]:
    day = now.astimezone(BEIJING).date() - timedelta(days=3)
    return [{"site_name": "和尚山水厂取水口", "sampled_on": day.isoformat(), "total_coliform": 2.0},
            {"site_name": "梁沱水厂取水口", "sampled_on": day.isoformat(), "total_coliform": 1.0}]


def rows_for(name: str, now: datetime) -> list[dict[str, Any]]:
    return {AIR: _air_rows, POLLUTION: _pollution_rows, RADIATION: _radiation_rows,
            HEALTH: _health_rows}[name](now)


def table_schema_for(name: str) -> dict[str, Any]:
    schema = records()[name]["resources"][0].get("table_schema")
    return load_table_schema(schema) if schema else HEALTH_SCHEMA


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def stage_rows(session: Session, actor: Actor, ds: Dataset, store: BlobStore, rows: list[dict[str, Any]],
               table_schema: dict[str, Any]) -> StagedTable:
    """Ingest rows as a CSV upload would be, then stage the valid Parquet for the first resource."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{ds.name}.csv"
        _write_csv(path, rows)
        result = ingest_file(path, table_schema, store)
    if result.parquet is None or not result.valid:
        raise ValueError(f"demo data for {ds.name} did not validate: {result.report.get('errors')}")
    return stage_table(session, actor, ds.resources[0], blob_key=result.parquet.key, sha256=result.parquet.sha256,
                       size=result.parquet.size, rows=result.rows_valid, table_schema=table_schema)


def create_and_stage(session: Session, actor: Actor, store: BlobStore, name: str, now: datetime) -> Dataset:
    ds = create(session, actor, records()[name])
    session.flush()
    stage_rows(session, actor, ds, store, rows_for(name, now), table_schema_for(name))
    return ds
