"""Grants: scoped, expiring tokens; expiry and revocation take effect at once; downloads are logged."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from catalog import publication_demo as demo
from catalog import releases
from catalog.datasets import get_dataset
from catalog.models.publication import Grant, GrantDownload

from .conftest import act


def _rows(client, headers, released, name: str):
    return client.get(f"/api/v1/publication/datasets/{name}/resources/{released.resources[name]}/rows",
                      headers=headers)


def _token(client, people, released) -> dict[str, str]:
    out = client.post(f"/api/v1/publication/grants/{released.grant_id}/tokens", json={"name": "科研脚本"},
                      headers=people.auth("researcher"))
    assert out.status_code == 201, out.get_json()
    return {"Authorization": out.get_json()["token"]}


def test_scoped_token_reaches_only_its_grants_files(released, client, people) -> None:
    token = _token(client, people, released)
    got = _rows(client, token, released, demo.RADIATION).get_json()
    assert {r["lon"] for r in got["rows"]} == {round(demo.PRECISE_LON, 2)}
    assert _rows(client, token, released, demo.AIR).status_code == 404  # public data, but not this grant's


def test_grant_token_of_someone_else_is_refused(released, client, people) -> None:
    out = client.post(f"/api/v1/publication/grants/{released.grant_id}/tokens", json={},
                      headers=people.auth("citizen"))
    assert out.status_code == 404


def test_every_download_under_a_grant_is_logged(released, client, people, catalog) -> None:
    _rows(client, people.auth("researcher"), released, demo.RADIATION)
    _rows(client, _token(client, people, released), released, demo.RADIATION)
    _rows(client, people.auth("researcher"), released, demo.AIR)  # public file: no grant involved
    with catalog.read() as session:
        logged = session.scalars(sa.select(GrantDownload)).all()
    assert [(d.grant_id, d.channel, d.resource_id) for d in logged] == \
        [(released.grant_id, "data_api", released.resources[demo.RADIATION])] * 2


def test_grant_expires_by_itself(released, catalog) -> None:
    researcher = act(catalog, "researcher")
    with catalog.read() as session:
        grant = session.get(Grant, released.grant_id)
        ds = get_dataset(session, demo.RADIATION)
        before = releases.audiences_for(session, researcher, ds, now=grant.expires_at - timedelta(seconds=1))
        after = releases.audiences_for(session, researcher, ds, now=grant.expires_at)
        assert before[0] == f"grant:{grant.id}"
        assert not any(a.startswith("grant:") for a in after)
        assert releases.artifact_for(session, researcher, ds, released.resources[demo.RADIATION],
                                     now=grant.expires_at) is None


def test_expired_grant_stops_the_portal_and_the_token_at_once(released, client, people, catalog) -> None:
    token = _token(client, people, released)
    with catalog.write() as session:
        session.get(Grant, released.grant_id).expires_at = released.now - timedelta(seconds=1)
    assert _rows(client, token, released, demo.RADIATION).status_code == 404
    assert _rows(client, people.auth("researcher"), released, demo.RADIATION).status_code == 404


def test_revoked_grant_stops_at_once_and_revokes_its_tokens(released, client, people) -> None:
    token = _token(client, people, released)
    out = client.post(f"/api/v1/publication/grants/{released.grant_id}/revoke", json={"comment": "超出约定用途"},
                      headers=people.auth("reviewer"))
    assert out.status_code == 200 and out.get_json()["revoked_at"]
    assert _rows(client, token, released, demo.RADIATION).status_code == 401
    assert _rows(client, people.auth("researcher"), released, demo.RADIATION).status_code == 404


def test_only_the_owning_department_decides_and_revokes(released, client, people) -> None:
    req = client.post("/api/v1/publication/access-requests", headers=people.auth("citizen"),
                      json={"dataset": demo.RADIATION, "purpose": "中学科普展板",
                            "period_end": (released.now + timedelta(days=30)).isoformat()}).get_json()
    for who in ("water-editor", "citizen", "editor"):
        out = client.post(f"/api/v1/publication/access-requests/{req['id']}/approve", json={},
                          headers=people.auth(who))
        assert out.status_code == 403, who
    assert client.post(f"/api/v1/publication/grants/{released.grant_id}/revoke", json={},
                       headers=people.auth("water-editor")).status_code == 403
    rejected = client.post(f"/api/v1/publication/access-requests/{req['id']}/reject",
                           json={"comment": "用途与数据无关"}, headers=people.auth("reviewer"))
    assert rejected.get_json()["state"] == "rejected"
