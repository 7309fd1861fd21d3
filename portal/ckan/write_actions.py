"""Write actions of the CKAN-compatible API: packages and resources."""

from __future__ import annotations

import uuid
from typing import Any

from catalog import datasets
from catalog.accounts import get_org
from catalog.errors import Location, NotFound, Problem, ValidationFailed
from catalog.models import Resource
from portal.app import get_catalog
from portal.auth import require_user

from . import action
from .actions import package_of
from .mapping import _resource_record, owner_of, record_from_package


def _org_name(session: Any, value: Any) -> str | None:
    if not value:
        return None
    try:
        return get_org(session, str(value)).name
    except NotFound:
        raise ValidationFailed("所属部门不存在", "Organization does not exist", problems=[Problem(
            "unknown_organization", f"所属部门“{value}”不存在", f"Organization '{value}' does not exist",
            Location(field="owner_org"))]) from None


@action("package_create")
def package_create(params: dict[str, Any]) -> dict[str, Any]:
    actor = require_user()
    with get_catalog().write() as session:
        record = record_from_package(params, _org_name(session, owner_of(params)))
        ds = datasets.create(session, actor, record)
        out = package_of(ds)
    return out


def _update(params: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    actor = require_user()
    ident = params.get("id") or params.get("name")
    if not ident:
        raise ValidationFailed("缺少参数 id", "Missing value: id",
                               problems=[Problem("required", "缺少必填参数", "Missing value", Location(field="id"))])
    with get_catalog().write() as session:
        record = record_from_package(params, _org_name(session, owner_of(params)))
        ds = datasets.update(session, actor, str(ident), record, partial=partial)
        out = package_of(ds)
    return out


@action("package_update")
def package_update(params: dict[str, Any]) -> dict[str, Any]:
    return _update(params, partial=False)


@action("package_patch")
def package_patch(params: dict[str, Any]) -> dict[str, Any]:
    return _update(params, partial=True)


@action("package_delete")
def package_delete(params: dict[str, Any]) -> None:
    actor = require_user()
    ident = params.get("id") or params.get("name")
    if not ident:
        raise ValidationFailed("缺少参数 id", "Missing value: id")
    with get_catalog().write() as session:
        datasets.delete(session, actor, str(ident))
    return None


def _resources_of(package: dict[str, Any]) -> list[dict[str, Any]]:
    return [_resource_record(r) for r in package["resources"]]


def _package_for_resource(session: Any, rid: str) -> str:
    res = session.get(Resource, rid)
    if res is None:
        raise NotFound(f"资源不存在：{rid}", f"Resource not found: {rid}")
    return res.dataset_id


def _write_resources(package_id: str, change: Any) -> dict[str, Any]:
    """Read the package's resources, let ``change`` edit the list, write it back in one transaction."""
    actor = require_user()
    with get_catalog().write() as session:
        ds = datasets.get_visible(session, actor, package_id)
        resources = _resources_of(package_of(ds))
        result_id = change(resources)
        ds = datasets.update(session, actor, ds.id, {"resources": resources}, partial=True)
        package = package_of(ds)
    return {"package": package, "resource_id": result_id}


@action("resource_create")
def resource_create(params: dict[str, Any]) -> dict[str, Any]:
    package_id = params.get("package_id")
    if not package_id:
        raise ValidationFailed("缺少参数 package_id", "Missing value: package_id", problems=[
            Problem("required", "缺少必填参数", "Missing value", Location(field="package_id"))])
    new = _resource_record({k: v for k, v in params.items() if k != "package_id"})
    new["id"] = new.get("id") or str(uuid.uuid4())

    def add(resources: list[dict[str, Any]]) -> str:
        resources.append(new)
        return str(new["id"])

    out = _write_resources(str(package_id), add)
    return next(r for r in out["package"]["resources"] if r["id"] == out["resource_id"])


def _edit_resource(params: dict[str, Any], *, remove: bool) -> dict[str, Any] | None:
    rid = params.get("id")
    if not rid:
        raise ValidationFailed("缺少参数 id", "Missing value: id")
    with get_catalog().read() as session:
        package_id = _package_for_resource(session, str(rid))

    def edit(resources: list[dict[str, Any]]) -> str:
        index = next(i for i, r in enumerate(resources) if r.get("id") == rid)
        if remove:
            resources.pop(index)
        else:
            resources[index] = {**_resource_record({k: v for k, v in params.items() if k != "package_id"}),
                                "id": rid}
        return str(rid)

    out = _write_resources(package_id, edit)
    if remove:
        return None
    return next(r for r in out["package"]["resources"] if r["id"] == rid)


@action("resource_update")
def resource_update(params: dict[str, Any]) -> dict[str, Any] | None:
    return _edit_resource(params, remove=False)


@action("resource_patch")
def resource_patch(params: dict[str, Any]) -> dict[str, Any] | None:
    rid = params.get("id")
    with get_catalog().read() as session:
        current: dict[str, Any] = next((r for r in package_of(datasets.get_visible(
            session, require_user(), _package_for_resource(session, str(rid))))["resources"]
            if r["id"] == rid), {})
    return _edit_resource({**current, **params}, remove=False)


@action("resource_delete")
def resource_delete(params: dict[str, Any]) -> None:
    _edit_resource(params, remove=True)
    return None
