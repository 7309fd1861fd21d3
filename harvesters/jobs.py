"""Job lifecycle: claiming (one job per source, one worker per job), heartbeats, stuck jobs, reports."""

from __future__ import annotations

import logging
import os
import random
import socket
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from croniter import croniter
from sqlalchemy.orm import Session

from catalog import harvest_store
from catalog.models import HarvestJob, HarvestSource, utcnow
from catalog.service import Catalog

log = logging.getLogger(__name__)
DEFAULT_JOB_TIMEOUT = 1800.0  # seconds without a heartbeat before a running job counts as stuck


T = TypeVar("T")


def _transient(exc: sa.exc.DBAPIError) -> bool:
    text = str(exc.orig).lower()
    if isinstance(exc, sa.exc.OperationalError):
        return "locked" in text or "deadlock" in text
    # Two workers allocating the same resource code or creating the same theme group at once.
    return isinstance(exc, sa.exc.IntegrityError) and ("unique" in text or "duplicate key" in text)


def retry_locked(fn: Callable[[], T], attempts: int = 20) -> T:
    """Run a write transaction again after a conflict with another worker: SQLite's lock between
    processes (a read transaction cannot upgrade after another process wrote), or a unique value two
    workers allocated at once.  Each attempt starts from committed state, so a retry converges."""
    for attempt in range(attempts):
        try:
            return fn()
        except (sa.exc.OperationalError, sa.exc.IntegrityError) as exc:
            if not _transient(exc) or attempt == attempts - 1:
                raise
            time.sleep(min(0.05 * 2 ** attempt, 2.0) * (0.5 + random.random()))
    raise AssertionError("unreachable")


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(session: Session, job_id: str) -> None:
    job = session.get(HarvestJob, job_id)
    if job is not None:
        job.heartbeat = utcnow()


def claim(catalog: Catalog, job_id: str) -> tuple[HarvestJob, HarvestSource, bool] | None:
    """Take a queued job and its source's lock; None when the job is not ours to run."""
    return retry_locked(lambda: _claim(catalog, job_id))


def _claim(catalog: Catalog, job_id: str) -> tuple[HarvestJob, HarvestSource, bool] | None:
    allow = bool(catalog.config["ECODATA_HARVEST_ALLOW_PRIVATE"])
    with catalog.write() as session:
        job = harvest_store.get_job(session, job_id)
        if not harvest_store.claim_job(session, job_id, worker_id()):
            return None
        session.refresh(job)
        source = session.get(HarvestSource, job.source_id)
        assert source is not None
        _ = source.organization.name
        if not harvest_store.claim_source(session, source.id, job_id):
            harvest_store.fail_job(session, job, {
                "code": "harvest_source_busy",
                "message": f"采集来源 {source.name} 正有另一任务在运行（{source.current_job_id}），本任务未执行",
                "message_en": f"source {source.name} is busy with job {source.current_job_id}; not run"})
            return None
        return job, source, allow


def set_since(catalog: Catalog, job: HarvestJob) -> None:
    with catalog.write() as session:
        last = harvest_store.last_finished_job(session, job.source_id)
        row = session.get(HarvestJob, job.id)
        if last is not None and row is not None:
            row.since = job.since = last.started


def finish(catalog: Catalog, job_id: str, *, error: dict[str, Any] | None = None) -> None:
    notify, name = retry_locked(lambda: _finish(catalog, job_id, error))
    if error:
        from harvesters.notify import notify_failure

        notify_failure(catalog, name, job_id, error, notify)


def _finish(catalog: Catalog, job_id: str, error: dict[str, Any] | None) -> tuple[dict[str, Any], str]:
    with catalog.write() as session:
        job = harvest_store.get_job(session, job_id)
        job.counts = harvest_store.job_counts(session, job_id)
        job.total = sum(job.counts.values())
        if error:
            harvest_store.fail_job(session, job, error)
        else:
            job.status = "finished"
            job.finished = utcnow()
            harvest_store.release_source(session, job.source_id, job_id)
        source = session.get(HarvestSource, job.source_id)
        return (dict(source.notify or {}) if source else {}), (source.name if source else "")


def _process_alive(worker: str | None) -> bool:
    """False only when we can tell for sure: the worker ran on this host and its process is gone."""
    if not worker or ":" not in worker:
        return True
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def detect_stuck(catalog: Catalog, timeout: float | None = None) -> list[str]:
    """Mark running jobs failed when their worker died or their heartbeat is older than the timeout."""
    return retry_locked(lambda: _detect_stuck(catalog, timeout))


def _detect_stuck(catalog: Catalog, timeout: float | None) -> list[str]:
    failed = []
    with catalog.write() as session:
        for job in harvest_store.running_jobs(session):
            if job.status != "running":
                continue
            source = session.get(HarvestSource, job.source_id)
            limit = timeout or float((source.options or {}).get("job_timeout", DEFAULT_JOB_TIMEOUT)) \
                if source else DEFAULT_JOB_TIMEOUT
            stale = job.heartbeat is not None and job.heartbeat < harvest_store.stale_before(limit)
            if stale or not _process_alive(job.worker):
                why = "心跳超时" if stale else "执行进程已退出"
                harvest_store.fail_job(session, job, {
                    "code": "harvest_job_stuck",
                    "message": f"采集任务中断（{why}），已标记为失败；重新运行即可从中断处收敛",
                    "message_en": "job stopped responding (worker gone or heartbeat timed out); marked failed"})
                job.counts = harvest_store.job_counts(session, job.id)
                failed.append(job.id)
    return failed


def report(catalog: Catalog, job_id: str) -> dict[str, Any]:
    with catalog.read() as session:
        job = harvest_store.get_job(session, job_id)
        source = session.get(HarvestSource, job.source_id)
        counts = harvest_store.current_counts(session, job)
        errors = [{"remote_id": i.remote_id, "outcome": i.outcome,
                   "message": "；".join(p.get("message", "") for p in i.problems) or i.outcome,
                   "problems": i.problems} for i in harvest_store.job_errors(session, job_id)]
        return {
            "id": job.id, "source": source.name if source else None, "status": job.status,
            "dry_run": job.dry_run, "created": _iso(job.created), "started": _iso(job.started),
            "finished": _iso(job.finished), "since": _iso(job.since), "total": sum(counts.values()),
            "counts": counts, "errors": errors, "error": job.error,
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def due_sources(catalog: Catalog, when: datetime) -> list[str]:
    """Sources whose schedule fired since their last job was created and that have no job running."""
    due = []
    with catalog.read() as session:
        for source in harvest_store.list_sources(session):
            if not source.active or not source.schedule or source.current_job_id:
                continue
            jobs = harvest_store.list_jobs(session, [source.id], limit=1)
            last = jobs[0].created if jobs else source.created
            if croniter(source.schedule, last).get_next(datetime) <= when:
                due.append(source.name)
    return due
