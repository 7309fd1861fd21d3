"""Who may approve: never the submitter, never another department's reviewer; and releases are atomic."""

from __future__ import annotations

import sqlalchemy as sa

from catalog import publication
from catalog import publication_demo as demo
from catalog.models import utcnow
from catalog.models.publication import Release, StagedTable

from .conftest import act, context


def _staged_and_submitted(catalog, people, client, name: str = demo.AIR) -> str:
    with catalog.write() as session:
        demo.create_and_stage(session, act(catalog, "editor"), context(catalog).store, name, utcnow())
    sub = client.post("/api/v1/publication/submissions", json={"dataset": name}, headers=people.auth("editor"))
    assert sub.status_code == 201, sub.get_json()
    return sub.get_json()["id"]


def test_editor_cannot_approve_own_submission(catalog, people, client) -> None:
    sid = _staged_and_submitted(catalog, people, client)
    out = client.post(f"/api/v1/publication/submissions/{sid}/approve", json={}, headers=people.auth("editor"))
    assert out.status_code == 403 and out.get_json()["error"]["code"] == "self_review"


def test_sysadmin_who_submitted_cannot_approve_either(catalog, people, client) -> None:
    with catalog.write() as session:
        demo.create_and_stage(session, act(catalog, "root"), context(catalog).store, demo.AIR, utcnow())
    sid = client.post("/api/v1/publication/submissions", json={"dataset": demo.AIR},
                      headers=people.auth("root")).get_json()["id"]
    out = client.post(f"/api/v1/publication/submissions/{sid}/approve", json={}, headers=people.auth("root"))
    assert out.status_code == 403 and out.get_json()["error"]["code"] == "self_review"


def test_reviewer_of_another_department_cannot_approve(catalog, people, client) -> None:
    people.user("water-reviewer", "cq-slj", "reviewer")
    sid = _staged_and_submitted(catalog, people, client)
    for who in ("water-reviewer", "member", "citizen"):
        out = client.post(f"/api/v1/publication/submissions/{sid}/approve", json={}, headers=people.auth(who))
        assert out.status_code in (403, 404), (who, out.get_json())
    with catalog.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Release)) == 0


def test_platform_reviewer_may_approve_and_preview_shows_each_audience(catalog, people, client) -> None:
    people.user("platform", platform_reviewer=True)
    sid = _staged_and_submitted(catalog, people, client, demo.POLLUTION)
    preview = client.get(f"/api/v1/publication/submissions/{sid}/preview", headers=people.auth("platform"))
    assert preview.status_code == 200, preview.get_json()
    audiences = preview.get_json()["audiences"]
    public = next(iter(audiences["public"]["resources"].values()))
    owner = next(iter(audiences["owner"]["resources"].values()))
    assert public["aggregate"]["period"] == "day" and "contact_phone" not in {f["name"] for f in public["fields"]}
    assert owner["row_count"] == 30 and "contact_phone" in {f["name"] for f in owner["fields"]}
    out = client.post(f"/api/v1/publication/submissions/{sid}/approve", json={"comment": "同意"},
                      headers=people.auth("platform"))
    assert out.status_code == 201 and out.get_json()["number"] == 1


def test_reject_keeps_the_dataset_unreleased(catalog, people, client) -> None:
    sid = _staged_and_submitted(catalog, people, client)
    out = client.post(f"/api/v1/publication/submissions/{sid}/reject", json={"comment": "站点编码有误，请核对"},
                      headers=people.auth("reviewer"))
    assert out.get_json()["state"] == "rejected"
    assert client.get(f"/api/v1/datasets/{demo.AIR}").status_code == 404  # data-bearing, never released


def test_a_failed_materialization_leaves_no_release(catalog, people, client) -> None:
    sid = _staged_and_submitted(catalog, people, client)
    ctx = context(catalog)
    with catalog.read() as session:
        key = session.scalar(sa.select(StagedTable.blob_key))
    ctx.store.delete(key)
    out = client.post(f"/api/v1/publication/submissions/{sid}/approve", json={}, headers=people.auth("reviewer"))
    assert out.status_code >= 400
    with catalog.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Release)) == 0
        assert publication.get_submission(session, sid).state == "pending"


def test_a_dataset_changed_after_submission_must_be_resubmitted(catalog, people, client) -> None:
    sid = _staged_and_submitted(catalog, people, client)
    patched = client.patch(f"/api/v1/datasets/{demo.AIR}", json={"title": "渝中区空气质量小时数据（修订）"},
                           headers=people.auth("editor"))
    assert patched.status_code == 200, patched.get_json()
    out = client.post(f"/api/v1/publication/submissions/{sid}/approve", json={}, headers=people.auth("reviewer"))
    assert out.status_code == 409


def test_release_numbers_grow_per_dataset(catalog, people, client) -> None:
    sid = _staged_and_submitted(catalog, people, client)
    client.post(f"/api/v1/publication/submissions/{sid}/approve", json={}, headers=people.auth("reviewer"))
    again = client.post("/api/v1/publication/submissions", json={"dataset": demo.AIR}, headers=people.auth("editor"))
    second = client.post(f"/api/v1/publication/submissions/{again.get_json()['id']}/approve", json={},
                         headers=people.auth("reviewer"))
    assert second.get_json()["number"] == 2
    current = client.get(f"/api/v1/publication/datasets/{demo.AIR}/release").get_json()
    assert current["release"] == 2
