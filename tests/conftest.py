"""Shared fixtures: a catalogue on SQLite and on real PostgreSQL, an app, and realistic users.

Tests that take ``catalog`` run twice, once per backend.  PostgreSQL tests use their own
schema (so parallel runs never collide) and empty every table between tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from catalog import accounts
from catalog.db import Database
from catalog.models import Base
from catalog.service import Catalog
from catalog.settings import Config, load

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def services_required() -> bool:
    return bool(load()["ECODATA_REQUIRE_SERVICES"])


def need(condition: bool, reason: str) -> None:
    """Skip when a service or corpus is missing; fail instead when services are required (CI)."""
    if condition:
        return
    if services_required():
        pytest.fail(f"required but unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def corpora() -> Path:
    need((SHARED / "corpora").is_dir(), f"corpus folder {SHARED / 'corpora'} is absent")
    return SHARED / "corpora"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "ecodata.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[Database]:
    url = load()["ECODATA_TEST_DATABASE_URL"]
    schema = f"t_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(url)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        need(False, f"PostgreSQL at {url} is unavailable: {exc.orig}")
    db = Database(url, connect_args={"options": f"-csearch_path={schema}"})
    # The same database as a URL, for server processes a test starts.
    db.url = f"{url}?options=-csearch_path%3D{schema}"
    db.upgrade()
    yield db
    db.dispose()
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _empty_tables(db: Database) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def empty_pg_database(pg_database: Database) -> Database:
    _empty_tables(pg_database)
    return pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load({}, ECODATA_HOME=str(tmp_path / "home"), ECODATA_SITE_URL="http://127.0.0.1:5000",
                ECODATA_SECRET_KEY="test-secret")


@pytest.fixture
def catalog(request: pytest.FixtureRequest, backend: str, config: Config, sqlite_template: Path) \
        -> Iterator[Catalog]:
    if backend == "postgresql":
        db = request.getfixturevalue("pg_database")
        _empty_tables(db)
        cat = Catalog(config, database=db)
    else:
        config.home.mkdir(parents=True, exist_ok=True)
        shutil.copy(sqlite_template, config.home / "ecodata.db")
        cat = Catalog(config)
    cat.start()
    yield cat
    if backend == "sqlite":
        cat.close()


@pytest.fixture
def server_env(catalog: Catalog, config: Config) -> dict[str, str]:
    """Environment for a portal process started by a test, on the same catalogue as ``catalog``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECODATA_")}
    env.update(ECODATA_HOME=str(config.home), ECODATA_SECRET_KEY="test-secret", ECODATA_LOG_LEVEL="WARNING",
               PYTHONPATH=str(ROOT))
    if catalog.db.dialect == "postgresql":
        env["ECODATA_DATABASE_URL"] = catalog.db.url
    return env


@pytest.fixture
def app(catalog: Catalog, config: Config) -> Any:
    from portal.app import create_app

    return create_app(config, catalog=catalog, TESTING=True)


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


class People:
    """Departments and users with roles, and tokens for them."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.tokens: dict[str, str] = {}

    def org(self, name: str, title: str, title_en: str | None = None) -> str:
        with self.catalog.write() as session:
            return accounts.create_org(session, name, title, title_en=title_en).id

    def user(self, name: str, org: str | None = None, role: str | None = None, *,
             password: str | None = None, **flags: Any) -> str:
        # Argon2 is slow by design, so only users that sign in with a password get one.
        with self.catalog.write() as session:
            user = accounts.create_user(session, name, password, **flags)
            if org and role:
                accounts.set_membership(session, user, accounts.get_org(session, org), role)
            self.tokens[name] = accounts.create_token(session, user, "test").token
            return user.id

    def auth(self, name: str) -> dict[str, str]:
        return {"Authorization": self.tokens[name]}


@pytest.fixture
def people(catalog: Catalog) -> People:
    p = People(catalog)
    p.org("cq-sthjj", "重庆市生态环境局", "Chongqing Ecology and Environment Bureau")
    p.org("cq-slj", "重庆市水利局", "Chongqing Water Resources Bureau")
    p.user("editor", "cq-sthjj", "editor")
    p.user("reviewer", "cq-sthjj", "reviewer")
    p.user("member", "cq-sthjj", "member")
    p.user("water-editor", "cq-slj", "editor")
    p.user("citizen")
    p.user("root", sysadmin=True)
    return p


def air_record(**overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "name": "cq-air-quality-hourly-yuzhong",
        "title": "渝中区空气质量自动监测站小时数据",
        "title_en": "Hourly air quality of Yuzhong District monitoring stations",
        "description": "渝中区解放碑、两路口等国控空气质量自动监测站逐小时 PM2.5、PM10、O3、SO2、NO2、CO 浓度及空气质量指数。",
        "organization": "cq-sthjj",
        "share_type": "无条件共享",
        "open_type": "无条件开放",
        "update_cycle": "实时",
        "themes": ["air"],
        "keywords": ["空气质量", "PM2.5", "PM10", "臭氧"],
        "districts": ["500103"],
        "license_id": "cc-by-4.0",
        "contact_point": {"name": "市生态环境监测中心", "email": "jczx@sthjj.cq.gov.cn"},
        "data_elements": [
            {"name": "监测站点编码", "name_en": "station_code", "type": "C", "length": 10},
            {"name": "监测时间", "name_en": "time", "type": "T"},
            {"name": "PM2.5浓度", "name_en": "pm25", "type": "N", "unit": "μg/m³"},
        ],
        "resources": [{"name": "小时数据 CSV", "url": "http://127.0.0.1:5000/files/air.csv", "format": "CSV"}],
    }
    record.update(overrides)
    return record


@pytest.fixture
def make_record() -> Any:
    return air_record
