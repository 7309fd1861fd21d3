"""A worker killed (SIGKILL) halfway through a 5,000-record job; running it again leaves the catalogue
exactly as a clean run does.  Real processes, a real CKAN-style server, a real kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from catalog.service import Catalog
from catalog.settings import load
from portal.demo_sources import THEME_MAP, generate_packages

ROOT = Path(__file__).resolve().parents[3]
ECODATA = [sys.executable, "-m", "portal.cli"] if not (ROOT / ".venv/bin/ecodata").exists() \
    else [str(ROOT / ".venv/bin/ecodata")]
N = 5000


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECODATA_")}
    env.update(ECODATA_HOME=str(home), ECODATA_SECRET_KEY="test", PYTHONPATH=str(ROOT))
    return env


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ECODATA, *args], env=_env(home), cwd=ROOT, capture_output=True, text=True,
                          timeout=900, check=False)


def _prepare(home: Path, url: str) -> None:
    assert _cli(home, "init").returncode == 0
    with_org = subprocess.run([sys.executable, "-c", (
        "from portal.cli import open_catalog\nfrom catalog import accounts\nc = open_catalog()\n"
        "with c.write() as s:\n    accounts.create_org(s, 'cq-jczx', '重庆市生态环境监测中心')\n")],
        env=_env(home), cwd=ROOT, capture_output=True, text=True, check=False)
    assert with_org.returncode == 0, with_org.stderr
    added = _cli(home, "harvest", "add", "big", "--org", "cq-jczx", "--type", "ckan", "--url", url,
                 "--allow-private", "--option", "page_size=100", "--option", "rows=250",
                 "--option", f"theme_map={json.dumps(THEME_MAP, ensure_ascii=False)}")
    assert added.returncode == 0, added.stderr


def _count(home: Path) -> int:
    engine = sa.create_engine(f"sqlite:///{home / 'ecodata.db'}")
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM datasets")).scalar_one())
    except sa.exc.OperationalError:
        return 0
    finally:
        engine.dispose()


def _snapshot(home: Path, take: Any) -> dict[str, Any]:
    catalog = Catalog(load({}, ECODATA_HOME=str(home), ECODATA_SECRET_KEY="test"))
    try:
        return take(catalog)
    finally:
        catalog.close()


@pytest.mark.timeout(1800)
def test_killed_job_rerun_equals_clean_run(tmp_path: Path, server: Any, snapshot: Any) -> None:
    url = server.add_ckan("big", generate_packages(N))
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    _prepare(killed, url)
    _prepare(clean, url)

    proc = subprocess.Popen([*ECODATA, "harvest", "run", "big", "--json"], env=_env(killed), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while _count(killed) < N // 5 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert proc.poll() is None, "the job ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    halfway = _count(killed)
    assert 0 < halfway < N

    rerun = _cli(killed, "harvest", "run", "big", "--json")
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads(rerun.stdout)
    assert report["counts"]["added"] == N - halfway
    assert report["counts"]["unchanged"] == halfway
    jobs = json.loads(_cli(killed, "harvest", "jobs", "--json").stdout)
    assert sorted(j["status"] for j in jobs) == ["failed", "finished"]

    assert _cli(clean, "harvest", "run", "big", "--json").returncode == 0
    assert _snapshot(killed, snapshot) == _snapshot(clean, snapshot)
    assert len(_snapshot(clean, snapshot)["datasets"]) == N
