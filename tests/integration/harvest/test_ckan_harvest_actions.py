"""CKAN-style harvest_* actions: what ckanext-harvest clients call, on the same sources, jobs and rules."""

from __future__ import annotations

import json
import time
from typing import Any

from portal.demo_sources import generate_packages


def _call(client: Any, action_name: str, headers: dict[str, str] | None = None, **params: Any) -> tuple[int, Any]:
    resp = client.post(f"/api/3/action/{action_name}", headers=headers or {}, json=params)
    body = resp.get_json()
    return resp.status_code, body["result"] if body["success"] else body["error"]


def _finished(client: Any, job_id: str, headers: dict[str, str]) -> dict[str, Any]:
    for _ in range(600):
        status, job = _call(client, "harvest_job_show", headers, id=job_id)
        assert status == 200, job
        if job["status"] == "Finished":
            return job
        time.sleep(0.1)
    raise AssertionError("job did not finish")


def test_create_source_run_job_and_read_stats_and_report(client: Any, people: Any, server: Any) -> None:
    people.user("sthjj-admin", "cq-sthjj", "admin")
    admin = people.auth("sthjj-admin")
    packages = generate_packages(5)
    packages[2]["extras"] = [e for e in packages[2]["extras"] if e["key"] != "temporal_end"] + [
        {"key": "temporal_end", "value": "2001-01-01"}]  # ends before it starts: a per-record error
    url = server.add_ckan("ckan-actions", packages)

    status, source = _call(client, "harvest_source_create", admin, name="jczx-portal", url=url,
                           source_type="ckan", owner_org="cq-sthjj", frequency="DAILY",
                           config=json.dumps({"rows": 2}), title="监测中心门户", allow_private=True)
    assert status == 200, source
    assert source["frequency"] == "DAILY" and source["source_type"] == "ckan" and source["owner_org"] == "cq-sthjj"
    assert json.loads(source["config"]) == {"rows": 2}

    status, job = _call(client, "harvest_job_create", admin, source_id=source["id"])
    assert status == 200 and job["status"] in ("New", "Running", "Finished")
    done = _finished(client, job["id"], admin)
    assert done["stats"]["added"] == 4 and done["stats"]["errored"] == 1

    status, report = _call(client, "harvest_job_report", admin, id=job["id"])
    assert status == 200 and report["gather_errors"] == []
    assert list(report["object_errors"]) == [packages[2]["id"]]
    assert report["object_errors"][packages[2]["id"]]["errors"][0]["message"]

    status, shown = _call(client, "harvest_source_show", admin, id="jczx-portal")
    assert shown["status"]["job_count"] == 1 and shown["status"]["last_job"]["id"] == job["id"]
    assert [s["name"] for s in _call(client, "harvest_source_list", admin)[1]] == ["jczx-portal"]
    assert [j["id"] for j in _call(client, "harvest_job_list", admin, source_id="jczx-portal")[1]] == [job["id"]]


def test_other_departments_and_anonymous_are_refused(client: Any, people: Any, server: Any) -> None:
    people.user("sthjj-admin", "cq-sthjj", "admin")
    people.user("slj-admin", "cq-slj", "admin")
    url = server.add_ckan("ckan-private", generate_packages(1))
    params = {"name": "sthjj-only", "url": url, "source_type": "ckan", "owner_org": "cq-sthjj"}
    status, error = _call(client, "harvest_source_create", people.auth("slj-admin"), **params)
    assert status == 403 and error["__type"] == "Authorization Error"
    assert _call(client, "harvest_source_create", None, **params)[0] == 403
    assert _call(client, "harvest_source_create", people.auth("sthjj-admin"), **params)[0] == 200
    status, error = _call(client, "harvest_source_show", people.auth("slj-admin"), id="sthjj-only")
    assert status == 404 and error["__type"] == "Not Found Error"
    assert _call(client, "harvest_job_create", people.auth("slj-admin"), source_id="sthjj-only")[0] == 404
    assert _call(client, "harvest_source_list", people.auth("slj-admin"))[1] == []


def test_bad_source_settings_name_the_field(client: Any, people: Any) -> None:
    admin = people.auth("root")
    status, error = _call(client, "harvest_source_create", admin, name="bad", url="http://127.0.0.1:1/",
                          source_type="ckan", owner_org="cq-sthjj", config="{not json")
    assert status == 409 and "config" in error
    status, error = _call(client, "harvest_source_create", admin, name="bad", url="http://127.0.0.1:1/",
                          source_type="ckan", owner_org="cq-sthjj", frequency="every tuesday")
    assert status == 409 and "schedule" in error
    status, error = _call(client, "harvest_source_create", admin, url="http://127.0.0.1:1/")
    assert status == 409 and "name" in error
