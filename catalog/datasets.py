"""Dataset operations: create, update, patch, delete, show, list.

Each function works inside the caller's session (one unit of work) and records the
change in the activity history and the change sequence that drives search indexing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import audit, profile
from .accounts import get_org
from .authz import Actor, can_read, require_write
from .errors import EcodataError, NotFound, Problem, ValidationFailed
from .errors import Location as Loc
from .models import Activity, CatalogChange, Dataset, Group, Organization, Resource, new_id, utcnow
from .records import NewRows, apply_record, dataset_record, stored_search_document
from .search.tantivy_schema import analysis_stamp, stored_json

__all__ = ["create", "create_many", "update", "delete", "show", "get_dataset", "get_visible", "dataset_record"]

DEFAULT_CLASSIFICATION = "216001"  # 主题类 / 生态环保 / 生态环境监测


def get_dataset(session: Session, name_or_id: str) -> Dataset:
    ds = session.scalar(sa.select(Dataset).where(sa.or_(Dataset.id == name_or_id, Dataset.name == name_or_id)))
    if ds is None:
        raise NotFound(f"数据集不存在：{name_or_id}", f"Dataset not found: {name_or_id}")
    return ds


def get_visible(session: Session, actor: Actor, name_or_id: str) -> Dataset:
    """A dataset the actor may see; anything else is reported as not found, never as forbidden."""
    ds = get_dataset(session, name_or_id)
    if ds.state == "deleted" and not actor.sysadmin:
        raise NotFound(f"数据集不存在：{name_or_id}", f"Dataset not found: {name_or_id}")
    if not can_read(actor, ds):
        raise NotFound(f"数据集不存在：{name_or_id}", f"Dataset not found: {name_or_id}")
    return ds


def show(session: Session, actor: Actor, name_or_id: str) -> dict[str, Any]:
    return dataset_record(get_visible(session, actor, name_or_id))


def fill_record_cache(session: Session, batch: int = 500) -> int:
    """Cache the record of datasets written before the cache existed; returns how many."""
    done = 0
    while True:
        rows = list(session.scalars(sa.select(Dataset).where(Dataset.cached_record.is_(None)).limit(batch)))
        for ds in rows:
            ds.cached_record = dataset_record(ds)
        session.flush()
        done += len(rows)
        if len(rows) < batch:
            return done


def cached_records(session: Session, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Records of the given datasets in the given order, from the cache kept at every write."""
    rows: dict[str, Any] = dict(session.execute(sa.select(Dataset.id, Dataset.cached_record).where(Dataset.id.in_(ids))).all())
    missing = [i for i in ids if i in rows and rows[i] is None]
    if missing:  # written before the cache existed
        for ds in session.scalars(sa.select(Dataset).where(Dataset.id.in_(missing))):
            rows[ds.id] = dataset_record(ds)
    return [rows[i] for i in ids if rows.get(i) is not None]


def record_change(session: Session, ds: Dataset, actor: Actor, activity: str,
                  before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    ds.cached_record = after if after is not None else dataset_record(ds)
    _store_search_document(ds)
    session.add(CatalogChange(dataset_id=ds.id))
    session.add(Activity(user_id=actor.user_id, object_type="dataset", object_id=ds.id,
                         activity_type=activity, before=before, after=after))
    audit.record_dataset_change(session, ds, actor, activity, after)


def _store_search_document(ds: Dataset) -> None:
    """Keep the analysed index document beside the row, so a full rebuild need not analyse again."""
    if ds.state == "deleted":
        ds.search_doc = ds.search_doc_version = None
    else:
        ds.search_doc, ds.search_doc_version = stored_json(stored_search_document(ds)), analysis_stamp()


def _validated(record: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    if not record.get("resource_code") and not record.get("classification_code"):
        record = {**record, "classification_code": DEFAULT_CLASSIFICATION}
    record = profile.normalize_record(record)
    problems = profile.validate_record(record, partial=partial)
    if problems:
        raise ValidationFailed("元数据校验未通过，请按提示修改后重新提交",
                               "Metadata validation failed", problems=problems)
    return record


def _resolve_org(session: Session, code: str) -> Organization:
    try:
        return get_org(session, code)
    except NotFound:
        raise ValidationFailed("提供方部门不存在", "Unknown organization", problems=[Problem(
            "unknown_organization", f"提供方部门“{code}”不存在", f"Organization '{code}' does not exist",
            Loc(field="organization"))]) from None


_IDENTIFIERS = (("name", "名称（URL）"), ("resource_code", "信息资源代码"))


def _require_unique(record: dict[str, Any], in_use: Callable[[str, str], bool]) -> None:
    """Raise when the record's name or resource code is ``in_use`` (key, value) by another dataset."""
    problems = [Problem("duplicate", f"{label}“{record[key]}”已被其他数据集使用",
                        f"{key} '{record[key]}' is already in use", Loc(field=key))
                for key, label in _IDENTIFIERS if record.get(key) and in_use(key, record[key])]
    if problems:
        raise ValidationFailed("名称或代码重复", "Duplicate identifier", problems=problems)


def _check_unique(session: Session, ds_id: str | None, record: dict[str, Any]) -> None:
    def in_use(key: str, value: str) -> bool:
        column = getattr(Dataset, key)
        return session.scalar(sa.select(Dataset.id).where(column == value, Dataset.id != (ds_id or ""))) is not None

    _require_unique(record, in_use)


def _next_resource_code(session: Session, classification: str) -> str:
    """The next free 顺序码 in a classification (a range scan on the unique index, not a table scan)."""
    prefix = f"{classification}/"
    top = session.scalar(sa.select(sa.func.max(Dataset.resource_code)).where(
        Dataset.resource_code >= prefix, Dataset.resource_code < prefix + "\uffff"))
    tail = top[len(prefix):] if top else ""
    seq = int(tail) + 1 if tail.isdigit() else 1
    code = profile.generate_resource_code(classification, seq)
    while session.scalar(sa.select(Dataset.id).where(Dataset.resource_code == code)):
        seq += 1
        code = profile.generate_resource_code(classification, seq)
    return code


class _NewBatch:
    """What a batch of new datasets has claimed so far, so that each record is checked against the
    catalogue (one query per kind of identifier) and against the records before it in the batch."""

    def __init__(self, session: Session, records: Sequence[dict[str, Any]]) -> None:
        self.session = session
        self.taken: dict[str, set[str]] = {key: _in_catalogue(session, getattr(Dataset, key), [
            r[key] for r in records if r.get(key)]) for key, _ in _IDENTIFIERS}
        self.resource_ids = _in_catalogue(session, Resource.id, [
            res["id"] for r in records for res in r.get("resources") or [] if res.get("id")])
        self.last_code: dict[str, int] = {}
        themes = sorted({slug for r in records for slug in r.get("themes") or []})
        self.rows = NewRows(groups={g.name: g for g in session.scalars(
            sa.select(Group).where(Group.name.in_(themes)))} if themes else {})

    def claim(self, record: dict[str, Any]) -> None:
        """Check the record's identifiers, give it a resource code and fresh resource ids, and claim
        them; a duplicate raises ValidationFailed and claims nothing."""
        _require_unique(record, lambda key, value: value in self.taken[key])
        if not record.get("resource_code"):
            record["resource_code"] = self._next_code(record.get("classification_code") or DEFAULT_CLASSIFICATION)
        for key, _ in _IDENTIFIERS:
            if record.get(key):
                self.taken[key].add(record[key])
        # A copied record (package_show output sent back) keeps its resources, under new ids; every
        # resource gets its id now so that the record written to history is the one stored.
        for res in record.get("resources") or []:
            if not res.get("id") or res["id"] in self.resource_ids:
                res["id"] = new_id()
            self.resource_ids.add(res["id"])

    def _next_code(self, classification: str) -> str:
        if classification not in self.last_code:
            code = _next_resource_code(self.session, classification)
            while code in self.taken["resource_code"]:
                code = self._code_after(classification, code)
        else:
            code = self._code_after(classification, profile.generate_resource_code(
                classification, self.last_code[classification]))
        self.last_code[classification] = int(code.rpartition("/")[2])
        return code

    def _code_after(self, classification: str, code: str) -> str:
        seq = int(code.rpartition("/")[2])
        while True:
            seq += 1
            code = profile.generate_resource_code(classification, seq)
            if code not in self.taken["resource_code"] and not self.session.scalar(
                    sa.select(Dataset.id).where(Dataset.resource_code == code)):
                return code


def _in_catalogue(session: Session, column: Any, values: list[str]) -> set[str]:
    return set(session.scalars(sa.select(column).where(column.in_(sorted(set(values)))))) if values else set()


def _checked_records(session: Session, actor: Actor, records: Sequence[dict[str, Any]]) \
        -> list[tuple[dict[str, Any], Organization] | EcodataError]:
    """Each record validated against the profile and its organization resolved (once per organization)."""
    orgs: dict[str, Organization | EcodataError] = {}

    def org_of(code: str) -> Organization | EcodataError:
        if code not in orgs:
            try:
                orgs[code] = _resolve_org(session, code)
            except EcodataError as exc:
                orgs[code] = exc
        return orgs[code]

    out: list[tuple[dict[str, Any], Organization] | EcodataError] = []
    for raw in records:
        try:
            # Permission first, as CKAN checks it: someone who may not write to the department
            # learns that, not what is wrong with the record.
            named = org_of(raw["organization"]) if isinstance(raw.get("organization"), str) else None
            if isinstance(named, Organization):
                require_write(actor, named.id, named.name)
            record = _validated(raw)
            org = org_of(record["organization"])
            if isinstance(org, EcodataError):
                raise org
            require_write(actor, org.id, org.name)
        except EcodataError as exc:
            out.append(exc)
            continue
        out.append((record, org))
    return out


def create_many(session: Session, actor: Actor, records: Sequence[dict[str, Any]], *,
                harvest: Sequence[tuple[str, str] | None] | None = None) -> list[str | EcodataError]:
    """Create datasets in order, as one multi-row INSERT per table: organizations resolved once, names
    and codes checked with one query each, the audit chain carried on in memory.  Each record stands
    alone: one that fails validation, permission or uniqueness comes back as its error and writes
    nothing; every other one is created, with its activity, change-sequence and audit entries, and
    comes back as its id.  ``harvest``: per record, the (source id, remote id) it came from."""
    origins = list(harvest) if harvest is not None else [None] * len(records)
    checked = _checked_records(session, actor, records)
    batch = _NewBatch(session, [c[0] for c in checked if not isinstance(c, EcodataError)])
    out: list[str | EcodataError] = []
    for item, origin in zip(checked, origins, strict=True):
        if isinstance(item, EcodataError):
            out.append(item)
            continue
        record, org = item
        try:
            batch.claim(record)
        except EcodataError as exc:
            out.append(exc)
            continue
        out.append(_add_new(session, actor, batch.rows, record, org, origin))
    batch.rows.insert(session)
    session.flush()
    return out


def _add_new(session: Session, actor: Actor, rows: NewRows, record: dict[str, Any], org: Organization,
             harvest: tuple[str, str] | None) -> str:
    source_id, remote_id = harvest or (None, None)
    view = rows.add(record, org, {"id": new_id(), "creator_user_id": actor.user_id,
                                  "harvest_source_id": source_id, "harvest_remote_id": remote_id})
    # The view has every attribute of a Dataset that the history and the audit entry read.
    record_change(session, cast(Dataset, view), actor, "new package", None, dataset_record(cast(Dataset, view)))
    rows.datasets[-1].update(cached_record=view.cached_record, search_doc=view.search_doc,
                             search_doc_version=view.search_doc_version)
    return str(view.id)


def create(session: Session, actor: Actor, record: dict[str, Any], *,
           harvest: tuple[str, str] | None = None) -> Dataset:
    """Create one dataset (a batch of one); raises the record's error."""
    outcome = create_many(session, actor, [record], harvest=[harvest])[0]
    if isinstance(outcome, EcodataError):
        raise outcome
    ds = session.get(Dataset, outcome)
    assert ds is not None  # inserted just now, in this transaction
    return ds


def _system_fields(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("id", "metadata_created", "metadata_modified", "harvest")}


def update(session: Session, actor: Actor, name_or_id: str, record: dict[str, Any], *,
           partial: bool = False) -> Dataset:
    """Replace a dataset's record (``partial``: merge the given keys into the current record)."""
    ds = get_visible(session, actor, name_or_id)
    require_write(actor, ds.org_id, ds.organization.name)
    before = dataset_record(ds)
    merged = {**_system_fields(copy.deepcopy(before)), **record} if partial else dict(record)
    merged.setdefault("name", ds.name)
    merged.setdefault("resource_code", ds.resource_code)
    merged = _validated(merged)
    org = _resolve_org(session, merged["organization"])
    if org.id != ds.org_id:
        require_write(actor, org.id, org.name)
    _check_unique(session, ds.id, merged)
    apply_record(session, ds, merged, org)
    session.flush()
    after = dataset_record(ds)
    record_change(session, ds, actor, "changed package", before, after)
    return ds


def delete(session: Session, actor: Actor, name_or_id: str) -> Dataset:
    ds = get_visible(session, actor, name_or_id)
    require_write(actor, ds.org_id, ds.organization.name)
    before = dataset_record(ds)
    ds.state = "deleted"
    ds.metadata_modified = utcnow()
    session.flush()
    record_change(session, ds, actor, "deleted package", before, None)
    return ds


def set_state(session: Session, actor: Actor, ds: Dataset, state: str, activity: str) -> None:
    """Used by harvest (withdrawn) and publication workflows; permission is the caller's job."""
    before = dataset_record(ds)
    ds.state = state
    ds.metadata_modified = utcnow()
    session.flush()
    record_change(session, ds, actor, activity, before, dataset_record(ds))


def visible_names(session: Session, actor: Actor) -> list[str]:
    rows = session.scalars(sa.select(Dataset).where(Dataset.state == "active").order_by(Dataset.name))
    return [d.name for d in rows if can_read(actor, d)]
