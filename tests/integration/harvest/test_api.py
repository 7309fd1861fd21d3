"""/api/v1/harvest: department admins manage their sources, start jobs, read reports and originals."""

from __future__ import annotations

import time
from typing import Any

from portal.demo_sources import generate_packages


def _wait(client: Any, job_id: str, headers: dict[str, str]) -> dict[str, Any]:
    for _ in range(600):
        report = client.get(f"/api/v1/harvest/jobs/{job_id}", headers=headers).get_json()
        if report["status"] in ("finished", "failed"):
            return report
        time.sleep(0.1)
    raise AssertionError("job did not finish")


def test_admin_adds_source_runs_job_and_reads_report(client: Any, people: Any, server: Any) -> None:
    people.user("sthjj-admin", "cq-sthjj", "admin")
    admin = people.auth("sthjj-admin")
    url = server.add_ckan("api", generate_packages(6))
    created = client.post("/api/v1/harvest/sources", headers=admin, json={
        "name": "jczx-ckan", "org": "cq-sthjj", "type": "ckan", "url": url, "allow_private": True,
        "options": {"rows": 4}, "defaults": {"update_cycle": "每日", "theme": "air"}, "schedule": "0 2 * * *"})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["defaults"] == {"update_cycle": "每日", "theme": "air"}

    started = client.post("/api/v1/harvest/sources/jczx-ckan/jobs", headers=admin, json={})
    assert started.status_code == 202
    report = _wait(client, started.get_json()["id"], admin)
    assert report["counts"]["added"] == 6 and report["errors"] == []

    listed = client.get("/api/v1/harvest/sources/jczx-ckan/jobs", headers=admin).get_json()
    assert [j["id"] for j in listed] == [report["id"]]
    dataset = client.get("/api/v1/datasets/cq-monitoring-000003").get_json()
    assert dataset["update_cycle"] == "每日" and dataset["themes"] == ["air"]
    pkg = client.get("/api/3/action/package_show?id=cq-monitoring-000003").get_json()["result"]
    extras = {e["key"]: e["value"] for e in pkg["extras"]}
    assert extras["harvest_source"] == "jczx-ckan" and extras["harvest_remote_id"] == "pkg-000003"
    original = client.get(extras["harvest_original"])
    assert original.status_code == 200 and original.mimetype == "application/json"
    assert original.get_json()["title"] == generate_packages(6)[3]["title"]


def test_other_departments_do_not_see_the_source(client: Any, people: Any, server: Any) -> None:
    people.user("sthjj-admin", "cq-sthjj", "admin")
    people.user("slj-admin", "cq-slj", "admin")
    body = {"name": "slj-drop", "org": "cq-sthjj", "type": "ckan", "url": server.add_ckan("x", [])}
    refused = client.post("/api/v1/harvest/sources", headers=people.auth("slj-admin"), json=body)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert client.post("/api/v1/harvest/sources", headers=people.auth("sthjj-admin"), json=body).status_code == 201
    assert client.get("/api/v1/harvest/sources", headers=people.auth("slj-admin")).get_json() == []
    assert client.get("/api/v1/harvest/sources/slj-drop", headers=people.auth("slj-admin")).status_code == 404
    assert [s["name"] for s in client.get("/api/v1/harvest/sources", headers=people.auth("root")).get_json()] \
        == ["slj-drop"]


def test_bad_options_are_refused_with_problems(client: Any, people: Any) -> None:
    resp = client.post("/api/v1/harvest/sources", headers=people.auth("root"), json={
        "name": "bad", "org": "cq-sthjj", "type": "ckan", "url": "https://data.cq.gov.cn",
        "options": {"rows": 5000, "colour": "red"}})
    assert resp.status_code == 409
    error = resp.get_json()["error"]
    fields = {p["location"]["field"] for p in error["problems"]}
    assert "options.rows" in fields and any("colour" in p["message"] for p in error["problems"])
