"""Catalogue-side bookkeeping for harvesting: sources, jobs, items and kept remote records.

Pure database access; the harvest runner (``harvesters``) decides what to write.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .accounts import get_org
from .errors import Conflict, NotFound
from .models import HarvestItem, HarvestJob, HarvestObject, HarvestSource, utcnow

OUTCOMES = ("added", "updated", "unchanged", "withdrawn", "invalid", "failed")


def create_source(session: Session, *, name: str, org: str, type: str, url: str,
                  options: dict[str, Any] | None = None, defaults: dict[str, Any] | None = None,
                  schedule: str | None = None, allow_private: bool = False, title: str | None = None,
                  notify: dict[str, Any] | None = None) -> HarvestSource:
    if session.scalar(sa.select(HarvestSource.id).where(HarvestSource.name == name)):
        raise Conflict(f"采集来源“{name}”已存在", f"harvest source '{name}' already exists",
                       code="harvest_source_exists")
    source = HarvestSource(name=name, title=title, org_id=get_org(session, org).id, type=type, url=url,
                           options=options or {}, defaults=defaults or {}, schedule=schedule,
                           allow_private=allow_private, notify=notify or {})
    session.add(source)
    session.flush()
    return source


def get_org_id(session: Session, code: str) -> str:
    return get_org(session, code).id


def get_source(session: Session, name_or_id: str) -> HarvestSource:
    source = session.scalar(sa.select(HarvestSource).where(
        sa.or_(HarvestSource.name == name_or_id, HarvestSource.id == name_or_id)))
    if source is None:
        raise NotFound(f"采集来源不存在：{name_or_id}", f"harvest source not found: {name_or_id}")
    return source


def list_sources(session: Session, org_ids: list[str] | None = None) -> list[HarvestSource]:
    query = sa.select(HarvestSource).order_by(HarvestSource.name)
    if org_ids is not None:
        query = query.where(HarvestSource.org_id.in_(org_ids))
    return list(session.scalars(query))


def get_job(session: Session, job_id: str) -> HarvestJob:
    job = session.get(HarvestJob, job_id)
    if job is None:
        raise NotFound(f"采集任务不存在：{job_id}", f"harvest job not found: {job_id}")
    return job


def current_counts(session: Session, job: HarvestJob) -> dict[str, int]:
    """A job's outcome counts: kept on the job once it ended, counted from its items while it runs."""
    if job.status in ("finished", "failed") and job.counts:
        return dict(job.counts)
    return job_counts(session, job.id)


def count_jobs(session: Session, source_id: str) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(HarvestJob)
                          .where(HarvestJob.source_id == source_id)) or 0


def list_jobs(session: Session, source_ids: list[str] | None = None, limit: int = 50) -> list[HarvestJob]:
    query = sa.select(HarvestJob).order_by(HarvestJob.created.desc()).limit(limit)
    if source_ids is not None:
        query = query.where(HarvestJob.source_id.in_(source_ids))
    return list(session.scalars(query))


def last_finished_job(session: Session, source_id: str) -> HarvestJob | None:
    return session.scalar(sa.select(HarvestJob).where(
        HarvestJob.source_id == source_id, HarvestJob.status == "finished", HarvestJob.dry_run.is_(False),
    ).order_by(HarvestJob.started.desc()).limit(1))


def claim_source(session: Session, source_id: str, job_id: str) -> bool:
    """Take the source's lock for ``job_id``; False when another job holds it."""
    result = session.execute(sa.update(HarvestSource).where(
        HarvestSource.id == source_id,
        sa.or_(HarvestSource.current_job_id.is_(None), HarvestSource.current_job_id == job_id),
    ).values(current_job_id=job_id))
    return bool(getattr(result, "rowcount", 0))


def claim_job(session: Session, job_id: str, worker: str) -> bool:
    """Move a queued job to running for this worker; False when someone else already did."""
    now = utcnow()
    result = session.execute(sa.update(HarvestJob).where(
        HarvestJob.id == job_id, HarvestJob.status == "queued",
    ).values(status="running", worker=worker, started=now, heartbeat=now))
    return bool(getattr(result, "rowcount", 0))


def release_source(session: Session, source_id: str, job_id: str) -> None:
    session.execute(sa.update(HarvestSource).where(
        HarvestSource.id == source_id, HarvestSource.current_job_id == job_id).values(current_job_id=None))


def running_jobs(session: Session) -> list[HarvestJob]:
    return list(session.scalars(sa.select(HarvestJob).where(HarvestJob.status.in_(("running", "queued")))))


def fail_job(session: Session, job: HarvestJob, error: dict[str, Any]) -> None:
    job.status = "failed"
    job.finished = utcnow()
    job.error = error
    release_source(session, job.source_id, job.id)


def objects_for(session: Session, source_id: str, remote_ids: list[str]) -> dict[str, tuple[Any, ...]]:
    """remote id → (object id, content hash, dataset id, state, remote_modified), in one query."""
    if not remote_ids:
        return {}
    rows = session.execute(sa.select(
        HarvestObject.remote_id, HarvestObject.id, HarvestObject.content_hash, HarvestObject.dataset_id,
        HarvestObject.state, HarvestObject.remote_modified,
    ).where(HarvestObject.source_id == source_id, HarvestObject.remote_id.in_(remote_ids)))
    return {r[0]: tuple(r[1:]) for r in rows}


def current_objects(session: Session, source_id: str) -> list[tuple[str, str, str | None]]:
    """(object id, remote id, dataset id) of every record this source still has in the catalogue."""
    rows = session.execute(sa.select(HarvestObject.id, HarvestObject.remote_id, HarvestObject.dataset_id).where(
        HarvestObject.source_id == source_id, HarvestObject.state == "current"))
    return [tuple(r) for r in rows]  # type: ignore[misc]


def stored_records(session: Session, source_id: str) -> list[tuple[Any, ...]]:
    """(remote id, content, content type, url, modified) of every kept record still current."""
    rows = session.execute(sa.select(
        HarvestObject.remote_id, HarvestObject.content, HarvestObject.content_type, HarvestObject.remote_url,
        HarvestObject.remote_modified,
    ).where(HarvestObject.source_id == source_id, HarvestObject.state == "current").order_by(HarvestObject.remote_id))
    return [tuple(r) for r in rows]


def add_items(session: Session, job_id: str, items: list[dict[str, Any]]) -> None:
    """Insert per-record outcomes; a record a resumed job already reported keeps its first item."""
    if not items:
        return
    done = set(session.scalars(sa.select(HarvestItem.remote_id).where(
        HarvestItem.job_id == job_id, HarvestItem.remote_id.in_([i["remote_id"] for i in items]))))
    fresh = [{"job_id": job_id, **i} for i in items if i["remote_id"] not in done]
    if fresh:  # Core insert: one multi-row INSERT without the ORM's per-row bookkeeping
        session.execute(sa.insert(cast(sa.Table, HarvestItem.__table__)), fresh)


def job_counts(session: Session, job_id: str) -> dict[str, int]:
    rows = session.execute(sa.select(HarvestItem.outcome, sa.func.count()).where(
        HarvestItem.job_id == job_id).group_by(HarvestItem.outcome))
    counts = dict.fromkeys(OUTCOMES, 0)
    counts.update({k: int(v) for k, v in rows})
    return counts


def job_errors(session: Session, job_id: str, limit: int = 1000) -> list[HarvestItem]:
    return list(session.scalars(sa.select(HarvestItem).where(
        HarvestItem.job_id == job_id, HarvestItem.outcome.in_(("invalid", "failed")),
    ).order_by(HarvestItem.id).limit(limit)))


def stale_before(timeout: float) -> datetime:
    return utcnow() - timedelta(seconds=timeout)


def get_object(session: Session, object_id: str) -> HarvestObject:
    obj = session.get(HarvestObject, object_id)
    if obj is None:
        raise NotFound(f"采集原始记录不存在：{object_id}", f"harvest object not found: {object_id}")
    return obj
