"""Released datasets to deliver: the publication demo's air and pollution datasets, and an air
dataset ingested from a GBK-encoded export, each submitted and approved under the shipped rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from catalog import accounts, publication
from catalog import publication_demo as demo
from catalog.authz import actor_for
from catalog.datasets import create
from catalog.models import utcnow
from catalog.tabular.ingest import ingest_file
from catalog.tabular.schema import load_table_schema

GBK_NAME = "cq-air-hourly-gbk-export"
GBK_STATIONS = [("1665A", "解放碑", "500103"), ("1681A", "新山村", "500104"), ("3227A", "涪陵区环保局", "500102")]


@dataclass
class Delivered:
    now: datetime
    resources: dict[str, str] = field(default_factory=dict)
    gbk: str = GBK_NAME
    gbk_stations: tuple[str, ...] = tuple(s[1] for s in GBK_STATIONS)


def act(catalog: Any, name: str) -> Any:
    with catalog.read() as session:
        return actor_for(session, accounts.get_user(session, name))


def gbk_csv(path: Path, now: datetime) -> Path:
    start = (now - timedelta(days=3)).replace(minute=0, second=0, microsecond=0, tzinfo=None)
    lines = ["station_code,station_name,district_code,time,pm25,pm10,o3,so2,no2,co,aqi,flag"]
    for code, name, district in GBK_STATIONS:
        for h in range(24):
            t = (start + timedelta(hours=h)).strftime("%Y-%m-%d %H:%M:%S")
            lines.append(f"{code},{name},{district},{t},{30 + h},{50 + h},{60 + h},8,30,0.6,{45 + h},N")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


def _release(catalog: Any, ctx: Any, name: str, editor: str, reviewer: str, now: datetime) -> None:
    with catalog.write() as session:
        sub = publication.submit(session, act(catalog, editor), name, "请审核")
        publication.approve(session, ctx, act(catalog, reviewer), sub.id, "同意", now=now)


def _gbk_dataset(catalog: Any, ctx: Any, tmp: Path, now: datetime) -> str:
    record = demo.records()[demo.AIR] | {"name": GBK_NAME, "title": "主城区空气质量小时数据（GBK 导出）"}
    record["resources"] = [{"name": "小时数据", "url": "https://ecodata.example/files/gbk.csv", "format": "CSV",
                            "table_schema": "air_quality_hourly"}]
    schema = load_table_schema("air_quality_hourly")
    schema = {k: v for k, v in schema.items() if k != "foreignKeys"}
    result = ingest_file(gbk_csv(tmp / "gbk.csv", now), schema, ctx.store)
    assert result.encoding.lower().replace("-", "") in ("gbk", "gb18030", "gb2312"), result.encoding
    with catalog.write() as session:
        ds = create(session, act(catalog, "editor"), record)
        session.flush()
        publication.stage_table(session, act(catalog, "editor"), ds.resources[0], blob_key=result.parquet.key,
                                sha256=result.parquet.sha256, size=result.parquet.size, rows=result.rows_valid,
                                table_schema=schema)
        return ds.resources[0].id


@pytest.fixture
def delivered(catalog: Any, people: Any, app: Any, tmp_path: Path) -> Delivered:
    ctx = publication.context_for(catalog.config, catalog.db.sessionmaker)
    now = utcnow()
    out = Delivered(now)
    with catalog.write() as session:
        for name in (demo.AIR, demo.POLLUTION):
            ds = demo.create_and_stage(session, act(catalog, "editor"), ctx.store, name, now)
            out.resources[name] = ds.resources[0].id
    out.resources[GBK_NAME] = _gbk_dataset(catalog, ctx, tmp_path, now)
    for name in (demo.AIR, demo.POLLUTION, GBK_NAME):
        _release(catalog, ctx, name, "editor", "reviewer", now)
    return out
