"""Runner bookkeeping: unchanged costs nothing, one change updates one dataset, vanished is withdrawn,
dry-run writes nothing, one bad record or one bad source never stops the rest, stuck jobs are failed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from catalog import harvest_store
from catalog.models import Activity, CatalogChange, Dataset, HarvestJob, HarvestObject, utcnow
from harvesters import jobs
from harvesters.runner import queue_job, run_job
from portal.demo_sources import THEME_MAP, generate_packages


def _writes(catalog: Any) -> tuple[int, int, int]:
    with catalog.read() as session:
        return (session.scalar(sa.select(sa.func.count()).select_from(CatalogChange)) or 0,
                session.scalar(sa.select(sa.func.count()).select_from(Activity)) or 0,
                session.scalar(sa.select(sa.func.max(Dataset.metadata_modified))))  # type: ignore[return-value]


@pytest.fixture
def packages(server: Any, harvest: Any) -> list[dict[str, Any]]:
    pkgs = generate_packages(30, org="cq-jczx", org_title="重庆市生态环境监测中心")
    harvest.source("monitoring", "ckan", server.add_ckan("ckan", pkgs), options={"rows": 8, "theme_map": THEME_MAP})
    return pkgs


def test_first_harvest_maps_generated_chinese_packages(packages: Any, harvest: Any) -> None:
    report = harvest.run("monitoring")
    assert report["counts"] == {"added": 30, "updated": 0, "unchanged": 0, "withdrawn": 0, "invalid": 0, "failed": 0}
    rec = harvest.records()[packages[7]["id"]]
    assert rec["title"] == packages[7]["title"]
    assert rec["themes"] == [THEME_MAP[packages[7]["groups"][0]["name"]]]
    assert rec["license_id"] == "cc-by-4.0"
    assert rec["temporal_start"] == packages[7]["extras"][1]["value"]
    assert rec["share_type"] == "无条件共享" and rec["update_cycle"] == "不定期"


def test_unchanged_rerun_writes_nothing(packages: Any, harvest: Any, catalog: Any) -> None:
    harvest.run("monitoring")
    before = _writes(catalog)
    report = harvest.run("monitoring")
    assert report["counts"]["unchanged"] == 30
    assert sum(report["counts"].values()) == 30
    assert _writes(catalog) == before


def test_one_changed_record_updates_exactly_that_dataset(packages: Any, harvest: Any, catalog: Any) -> None:
    harvest.run("monitoring")
    before = harvest.records()
    packages[4]["notes"] = "渝中区解放碑监测点位数据口径调整：自2025年起增加 PM1 监测项目。"
    packages[4]["metadata_modified"] = "2026-02-01T00:00:00.000000"
    report = harvest.run("monitoring")
    assert report["counts"]["updated"] == 1 and report["counts"]["unchanged"] == 29
    after = harvest.records()
    changed = [rid for rid in after if after[rid]["description"] != before[rid]["description"]]
    assert changed == [packages[4]["id"]]
    assert after[packages[4]["id"]]["description"] == packages[4]["notes"]
    assert after[packages[4]["id"]]["name"] == before[packages[4]["id"]]["name"]


def test_vanished_record_is_withdrawn_with_history_kept(packages: Any, harvest: Any, catalog: Any) -> None:
    harvest.run("monitoring")
    gone = packages.pop(11)
    report = harvest.run("monitoring")
    assert report["counts"]["withdrawn"] == 1 and report["counts"]["unchanged"] == 29
    records = harvest.records()
    assert records[gone["id"]]["state"] == "withdrawn"
    assert [r for r, v in records.items() if v["state"] == "withdrawn"] == [gone["id"]]
    with catalog.read() as session:
        ds_id = records[gone["id"]]["id"]
        kinds = list(session.scalars(sa.select(Activity.activity_type).where(Activity.object_id == ds_id)
                                     .order_by(Activity.id)))
    assert kinds == ["new package", "withdrawn package"]
    packages.append(gone)  # it comes back upstream: the same dataset is active again
    report = harvest.run("monitoring")
    assert report["counts"]["updated"] == 1
    assert harvest.records()[gone["id"]]["state"] == "active"


def test_dry_run_shows_changes_without_writing(packages: Any, harvest: Any, catalog: Any) -> None:
    harvest.run("monitoring")
    before = _writes(catalog)
    packages[0]["title"] = "渝中区解放碑空气质量自动监测小时数据（修订）"
    del packages[1]
    packages.append(generate_packages(31)[30])
    report = harvest.run("monitoring", dry_run=True)
    assert report["dry_run"] is True
    assert {k: v for k, v in report["counts"].items() if v} == {"added": 1, "updated": 1, "unchanged": 28,
                                                                 "withdrawn": 1}
    assert _writes(catalog) == before
    assert harvest.run("monitoring")["counts"]["updated"] == 1


def test_one_bad_record_does_not_stop_the_job(server: Any, harvest: Any) -> None:
    pkgs = generate_packages(10)
    pkgs[3]["resources"][0]["url"] = "见附件"  # not a URL: the distribution is dropped and counted
    pkgs[6]["extras"] = [e for e in pkgs[6]["extras"] if e["key"] != "temporal_end"] + [
        {"key": "temporal_end", "value": "2001-01-01"}]  # before its start: the record is invalid
    harvest.source("mixed", "ckan", server.add_ckan("mixed", pkgs))
    report = harvest.run("mixed")
    assert report["status"] == "finished"
    assert report["counts"]["added"] == 9 and report["counts"]["invalid"] == 1
    [error] = report["errors"]
    assert error["remote_id"] == pkgs[6]["id"]
    assert error["problems"][0]["location"]["record"] == pkgs[6]["id"]
    assert error["problems"][0]["location"]["field"] == "temporal_end"
    kept = harvest.records()[pkgs[3]["id"]]
    assert [r["url"] for r in kept["resources"]] == [pkgs[3]["resources"][1]["url"]]
    assert kept["extras"]["harvest_dropped_resources"] == 1


def test_failing_source_does_not_affect_another(server: Any, harvest: Any) -> None:
    harvest.source("good", "ckan", server.add_ckan("good", generate_packages(5)))
    harvest.source("dead", "ckan", "http://127.0.0.1:9/ckan", options={"retries": 0, "timeout": 2})
    dead = harvest.run("dead")
    good = harvest.run("good")
    assert dead["status"] == "failed" and dead["error"]["code"] == "harvest_connect_error"
    assert good["status"] == "finished" and good["counts"]["added"] == 5


def test_private_addresses_are_refused_unless_allowed(server: Any, harvest: Any) -> None:
    harvest.source("closed", "ckan", server.add_ckan("closed", generate_packages(2)), allow_private=False)
    report = harvest.run("closed")
    assert report["status"] == "failed" and report["error"]["code"] == "harvest_private_address"


def test_stuck_job_is_detected_and_the_next_run_converges(packages: Any, harvest: Any, catalog: Any) -> None:
    harvest.run("monitoring")
    job_id = queue_job(catalog, "monitoring")
    with catalog.write() as session:  # a job whose worker stopped beating an hour ago
        job = session.get(HarvestJob, job_id)
        source = harvest_store.get_source(session, "monitoring")
        job.status, job.worker, job.heartbeat = "running", "elsewhere:1", utcnow() - timedelta(hours=1)
        source.current_job_id = job_id
    assert jobs.detect_stuck(catalog) == [job_id]
    assert jobs.report(catalog, job_id)["status"] == "failed"
    assert jobs.report(catalog, job_id)["error"]["code"] == "harvest_job_stuck"
    assert harvest.run("monitoring")["counts"]["unchanged"] == 30


def test_a_job_runs_once_even_if_started_twice(packages: Any, catalog: Any) -> None:
    job_id = queue_job(catalog, "monitoring")
    first = run_job(catalog, job_id)
    second = run_job(catalog, job_id)
    assert first["counts"]["added"] == 30
    assert second == first


def test_kept_raw_record_remaps_without_fetching(packages: Any, harvest: Any, catalog: Any, server: Any) -> None:
    harvest.run("monitoring")
    with catalog.read() as session:
        obj = session.scalar(sa.select(HarvestObject).where(HarvestObject.remote_id == packages[2]["id"]))
        assert obj is not None
        assert obj.content and obj.content_hash and obj.dataset_id
    server.ckan["/ckan"] = []  # upstream is gone: remapping must not need it
    server.requests.clear()
    report = harvest.run("monitoring", remap=True)
    assert report["counts"]["updated"] == 30 and report["counts"]["withdrawn"] == 0
    assert server.requests == []
    assert harvest.records()[packages[2]["id"]]["title"] == packages[2]["title"]
