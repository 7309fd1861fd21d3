"""Jobs through RQ on the real Redis: two `ecodata worker` processes, three sources, one job handed to
RQ twice; every record is done exactly once."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from catalog import accounts
from catalog.models import Activity, Dataset, HarvestItem
from catalog.service import Catalog
from catalog.settings import load
from harvesters import jobs, queue
from harvesters.runner import queue_job
from harvesters.sources import add_source
from portal.demo_sources import generate_packages

ROOT = Path(__file__).resolve().parents[3]
PER_SOURCE = 150


@pytest.fixture
def redis_url() -> str:
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    from tests.conftest import need

    url = load()["ECODATA_TEST_REDIS_URL"]
    conn = Redis.from_url(url)
    try:
        conn.ping()
    except RedisDown as exc:
        need(False, f"Redis at {url} is unavailable: {exc}")
    conn.flushdb()
    conn.close()
    return str(url)


@pytest.mark.timeout(900)
def test_workers_share_jobs_without_doing_a_record_twice(tmp_path: Path, server: Any, redis_url: str) -> None:
    home = tmp_path / "home"
    config = load({}, ECODATA_HOME=str(home), ECODATA_REDIS_URL=redis_url, ECODATA_SECRET_KEY="test")
    catalog = Catalog(config)
    catalog.start()
    names = ["jczx", "wq", "noise"]
    with catalog.write() as session:
        accounts.create_org(session, "cq-jczx", "重庆市生态环境监测中心")
        for i, name in enumerate(names):
            pkgs = [dict(p, id=f"{name}-{p['id']}", name=f"{name}-{p['name']}")
                    for p in generate_packages(PER_SOURCE, org="cq-jczx")]
            add_source(session, name=name, org="cq-jczx", type="ckan", url=server.add_ckan(f"c{i}", pkgs),
                       allow_private=True, options={"rows": 50, "page_size": 50})
    job_ids = [queue_job(catalog, name) for name in names]
    for job_id in job_ids:
        queue.enqueue(config, job_id)
    from rq import Queue

    Queue(queue.QUEUE_NAME, connection=queue.redis_connection(redis_url)).enqueue(
        "harvesters.queue.perform", job_ids[0], job_id="the-same-harvest-job-again")

    env = {k: v for k, v in os.environ.items() if not k.startswith("ECODATA_")}
    env.update(ECODATA_HOME=str(home), ECODATA_REDIS_URL=redis_url, ECODATA_SECRET_KEY="test", PYTHONPATH=str(ROOT))
    workers = [subprocess.Popen([str(ROOT / ".venv/bin/ecodata"), "worker", "--burst", "--name", f"w{i}-{os.getpid()}"],
                                env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
               for i in range(2)]
    for w in workers:
        out, _ = w.communicate(timeout=800)
        assert w.returncode == 0, out.decode(errors="replace")[-3000:]

    reports = [jobs.report(catalog, job_id) for job_id in job_ids]
    assert [r["status"] for r in reports] == ["finished"] * 3, [r["error"] for r in reports]
    assert [r["counts"]["added"] for r in reports] == [PER_SOURCE] * 3, [(r["counts"], r["errors"][:2]) for r in reports]
    with catalog.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Dataset)) == 3 * PER_SOURCE
        created = session.scalar(sa.select(sa.func.count()).select_from(Activity)
                                 .where(Activity.activity_type == "new package"))
        items = session.scalar(sa.select(sa.func.count()).select_from(HarvestItem))
    assert created == 3 * PER_SOURCE and items == 3 * PER_SOURCE
    catalog.close()
