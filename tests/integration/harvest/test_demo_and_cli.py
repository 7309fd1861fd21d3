"""The demo's sources (six departments, five source types) and the `ecodata harvest` command line."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from catalog import accounts
from catalog.service import Catalog
from portal.demo_sources import DEMO_ORGS, generate_packages, register_demo_sources, start_demo_sources


def test_demo_sources_harvest_six_departments_with_provenance(catalog: Catalog, harvest: Any) -> None:
    srv = start_demo_sources(catalog.config.home)
    try:
        reports = register_demo_sources(catalog, srv.url)
        again = register_demo_sources(catalog, srv.url)  # a second `make demo`: nothing changes
    finally:
        srv.stop()
    assert [r["status"] for r in reports] == ["finished"] * 6, [r["error"] for r in reports]
    assert all(r["counts"]["added"] >= 1 and not r["errors"] for r in reports), reports
    records = list(harvest.records().values())
    assert {r["organization"] for r in records} == set(DEMO_ORGS)
    assert {r["extras"]["harvest_source_type"] for r in records} == {"ckan", "dcat", "datapackage", "files", "sql"}
    hydro = [r for r in records if r["organization"] == "cq-swjczz"]
    assert len(hydro) == 4 and all(r["update_cycle"] == "每日" for r in hydro)
    assert all(r["extras"]["harvest_original"].startswith("/api/v1/harvest/objects/") for r in records)
    assert [r["counts"]["unchanged"] for r in again] == [r["counts"]["added"] for r in reports]


def _cli(env: dict[str, str], *args: str) -> Any:
    from portal.cli import main

    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_cli_add_run_json_report_and_exit_status(tmp_path: Path, server: Any) -> None:
    env = {"ECODATA_HOME": str(tmp_path / "home"), "ECODATA_SECRET_KEY": "test"}
    url = server.add_ckan("cli", generate_packages(12))
    assert _cli(env, "init").exit_code == 0

    from portal.cli import open_catalog

    old = dict(os.environ)
    os.environ.update(env)
    try:
        from portal.cli import open_catalog

        catalog = open_catalog()
        with catalog.write() as session:
            accounts.create_org(session, "cq-sthjjczx", "重庆市生态环境监测中心")
        catalog.close()
    finally:
        os.environ.clear()
        os.environ.update(old)
    added = _cli(env, "harvest", "add", "jczx", "--org", "cq-sthjjczx", "--type", "ckan", "--url", url,
                 "--allow-private", "--option", "rows=5", "--update-cycle", "每日")
    assert added.exit_code == 0, added.output
    run = _cli(env, "harvest", "run", "jczx", "--json")
    assert run.exit_code == 0
    report = json.loads(run.output)
    assert report["counts"] == {"added": 12, "updated": 0, "unchanged": 0, "withdrawn": 0, "invalid": 0, "failed": 0}
    assert report["errors"] == []
    shown = json.loads(_cli(env, "harvest", "report", report["id"], "--json").output)
    assert shown["counts"] == report["counts"]
    assert _cli(env, "harvest", "add", "dead", "--org", "cq-sthjjczx", "--type", "ckan", "--url",
                "http://127.0.0.1:9/", "--allow-private", "--option", "retries=0").exit_code == 0
    failed = _cli(env, "harvest", "run", "dead", "--json")
    assert failed.exit_code != 0 and json.loads(failed.output)["error"]["code"] == "harvest_connect_error"
    bad = _cli(env, "harvest", "add", "x1", "--org", "cq-sthjjczx", "--type", "ckan", "--url", url,
               "--option", "rows=99999")
    assert bad.exit_code == 1 and "options.rows" in bad.output
