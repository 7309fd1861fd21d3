"""Setup for bench/serve.py: one released 2,000,000-row air-quality dataset in a bench catalogue, and
the same rows in SQLite for Datasette (run from a throwaway virtualenv under bench/out/).

Both are cached under bench/out/ and rebuilt only when missing.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

NAME = "cq-air-quality-hourly-bench"


def home_for(rows: int) -> Path:
    return OUT / f"serve-home-{rows}"


def config_for(rows: int, site_url: str = "http://127.0.0.1:5000") -> Any:
    from catalog.settings import load

    return load({}, ECODATA_HOME=str(home_for(rows)), ECODATA_SITE_URL=site_url, ECODATA_SECRET_KEY="bench")


def released_dataset(rows: int) -> dict[str, Any]:
    """Create, ingest, stage, submit and approve the dataset once; return names and a member token."""
    state = home_for(rows) / "bench-state.json"
    if state.exists():
        return json.loads(state.read_text())  # type: ignore[no-any-return]
    from ingest import make_csv

    out = _release(rows, make_csv(rows))
    state.write_text(json.dumps(out))
    return out


def _people(session: Any) -> tuple[Any, Any, str]:
    from catalog import accounts
    from catalog.authz import actor_for

    org = accounts.create_org(session, "cq-sthjj", "重庆市生态环境局", title_en="Chongqing Ecology and Environment Bureau")
    made = {}
    for name, role in (("editor", "editor"), ("reviewer", "reviewer"), ("member", "member")):
        user = accounts.create_user(session, name, None)
        accounts.set_membership(session, user, org, role)
        made[name] = user
    session.flush()
    token = accounts.create_token(session, made["member"], "bench").token
    return actor_for(session, made["editor"]), actor_for(session, made["reviewer"]), token


def _record() -> dict[str, Any]:
    return {"name": NAME, "title": "重庆市国控空气质量自动监测站小时数据（基准测试）",
            "description": "20 个国控及市控空气质量自动监测站逐小时六项污染物浓度与 AQI。",
            "organization": "cq-sthjj", "share_type": "无条件共享", "open_type": "无条件开放", "update_cycle": "实时",
            "themes": ["air"], "keywords": ["空气质量", "PM2.5"], "districts": ["500000"],
            "license_id": "cc-by-4.0", "contact_point": {"name": "市生态环境监测中心", "email": "jczx@sthjj.cq.gov.cn"},
            "resources": [{"name": "小时数据", "url": "https://ecodata.example/files/air.csv", "format": "CSV",
                           "table_schema": "air_quality_hourly"}]}


def _release(rows: int, csv_path: Path) -> dict[str, Any]:
    from catalog import publication
    from catalog.datasets import create
    from catalog.models import utcnow
    from catalog.service import Catalog
    from catalog.tabular.ingest import ingest_file
    from catalog.tabular.schema import load_table_schema

    catalog = Catalog(config_for(rows))
    catalog.start()
    ctx = publication.context_for(catalog.config, catalog.db.sessionmaker)
    schema = {k: v for k, v in load_table_schema("air_quality_hourly").items() if k != "foreignKeys"}
    result = ingest_file(csv_path, schema, ctx.store)
    with catalog.write() as session:
        editor, reviewer, token = _people(session)
        ds = create(session, editor, _record())
        session.flush()
        rid = ds.resources[0].id
        publication.stage_table(session, editor, ds.resources[0], blob_key=result.parquet.key,
                                sha256=result.parquet.sha256, size=result.parquet.size, rows=result.rows_valid,
                                table_schema=schema)
    with catalog.write() as session:
        sub = publication.submit(session, editor, NAME)
        publication.approve(session, ctx, reviewer, sub.id, now=utcnow())
    catalog.close()
    return {"name": NAME, "resource_id": rid, "token": token, "rows": result.rows_valid}


DATASETTE_VENV = OUT / "datasette-venv"


def datasette_bin() -> Path:
    exe = DATASETTE_VENV / "bin" / "datasette"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=True)
        subprocess.run([str(DATASETTE_VENV / "bin" / "pip"), "install", "-q", "datasette"], check=True)
    return exe


def sqlite_copy(rows: int) -> Path:
    """The same CSV rows in SQLite, indexed on station_code, as one would publish them with Datasette."""
    from ingest import make_csv

    db = OUT / f"air_{rows}.db"
    if db.exists():
        return db
    tmp = db.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    con.execute("CREATE TABLE air_quality (station_code TEXT, station_name TEXT, district_code TEXT, time TEXT, "
                "pm25 REAL, pm10 REAL, o3 REAL, so2 REAL, no2 REAL, co REAL, aqi INTEGER, flag TEXT)")
    text = {c: pa.string() for c in ("station_code", "station_name", "district_code", "time", "flag")}
    options = pacsv.ConvertOptions(null_values=["NA", ""], strings_can_be_null=True, column_types=text)
    reader = pacsv.open_csv(make_csv(rows), convert_options=options)
    for batch in reader:
        columns = [c.to_pylist() for c in batch.columns]
        con.executemany("INSERT INTO air_quality VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", zip(*columns, strict=True))
    con.execute("CREATE INDEX air_quality_station ON air_quality (station_code)")
    con.commit()
    con.close()
    tmp.rename(db)
    return db
