"""Conditionally open data under a grant: delivered by download and data API only, every delivery
logged, never in the zip or the DCAT feed, and invisible to everyone else."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from catalog import access, accounts, publication
from catalog import publication_demo as demo
from catalog.authz import actor_for
from catalog.models.publication import GrantDownload


def act(catalog: Any, name: str) -> Any:
    with catalog.read() as session:
        return actor_for(session, accounts.get_user(session, name))


@pytest.fixture
def granted(catalog: Any, people: Any, delivered: Any) -> dict[str, str]:
    people.user("researcher", fullname="重庆大学环境学院研究员")
    ctx = publication.context_for(catalog.config, catalog.db.sessionmaker)
    with catalog.write() as session:
        ds = demo.create_and_stage(session, act(catalog, "editor"), ctx.store, demo.RADIATION, delivered.now)
        rid = ds.resources[0].id
    with catalog.write() as session:
        sub = publication.submit(session, act(catalog, "editor"), demo.RADIATION)
        publication.approve(session, ctx, act(catalog, "reviewer"), sub.id)
    with catalog.write() as session:
        req = access.request_access(session, act(catalog, "researcher"), demo.RADIATION,
                                    purpose="研究主城区天然辐射本底水平", period_end=delivered.now + timedelta(days=90))
        session.flush()
        grant = access.approve_request(session, ctx, act(catalog, "reviewer"), req.id)
        return {"resource": rid, "grant": grant.id}


def downloads(catalog: Any, grant_id: str) -> list[str]:
    with catalog.read() as session:
        rows = session.scalars(sa.select(GrantDownload).where(GrantDownload.grant_id == grant_id))
        return sorted(r.channel for r in rows)


def test_grant_holder_downloads_are_logged(client: Any, catalog: Any, people: Any, granted: dict[str, str]) -> None:
    base = f"/dataset/{demo.RADIATION}/resource/{granted['resource']}"
    who = people.auth("researcher")
    resp = client.get(f"{base}/download.csv", headers=who)
    assert resp.status_code == 200 and resp.headers["Cache-Control"].startswith("private")
    resp.close()
    rows = client.get(f"/api/v1/datasets/{demo.RADIATION}/resources/{granted['resource']}/rows", headers=who)
    assert rows.status_code == 200 and rows.get_json()["total"] > 0
    assert downloads(catalog, granted["grant"]) == ["data_api", "download"]


def test_grant_data_stays_out_of_bulk_feeds_and_other_hands(client: Any, people: Any,
                                                             granted: dict[str, str]) -> None:
    base = f"/dataset/{demo.RADIATION}/resource/{granted['resource']}"
    who = people.auth("researcher")
    assert client.get(f"/dataset/{demo.RADIATION}/download.zip", headers=who).status_code == 404
    feed = client.get(f"/dataset/{demo.RADIATION}.ttl", headers=who).data.decode()
    assert "download.csv" not in feed
    assert client.get(f"{base}/download.csv").status_code == 404
    assert client.get(f"{base}/download.csv", headers=people.auth("citizen")).status_code == 404
