"""The same catalogue answers the same searches identically on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from catalog import accounts, datasets
from catalog.authz import ANONYMOUS, Actor
from catalog.demo_data import demo_datasets, demo_departments
from catalog.models import Dataset
from catalog.search.base import SearchQuery
from catalog.service import Catalog
from catalog.settings import load

SYSTEM = Actor(name="test", sysadmin=True)
QUERIES = [
    SearchQuery(q="空气质量", rows=20, facet_fields=["org", "themes", "districts"]),
    SearchQuery(q="水质", rows=20, facet_fields=["org", "update_cycle"]),
    SearchQuery(q="细颗粒物", rows=20),
    SearchQuery(q="", filters=[("districts", "500106")], sort="name asc", rows=50,
                facet_fields=["themes", "open_type"]),
    SearchQuery(q="噪声", sort="title asc", rows=10),
    SearchQuery(q="", sort="name asc", start=20, rows=30, facet_fields=["license_id", "formats", "tags"]),
]


def _catalogue(tmp: Path, db: Any | None, sqlite_template: Path) -> Catalog:
    home = tmp / ("pg" if db else "sqlite")
    home.mkdir()
    if db is None:
        shutil.copy(sqlite_template, home / "ecodata.db")
    catalog = Catalog(load({}, ECODATA_HOME=str(home)), database=db)
    catalog.start()
    with catalog.write() as session:
        for dept in demo_departments():
            accounts.create_org(session, dept["name"], dept["title"], code=dept.get("code"))
        for record in demo_datasets():
            datasets.create(session, SYSTEM, record)
    return catalog


def _answers(catalog: Catalog) -> list[tuple[int, list[str], dict[str, list[tuple[str, int]]]]]:
    out = []
    with catalog.read() as session:
        names = dict(session.execute(sa.select(Dataset.id, Dataset.name)).all())
    for query in QUERIES:
        result = catalog.search(ANONYMOUS, SearchQuery(**{**query.__dict__}))
        out.append((result.count, [names[i] for i in result.ids], result.facets))
    return out


def test_sqlite_and_postgresql_give_identical_results(tmp_path, empty_pg_database, sqlite_template) -> None:
    pg_database = empty_pg_database
    lite = _catalogue(tmp_path, None, sqlite_template)
    pg = _catalogue(tmp_path, pg_database, sqlite_template)
    try:
        lite_answers, pg_answers = _answers(lite), _answers(pg)
        assert lite_answers == pg_answers
        assert lite_answers[0][0] > 10 and lite_answers[3][0] > 0
    finally:
        lite.close()

