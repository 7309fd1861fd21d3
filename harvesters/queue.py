"""Harvest jobs on RQ when ECODATA_REDIS_URL is set; in process otherwise.

The RQ job only carries the harvest job id.  Workers claim the harvest job atomically in the
database, so an id enqueued twice or picked by two workers is still run once, and a source's lock
keeps two jobs of the same source from working side by side.
"""

from __future__ import annotations

import time
from typing import Any

from catalog.service import Catalog
from catalog.settings import Config, load

QUEUE_NAME = "harvest"


def redis_connection(url: str) -> Any:
    from redis import Redis

    return Redis.from_url(url)


def enqueue(config: Config, job_id: str) -> None:
    from rq import Queue

    queue = Queue(QUEUE_NAME, connection=redis_connection(config["ECODATA_REDIS_URL"]))
    queue.enqueue("harvesters.queue.perform", job_id, job_id=f"harvest-{job_id}", job_timeout=-1,
                  result_ttl=86400, failure_ttl=7 * 86400)


def perform(job_id: str) -> dict[str, Any]:
    """The RQ entry point: open the catalogue from the worker's settings and run the job."""
    from harvesters.runner import run_job

    catalog = Catalog(load())
    catalog.start()
    try:
        return run_job(catalog, job_id)
    finally:
        catalog.close()


def submit(catalog: Catalog, job_id: str) -> dict[str, Any] | None:
    """Run now in process (no Redis) and return the report, or hand to RQ and return None."""
    if catalog.config["ECODATA_REDIS_URL"]:
        enqueue(catalog.config, job_id)
        return None
    from harvesters.runner import run_job

    return run_job(catalog, job_id)


def wait(catalog: Catalog, job_id: str, *, poll: float = 0.5, timeout: float | None = None) -> dict[str, Any]:
    """Wait for a queued job to finish or fail (used by `harvest run` in queue mode)."""
    from harvesters.jobs import detect_stuck, report

    deadline = time.monotonic() + timeout if timeout else None
    while True:
        current = report(catalog, job_id)
        if current["status"] in ("finished", "failed"):
            return current
        if deadline and time.monotonic() > deadline:
            return current
        detect_stuck(catalog)
        time.sleep(poll)


def work(config: Config, *, burst: bool = False, name: str | None = None) -> None:
    from rq import Worker

    worker = Worker([QUEUE_NAME], connection=redis_connection(config["ECODATA_REDIS_URL"]), name=name)
    worker.work(burst=burst, with_scheduler=False)
