"""Dataset operations: create, update, patch, delete, show, list.

Each function works inside the caller's session (one unit of work) and records the
change in the activity history and the change sequence that drives search indexing.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import audit, profile
from .accounts import get_org
from .authz import Actor, can_read, require_write
from .errors import Location as Loc
from .errors import NotFound, Problem, ValidationFailed
from .models import Activity, CatalogChange, Dataset, Organization, Resource, new_id, utcnow
from .records import apply_record, dataset_record

__all__ = ["create", "update", "delete", "show", "get_dataset", "get_visible", "dataset_record"]

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
    rows = dict(session.execute(sa.select(Dataset.id, Dataset.cached_record).where(Dataset.id.in_(ids))).all())
    missing = [i for i in ids if i in rows and rows[i] is None]
    if missing:  # written before the cache existed
        for ds in session.scalars(sa.select(Dataset).where(Dataset.id.in_(missing))):
            rows[ds.id] = dataset_record(ds)
    return [rows[i] for i in ids if rows.get(i) is not None]


def record_change(session: Session, ds: Dataset, actor: Actor, activity: str,
                  before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    ds.cached_record = after if after is not None else dataset_record(ds)
    session.add(CatalogChange(dataset_id=ds.id))
    session.add(Activity(user_id=actor.user_id, object_type="dataset", object_id=ds.id,
                         activity_type=activity, before=before, after=after))
    audit.record_dataset_change(session, ds, actor, activity, after)


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


def _check_unique(session: Session, ds_id: str | None, record: dict[str, Any]) -> None:
    problems = []
    for column, label, key in ((Dataset.name, "名称（URL）", "name"),
                               (Dataset.resource_code, "信息资源代码", "resource_code")):
        value = record.get(key)
        if not value:
            continue
        clash = session.scalar(sa.select(Dataset.id).where(column == value, Dataset.id != (ds_id or "")))
        if clash:
            problems.append(Problem("duplicate", f"{label}“{value}”已被其他数据集使用",
                                    f"{key} '{value}' is already in use", Loc(field=key)))
    if problems:
        raise ValidationFailed("名称或代码重复", "Duplicate identifier", problems=problems)


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


def _fresh_resource_ids(session: Session, record: dict[str, Any]) -> None:
    """A copied record (package_show output sent back) keeps its resources, under new ids."""
    ids = [r["id"] for r in record.get("resources") or [] if r.get("id")]
    if not ids:
        return
    taken = set(session.scalars(sa.select(Resource.id).where(Resource.id.in_(ids))))
    for res in record["resources"]:
        if res.get("id") in taken:
            res["id"] = new_id()


def create(session: Session, actor: Actor, record: dict[str, Any], *,
           harvest: tuple[str, str] | None = None) -> Dataset:
    record = _validated(record)
    org = _resolve_org(session, record["organization"])
    require_write(actor, org.id, org.name)
    _check_unique(session, None, record)
    if not record.get("resource_code"):
        record["resource_code"] = _next_resource_code(
            session, record.get("classification_code") or DEFAULT_CLASSIFICATION)
    _fresh_resource_ids(session, record)
    # Empty collections up front: a new object then never lazy-loads (and autoflushes) its children.
    ds = Dataset(creator_user_id=actor.user_id, resources=[], elements=[], tags=[], groups=[])
    if harvest:
        ds.harvest_source_id, ds.harvest_remote_id = harvest
    session.add(ds)
    apply_record(session, ds, record, org)
    ds.metadata_created = ds.metadata_modified
    session.flush()
    record_change(session, ds, actor, "new package", None, dataset_record(ds))
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
