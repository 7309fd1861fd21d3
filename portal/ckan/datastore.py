"""CKAN ``datastore_search`` over released resources (a compatible subset).

Supported: ``resource_id``, ``filters`` (object of field → value or list of values), ``fields``,
``sort`` (``"time desc, pm25"``), ``limit``, ``offset``, ``include_total``.  Full-text ``q``,
``distinct`` and ``plain`` are refused with a clear message rather than silently ignored.
"""

from __future__ import annotations

import json
from typing import Any

from catalog.delivery import cursor as cursors
from catalog.delivery.query import Filter, RowQuery, run
from catalog.errors import NotFound, ValidationFailed
from catalog.models import Resource
from portal.app import get_catalog
from portal.data.rows_api import _jsonable
from portal.data.service import get_delivery, served

from . import action

CKAN_TYPES = {"string": "text", "number": "numeric", "integer": "int", "datetime": "timestamp", "date": "date",
              "boolean": "bool"}
UNSUPPORTED = ("q", "distinct", "plain", "language", "records_format")


def _json_param(params: dict[str, Any], key: str, default: Any) -> Any:
    value = params.get(key, default)
    if isinstance(value, str) and key == "filters":
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValidationFailed("filters 必须是 JSON 对象", "filters must be a JSON object") from exc
    return value


def _int(params: dict[str, Any], key: str, default: int) -> int:
    try:
        value = int(params.get(key, default))
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"{key} 必须是整数", f"{key} must be an integer") from exc
    if value < 0:
        raise ValidationFailed(f"{key} 不能为负数", f"{key} must not be negative")
    return value


def _dataset_of(resource_id: str) -> str:
    with get_catalog().db.session() as session:
        res = session.get(Resource, resource_id)
        if res is None:
            raise NotFound(f"资源不存在：{resource_id}", f"Resource not found: {resource_id}")
        return res.dataset.name


def _filters(raw: Any) -> list[Filter]:
    if not isinstance(raw, dict):
        raise ValidationFailed("filters 必须是 JSON 对象", "filters must be a JSON object")
    out = []
    for name, value in raw.items():
        if isinstance(value, list):
            out.append(Filter(name, "in", [str(v) for v in value]))
        else:
            out.append(Filter(name, "eq", str(value)))
    return out


def _sort(text: Any) -> list[tuple[str, bool]]:
    out = []
    for part in str(text or "").split(","):
        words = part.split()
        if words:
            out.append((words[0].strip('"'), len(words) > 1 and words[1].lower() == "desc"))
    return out


@action("datastore_search")
def datastore_search(params: dict[str, Any]) -> dict[str, Any]:
    for key in UNSUPPORTED:
        if params.get(key) not in (None, "", False, "false"):
            raise ValidationFailed(f"不支持参数 {key}，请使用 filters 精确筛选", f"'{key}' is not supported; use filters")
    resource_id = str(params.get("resource_id") or params.get("id") or "")
    if not resource_id:
        raise ValidationFailed("缺少 resource_id", "resource_id is required")
    item = served(_dataset_of(resource_id), resource_id, "data_api", named=False)
    delivery = get_delivery()
    serving = delivery.serving(item.ref)
    limit, offset = _int(params, "limit", 100), _int(params, "offset", 0)
    wanted = params.get("fields")
    names = wanted if isinstance(wanted, list) else [f.strip() for f in str(wanted or "").split(",") if f.strip()]
    query = RowQuery(fields=names or None, filters=_filters(_json_param(params, "filters", {})),
                     sort=_sort(params.get("sort")), limit=max(1, limit))
    if offset:
        query.cursor = cursors.encode(offset, delivery.cursor_secret, item.ref.sha256, query.fingerprint())
    result = run(serving, query, secret=delivery.cursor_secret, artifact=item.ref.sha256)
    records = _jsonable(result.table) if limit else []
    for i, row in enumerate(records):
        row["_id"] = offset + i + 1
    out: dict[str, Any] = {
        "resource_id": resource_id,
        "fields": [{"id": "_id", "type": "int"}] + [
            {"id": f.name, "type": CKAN_TYPES.get(_type(f), "text")} for f in result.table.schema],
        "records": records, "limit": limit, "offset": offset,
        "_links": {"start": f"/api/3/action/datastore_search?resource_id={resource_id}",
                   "next": f"/api/3/action/datastore_search?resource_id={resource_id}&offset={offset + limit}"},
    }
    if str(params.get("include_total", "true")).lower() not in ("false", "0"):
        out["total"] = result.total
    return out


def _type(field: Any) -> str:
    from catalog.delivery.datapackage import arrow_field_type

    return arrow_field_type(field.type)
