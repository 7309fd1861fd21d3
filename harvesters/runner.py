"""The harvest runner: owns jobs, locks, paging, bookkeeping, withdrawals and failure handling.

A source type only lists, fetches and maps (``harvesters.base``).  One bad record never stops a job
(it becomes an ``invalid`` or ``failed`` item); one failing source never affects another (each job
works on its own source under that source's lock); a job whose worker died is detected and failed,
and the next job converges on the state a clean run gives because each page commits atomically.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from functools import partial
from itertools import islice
from typing import Any

from catalog import harvest_store
from catalog.errors import EcodataError
from catalog.models import HarvestJob, utcnow
from catalog.service import Catalog
from harvesters import jobs
from harvesters.base import RawRecord, RemoteRef, SourceConfig, SourceType
from harvesters.complete import fingerprint
from harvesters.http import HttpClient, client_for
from harvesters.pages import (
    PageResult,
    classify,
    dry_check,
    map_records,
    record_problem,
    withdraw,
    write_page,
)
from harvesters.registry import get_source_type
from harvesters.sources import source_config

log = logging.getLogger(__name__)
ProgressFn = Callable[[int, int | None], None]
DEFAULT_PAGE = 500


class JobRun:
    """State of one job while it runs in this process."""

    def __init__(self, catalog: Catalog, job: HarvestJob, source: SourceConfig, stype: SourceType,
                 http: HttpClient, *, force: bool, progress: ProgressFn | None) -> None:
        self.catalog = catalog
        self.job_id = job.id
        self.dry_run = job.dry_run
        self.since = job.since
        self.source = source
        self.stype = stype
        self.http = http
        self.force = force
        self.progress = progress
        self.fp = fingerprint(source)
        self.seen: set[str] = set()
        self.total: int | None = None

    def run(self, *, remap: bool = False) -> None:
        """Harvest the source; ``remap`` re-runs the mapping over the kept raw records instead of fetching."""
        self.total = self._count() if not remap else None
        listing = self._stored() if remap else self.stype.list_records(self.source, self.since, self.http)
        page_size = int(self.source.option("page_size", DEFAULT_PAGE))
        for page in _chunks(listing, page_size):
            self.process(page)
        if not self.since and not remap:
            self.withdraw_vanished()

    def _stored(self) -> Iterator[RawRecord]:
        with self.catalog.read() as session:
            rows = harvest_store.stored_records(session, self.source.id or "")
        for remote_id, content, content_type, url, modified in rows:
            yield RawRecord(remote_id, content, content_type, url, modified)

    def _count(self) -> int | None:
        count = getattr(self.stype, "count", None)
        if count is None:
            return None
        try:
            return int(count(self.source, self.since, self.http))
        except EcodataError:
            return None

    def process(self, page: list[RemoteRef | RawRecord]) -> None:
        page = [r for r in page if r.remote_id not in self.seen]
        page = list({r.remote_id: r for r in page}.values())
        self.seen.update(r.remote_id for r in page)
        fetched = PageResult()
        raws = self._fetch_all(page, fetched)
        try:
            jobs.retry_locked(lambda: self._write(raws, fetched, safe=False))
        except Exception:  # some record failed: redo the page record by record (savepoints)
            jobs.retry_locked(lambda: self._write(raws, fetched, safe=True))
        if self.progress:
            self.progress(len(self.seen), self.total)

    def _write(self, raws: list[RawRecord], fetched: PageResult, *, safe: bool) -> None:
        result = PageResult(list(fetched.items))
        with self.catalog.write() as session:
            # Write first: pysqlite opens its transaction only at the first DML statement, and a SAVEPOINT
            # issued before that would become the outer transaction and commit on release.
            jobs.beat(session, self.job_id)
            session.flush()
            pending = classify(session, self.source, self.fp, raws, force=self.force, result=result)
            ready = map_records(self.stype, self.source, pending, result)
            if self.dry_run:
                dry_check(ready, result)
            else:
                write_page(session, self.source, ready, result, safe=safe)
            harvest_store.add_items(session, self.job_id, result.items)
            jobs.beat(session, self.job_id)

    def _fetch_all(self, page: list[RemoteRef | RawRecord], result: PageResult) -> list[RawRecord]:
        refs = [r for r in page if isinstance(r, RemoteRef)]
        raws = [r for r in page if isinstance(r, RawRecord)]
        if not refs:
            return raws
        with self.catalog.read() as session:
            known = harvest_store.objects_for(session, self.source.id or "", [r.remote_id for r in refs])
        for ref in refs:
            obj = known.get(ref.remote_id)
            if obj and not self.force and _same_time(obj[4], ref.modified) and obj[3] == "current" and obj[2]:
                result.add(ref.remote_id, "unchanged", obj[2])
                continue
            try:
                raws.append(self.stype.fetch(self.source, ref, self.http))
            except Exception as exc:  # one unreachable record must not stop the job
                result.add(ref.remote_id, "failed", obj[2] if obj else None, [record_problem(ref.remote_id, exc)])
        return raws

    def withdraw_vanished(self) -> None:
        with self.catalog.read() as session:
            current = harvest_store.current_objects(session, self.source.id or "")
        gone = [o for o in current if o[1] not in self.seen]
        for start in range(0, len(gone), DEFAULT_PAGE):
            chunk = gone[start:start + DEFAULT_PAGE]
            jobs.retry_locked(partial(self._withdraw, chunk, PageResult()))

    def _withdraw(self, objects: list[tuple[str, str, str | None]], result: PageResult) -> None:
        result.items.clear()
        with self.catalog.write() as session:
            withdraw(session, objects, result, self.dry_run)
            harvest_store.add_items(session, self.job_id, result.items)
            jobs.beat(session, self.job_id)


def _same_time(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return False
    return _utc(a) == _utc(b)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def queue_job(catalog: Catalog, source_name: str, *, dry_run: bool = False) -> str:
    """Create a queued job for a source (the caller runs it in process or hands it to a worker)."""
    with catalog.write() as session:
        source = harvest_store.get_source(session, source_name)
        job = HarvestJob(source_id=source.id, dry_run=dry_run, status="queued")
        session.add(job)
        session.flush()
        return job.id


def run_job(catalog: Catalog, job_id: str, *, progress: ProgressFn | None = None, force: bool = False,
            http: HttpClient | None = None, remap: bool = False) -> dict[str, Any]:
    """Run a queued job to the end; returns its report.  Safe to call twice (the second is a no-op)."""
    jobs.detect_stuck(catalog)
    claimed = jobs.claim(catalog, job_id)
    if claimed is None:
        return jobs.report(catalog, job_id)
    job, source, allow_private = claimed
    try:
        stype = get_source_type(source.type)
        config = source_config(source, allow_private=allow_private)
        client = http or client_for(config)
        if source.options.get("incremental") and not job.dry_run:
            jobs.set_since(catalog, job)
        JobRun(catalog, job, config, stype, client, force=force or remap, progress=progress).run(remap=remap)
    except Exception as exc:  # the source as a whole failed: record it, never raise into the caller
        log.warning("harvest job %s of %s failed: %s", job_id, source.name, exc)
        jobs.finish(catalog, job_id, error=_source_problem(source.name, exc))
    else:
        jobs.finish(catalog, job_id)
    return jobs.report(catalog, job_id)


def _source_problem(source_name: str, exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, EcodataError):
        return {"code": exc.code, "message": f"采集来源 {source_name}：{exc.message}",
                "message_en": f"source {source_name}: {exc.message_en or exc.message}"}
    return {"code": "harvest_error", "message": f"采集来源 {source_name} 采集失败：{exc}",
            "message_en": f"source {source_name} failed: {type(exc).__name__}: {exc}"}


def run_source(catalog: Catalog, source_name: str, *, dry_run: bool = False, force: bool = False,
               remap: bool = False, progress: ProgressFn | None = None,
               http: HttpClient | None = None) -> dict[str, Any]:
    """Queue and run one job to the end in this process; ``remap`` maps the kept raw records again."""
    job_id = queue_job(catalog, source_name, dry_run=dry_run)
    return run_job(catalog, job_id, progress=progress, force=force, http=http, remap=remap)


def run_at(catalog: Catalog, when: datetime | None = None) -> list[str]:
    """Names of sources whose cron schedule is due at ``when`` (now by default)."""
    return jobs.due_sources(catalog, when or utcnow())
