"""One page of remote records: classify by content hash, map what changed, write it in one transaction.

Unchanged records cost one bulk hash lookup per page and never load their datasets.  Everything a
page does (datasets, kept raw records, items) commits together, so a job killed halfway leaves
either the whole page done or none of it, and a re-run converges on what a clean run gives.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog import datasets, harvest_store, profile
from catalog.authz import Actor
from catalog.errors import EcodataError, Location, Problem, ValidationFailed
from catalog.models import Dataset, HarvestObject, new_id, utcnow
from harvesters.base import MappedRecord, RawRecord, SourceConfig, SourceType
from harvesters.complete import clash_name, complete, content_hash

SYSTEM = Actor(name="system", sysadmin=True)


@dataclass
class Pending:
    """A changed record on its way to the catalogue."""

    raw: RawRecord
    hash: str
    object_id: str | None
    dataset_id: str | None
    record: dict[str, Any] = field(default_factory=dict)


@dataclass
class PageResult:
    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, remote_id: str, outcome: str, dataset_id: str | None = None,
            problems: list[Problem] | None = None) -> None:
        self.items.append({"remote_id": remote_id[:500], "outcome": outcome, "dataset_id": dataset_id,
                           "problems": [p.as_dict() for p in problems or []]})


def record_problem(remote_id: str, exc: BaseException) -> Problem:
    if isinstance(exc, EcodataError):
        return Problem(exc.code, f"记录 {remote_id}：{exc.message}", f"record {remote_id}: {exc.message_en}",
                       Location(record=remote_id))
    return Problem("harvest_mapping_error", f"记录 {remote_id} 无法转换：{exc}",
                   f"record {remote_id} could not be mapped: {type(exc).__name__}: {exc}",
                   Location(record=remote_id))


def classify(session: Session, source: SourceConfig, fp: bytes, raws: list[RawRecord], *,
             force: bool, result: PageResult) -> list[Pending]:
    """Split a page into unchanged (reported) and changed (returned) records with one query."""
    known = harvest_store.objects_for(session, source.id or "", [r.remote_id for r in raws])
    orphans = _orphan_datasets(session, source, [r.remote_id for r in raws if r.remote_id not in known])
    pending = []
    for raw in raws:
        digest = content_hash(fp, raw)
        obj = known.get(raw.remote_id)
        if obj and not force and obj[1] == digest and obj[3] == "current" and obj[2]:
            result.add(raw.remote_id, "unchanged", obj[2])
            continue
        object_id, dataset_id = (obj[0], obj[2]) if obj else (None, orphans.get(raw.remote_id))
        pending.append(Pending(raw, digest, object_id, dataset_id))
    return pending


def _orphan_datasets(session: Session, source: SourceConfig, remote_ids: list[str]) -> dict[str, str]:
    """Datasets this source made whose kept record is gone (e.g. objects purged): reuse, never duplicate."""
    if not remote_ids:
        return {}
    rows = session.execute(sa.select(Dataset.harvest_remote_id, Dataset.id).where(
        Dataset.harvest_source_id == source.id, Dataset.harvest_remote_id.in_(remote_ids)))
    return {str(r[0]): str(r[1]) for r in rows}


def map_records(stype: SourceType, source: SourceConfig, pending: list[Pending],
                result: PageResult) -> list[Pending]:
    """Run the pure mapping; records with mapping problems are reported invalid and dropped."""
    now = utcnow()
    ready = []
    for item in pending:
        try:
            mapped: MappedRecord = stype.to_record(item.raw, source)
        except Exception as exc:  # a mapping bug or unparsable record must not stop the job
            result.add(item.raw.remote_id, "invalid", item.dataset_id, [record_problem(item.raw.remote_id, exc)])
            continue
        if mapped.problems:
            result.add(item.raw.remote_id, "invalid", item.dataset_id, mapped.problems)
            continue
        item.object_id = item.object_id or new_id()
        item.record = complete(mapped.record, source, item.raw, item.object_id, now)
        ready.append(item)
    return ready


def _located(remote_id: str, problems: list[Problem]) -> list[Problem]:
    return [Problem(p.code, p.message, p.message_en,
                    Location(record=remote_id, row=p.location.row, field=p.location.field,
                             file=p.location.file, line=p.location.line)) for p in problems]


def dry_check(pending: list[Pending], result: PageResult) -> None:
    """What a write would do, without writing."""
    for item in pending:
        record = profile.normalize_record({"classification_code": datasets.DEFAULT_CLASSIFICATION,
                                           **item.record})
        problems = profile.validate_record(record)
        if problems:
            result.add(item.raw.remote_id, "invalid", item.dataset_id, _located(item.raw.remote_id, problems))
        else:
            result.add(item.raw.remote_id, "updated" if item.dataset_id else "added", item.dataset_id)


class CodeAllocator:
    """Resource codes for new datasets, one scan per classification per page instead of per record."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.next: dict[str, int] = {}

    def assign(self, record: dict[str, Any]) -> None:
        if record.get("resource_code"):
            return
        cls = record.get("classification_code") or datasets.DEFAULT_CLASSIFICATION
        if cls not in self.next:
            prefix = f"{cls}/"
            codes = self.session.scalars(sa.select(Dataset.resource_code).where(
                Dataset.resource_code.like(f"{prefix}%")))
            self.next[cls] = 1 + max((int(c[len(prefix):]) for c in codes
                                      if c and c[len(prefix):].isdigit()), default=0)
        record["resource_code"] = profile.generate_resource_code(cls, self.next[cls])
        self.next[cls] += 1


def _free_names(session: Session, pending: list[Pending], source: SourceConfig) -> None:
    """New datasets whose name is taken (by another source or earlier in the page) get a stable suffix."""
    new = [p for p in pending if not p.dataset_id]
    taken = set(session.scalars(sa.select(Dataset.name).where(Dataset.name.in_([p.record["name"] for p in new]))))
    for item in new:
        if item.record["name"] in taken:
            item.record["name"] = clash_name(source, item.raw.remote_id, item.record["name"])
        taken.add(item.record["name"])


def write_page(session: Session, source: SourceConfig, pending: list[Pending], result: PageResult, *,
               safe: bool = True) -> None:
    """Upsert every pending record, reported in page order.  ``safe=False`` creates each run of new
    datasets as one batch (a record the catalogue rejects is reported invalid and writes nothing) and
    skips the per-record savepoints; any other error escapes and the caller redoes the page with
    ``safe=True``, record by record, so one bad record stays one."""
    _free_names(session, pending, source)
    codes = CodeAllocator(session)
    existing = _load_datasets(session, pending)
    objects = _load_objects(session, pending)
    if not safe:
        _write_batched(session, source, pending, result, codes, existing, objects)
        return
    for item in pending:
        try:
            with session.begin_nested():
                outcome, ds_id = _upsert(session, source, item, codes)
                _keep_raw(session, source, item, ds_id, objects)
        except EcodataError as exc:
            _report_rejected(result, item, exc)
            continue
        result.add(item.raw.remote_id, outcome, ds_id)


def _report_rejected(result: PageResult, item: Pending, exc: EcodataError) -> None:
    """A record the catalogue would not take: invalid when its content is at fault, failed otherwise."""
    remote_id = item.raw.remote_id
    if isinstance(exc, ValidationFailed):
        result.add(remote_id, "invalid", item.dataset_id, _located(remote_id, exc.problems))
    else:
        result.add(remote_id, "failed", item.dataset_id, [record_problem(remote_id, exc)])


def _load_datasets(session: Session, pending: list[Pending]) -> set[str]:
    """Ids of the page's datasets that exist, loaded in one query (later lookups hit the identity map)."""
    ids = sorted({p.dataset_id for p in pending if p.dataset_id})
    return {ds.id for ds in session.scalars(sa.select(Dataset).where(Dataset.id.in_(ids)))} if ids else set()


def _load_objects(session: Session, pending: list[Pending]) -> dict[str, HarvestObject]:
    """The page's kept raw records that exist, by id, in one query."""
    ids = sorted({p.object_id for p in pending if p.object_id})
    if not ids:
        return {}
    return {o.id: o for o in session.scalars(sa.select(HarvestObject).where(HarvestObject.id.in_(ids)))}


def _write_batched(session: Session, source: SourceConfig, pending: list[Pending], result: PageResult,
                   codes: CodeAllocator, existing: set[str], objects: dict[str, HarvestObject]) -> None:
    run: list[Pending] = []
    for item in pending:
        if item.dataset_id not in existing:
            run.append(item)
            continue
        _create_run(session, source, run, result, codes, objects)
        run = []
        outcome, ds_id = _upsert(session, source, item, codes)
        _keep_raw(session, source, item, ds_id, objects)
        result.add(item.raw.remote_id, outcome, ds_id)
    _create_run(session, source, run, result, codes, objects)


def _create_run(session: Session, source: SourceConfig, run: list[Pending], result: PageResult,
                codes: CodeAllocator, objects: dict[str, HarvestObject]) -> None:
    """New datasets for consecutive records of a page, created as one batch."""
    if not run:
        return
    outcomes: dict[int, str | EcodataError] = {}
    for index, item in enumerate(run):
        try:
            codes.assign(item.record)
        except EcodataError as exc:  # e.g. a malformed classification code
            outcomes[index] = exc
    ready = [i for i in range(len(run)) if i not in outcomes]
    created = datasets.create_many(session, SYSTEM, [run[i].record for i in ready],
                                   harvest=[(source.id or "", run[i].raw.remote_id) for i in ready])
    outcomes.update(zip(ready, created, strict=True))
    new_objects: list[dict[str, Any]] = []
    for index, item in enumerate(run):
        outcome = outcomes[index]
        if isinstance(outcome, EcodataError):
            _report_rejected(result, item, outcome)
            continue
        if item.object_id in objects:
            _keep_raw(session, source, item, outcome, objects)
        else:
            new_objects.append({"id": item.object_id or new_id(), **_raw_columns(source, item, outcome)})
        result.add(item.raw.remote_id, "added", outcome)
    if new_objects:  # one multi-row INSERT instead of an ORM object each
        session.execute(sa.insert(cast(sa.Table, HarvestObject.__table__)), new_objects)


def _upsert(session: Session, source: SourceConfig, item: Pending, codes: CodeAllocator) -> tuple[str, str]:
    ds = session.get(Dataset, item.dataset_id) if item.dataset_id else None
    if ds is None:
        codes.assign(item.record)
        ds = datasets.create(session, SYSTEM, item.record, harvest=(source.id or "", item.raw.remote_id))
        return "added", ds.id
    record = {k: v for k, v in item.record.items() if k != "name"}
    datasets.update(session, SYSTEM, ds.id, record)
    return "updated", ds.id


def _keep_raw(session: Session, source: SourceConfig, item: Pending, dataset_id: str,
              objects: dict[str, HarvestObject]) -> None:
    obj = objects.get(item.object_id) if item.object_id else None
    if obj is None:
        obj = HarvestObject(id=item.object_id or new_id())
        session.add(obj)
    for column, value in _raw_columns(source, item, dataset_id).items():
        setattr(obj, column, value)


def _raw_columns(source: SourceConfig, item: Pending, dataset_id: str) -> dict[str, Any]:
    return {"source_id": source.id, "remote_id": item.raw.remote_id, "remote_url": item.raw.url,
            "remote_modified": item.raw.modified, "content": item.raw.content,
            "content_type": item.raw.content_type[:100], "content_hash": item.hash, "dataset_id": dataset_id,
            "state": "current", "harvested_at": utcnow()}


def withdraw(session: Session, objects: list[tuple[str, str, str | None]], result: PageResult,
             dry_run: bool) -> None:
    """Withdraw datasets whose records vanished upstream; history stays, the dataset is never deleted."""
    by_ds: dict[str, list[str]] = defaultdict(list)
    for object_id, remote_id, dataset_id in objects:
        if not dry_run:
            obj = session.get(HarvestObject, object_id)
            if obj is not None:
                obj.state = "withdrawn"
            ds = session.get(Dataset, dataset_id) if dataset_id else None
            if ds is not None and ds.state not in ("withdrawn", "deleted"):
                datasets.set_state(session, SYSTEM, ds, "withdrawn", "withdrawn package")
        by_ds[remote_id].append(dataset_id or "")
        result.add(remote_id, "withdrawn", dataset_id)
