"""Harvest test helpers: a real CKAN/file server on 127.0.0.1, sources, and catalogue snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from catalog import accounts, datasets
from catalog.models import Dataset, HarvestObject
from catalog.service import Catalog
from harvesters.runner import run_source
from harvesters.sources import add_source
from portal.demo_sources import FixtureServer

VOLATILE_EXTRAS = ("harvested_at", "harvest_object_id", "harvest_original")


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    srv = FixtureServer().start()
    yield srv
    srv.stop()


class Harvest:
    """Register sources on a catalogue and run them."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.orgs: set[str] = set()

    def org(self, code: str, title: str = "重庆市生态环境局") -> None:
        if code in self.orgs:
            return
        with self.catalog.write() as session:
            try:
                accounts.get_org(session, code)
            except Exception:
                accounts.create_org(session, code, title)
        self.orgs.add(code)

    def source(self, name: str, type_: str, url: str, *, org: str = "cq-sthjj", **kwargs: Any) -> str:
        self.org(org)
        kwargs.setdefault("allow_private", True)
        with self.catalog.write() as session:
            return add_source(session, name=name, org=org, type=type_, url=url, **kwargs).id

    def run(self, name: str, **kwargs: Any) -> dict[str, Any]:
        return run_source(self.catalog, name, **kwargs)

    def records(self, source_name: str | None = None) -> dict[str, dict[str, Any]]:
        """Every harvested dataset's record by remote id."""
        with self.catalog.read() as session:
            query = sa.select(Dataset).where(Dataset.harvest_remote_id.is_not(None))
            out = {}
            for ds in session.scalars(query):
                rec = datasets.dataset_record(ds)
                if source_name and rec.get("extras", {}).get("harvest_source") != source_name:
                    continue
                out[ds.harvest_remote_id or ""] = rec
            return out

    def by_title(self, title: str) -> dict[str, Any]:
        matches = [r for r in self.records().values() if r["title"] == title]
        assert len(matches) == 1, f"{len(matches)} datasets titled {title!r}"
        return matches[0]


@pytest.fixture
def harvest(catalog: Catalog) -> Harvest:
    return Harvest(catalog)


@pytest.fixture
def snapshot() -> Any:
    return take_snapshot


def take_snapshot(catalog: Catalog) -> dict[str, Any]:
    """The catalogue's harvested state without ids and timestamps, for comparing two runs."""
    with catalog.read() as session:
        out: dict[str, Any] = {}
        for ds in session.scalars(sa.select(Dataset).order_by(Dataset.name)):
            rec = datasets.dataset_record(ds)
            for key in ("id", "metadata_created", "metadata_modified", "harvest"):
                rec.pop(key, None)
            for res in rec.get("resources", []):
                res.pop("id", None)
                res.pop("modified", None)
            rec["extras"] = {k: v for k, v in rec.get("extras", {}).items() if k not in VOLATILE_EXTRAS}
            out[ds.name] = rec
        objects = sorted((o.remote_id, o.content_hash, o.state) for o in session.scalars(sa.select(HarvestObject)))
        return {"datasets": out, "objects": objects}


