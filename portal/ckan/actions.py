"""Read actions of the CKAN-compatible API."""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog import datasets
from catalog.accounts import get_org
from catalog.authz import Actor, principals
from catalog.errors import Location, NotFound, Problem, ValidationFailed
from catalog.models import Dataset, DatasetTag, Group, Organization, Resource
from catalog.records import dataset_record, public_view
from catalog.search.base import MAX_ROWS, SearchQuery
from portal.app import get_catalog
from portal.auth import resolve_actor
from schemas import load_vocab

from . import action, package_cache
from .lookups import tables
from .mapping import group_dict, org_dict, package_dict
from .query import FIELDS, search_query, with_org_names


def _required(params: dict[str, Any], key: str) -> str:
    value = params.get(key)
    if value in (None, ""):
        raise ValidationFailed(f"缺少参数 {key}", f"Missing value: {key}",
                               problems=[Problem("required", "缺少必填参数", "Missing value", Location(field=key))])
    return str(value)


def package_of(ds: Dataset) -> dict[str, Any]:
    record = public_view(dataset_record(ds), resolve_actor().government)
    return package_dict(record, ds.organization, list(ds.groups))


def load_packages(session: Session, ids: list[str], indexed: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """Package dicts in result order, rendered ones reused while their dataset is unchanged (shared:
    not to be modified).  ``indexed``: the search result's modification times."""
    return package_cache.packages(session, ids, resolve_actor().government, indexed)


def _public_principals(actor: Actor) -> frozenset[str]:
    """Principals without department membership: hides private and draft datasets."""
    held = principals(actor)
    base = {"public", "gov"} if held is None else set(held)
    return frozenset(p for p in base if not p.startswith("org:"))


@action("package_search")
def package_search(params: dict[str, Any]) -> dict[str, Any]:
    """Searches datasets. q: text (with a colon, Solr syntax whose field conditions narrow it);
    fq / fq_list: field conditions with AND, OR, NOT, -, parentheses and time ranges such as
    metadata_modified:[2026-11-29T08:00:00Z TO *]; rows, start; sort: score desc,
    metadata_modified desc|asc, metadata_created desc|asc, title_string asc|desc, name asc|desc,
    id asc|desc; facet.field (JSON list), facet.limit; include_private."""
    query, facet_names, include_private = search_query(params)
    if query.where is not None:
        query.where = with_org_names(query.where, {row.id: name for name, row in tables()[0].items()})
    actor = resolve_actor()
    catalog = get_catalog()
    catalog.indexer.sync_if_stale()
    query.principals = principals(actor) if include_private else _public_principals(actor)
    if not include_private:
        query.filters.append(("state", "active"))
    result = catalog.index.search(query)
    with catalog.read() as session:                   # (connects only if the cache cannot answer)
        results = load_packages(session, result.ids, result.modified)
    titles = _facet_titles(facet_names, result.facets)
    facets = {name: dict(result.facets.get(FIELDS[name], [])) for name in facet_names}
    search_facets = {
        name: {"title": name, "items": [{"name": value, "display_name": titles.get((name, value), value),
                                         "count": count} for value, count in result.facets.get(FIELDS[name], [])]}
        for name in facet_names
    }
    return {"count": result.count, "sort": params.get("sort") or "score desc, metadata_modified desc",
            "facets": facets, "results": results, "search_facets": search_facets}


def _facet_titles(names: list[str], facets: dict[str, list[tuple[str, int]]]) -> dict[tuple[str, str], str]:
    """Display names of facet values: department and theme titles, district and licence names."""
    orgs, groups = tables()
    labels = {"org": {k: row.title for k, row in orgs.items()}, "themes": {k: row.title for k, row in groups.items()},
              "districts": _vocab_labels("districts"), "license_id": _vocab_labels("licenses")}
    titles: dict[tuple[str, str], str] = {}
    for name in names:
        known = labels.get(FIELDS[name], {})
        for value, _count in facets.get(FIELDS[name], []):
            if value in known:
                titles[(name, value)] = known[value]
    return titles


@functools.cache
def _vocab_labels(vocab: str) -> dict[str, str]:
    return {str(entry["id"]): str(entry["zh"]) for entry in load_vocab(vocab)}


@action("package_show")
def package_show(params: dict[str, Any]) -> dict[str, Any]:
    name = _required(params, "id") if params.get("id") else _required(params, "name_or_id")
    with get_catalog().read() as session:
        return package_of(datasets.get_visible(session, resolve_actor(), name))


def _visible_ids(actor: Actor, limit: int, offset: int, sort: str = "name asc") -> list[str]:
    """Ids of the active datasets the actor may see, paged through the index 1,000 at a time."""
    catalog = get_catalog()
    catalog.indexer.sync_if_stale()
    ids: list[str] = []
    while len(ids) < limit:
        rows = min(MAX_ROWS, limit - len(ids))
        page = catalog.index.search(SearchQuery(filters=[("state", "active")], sort=sort,
                                                principals=_public_principals(actor),
                                                start=offset + len(ids), rows=rows)).ids
        ids += page
        if len(page) < rows:
            break
    return ids


def _paging(params: dict[str, Any], default: int) -> tuple[int, int]:
    try:
        limit = int(params.get("limit", default))
        offset = int(params.get("offset", 0))
    except (TypeError, ValueError):
        raise ValidationFailed("limit 与 offset 必须是整数", "limit and offset must be integers") from None
    return max(0, min(limit, 100000)), max(0, offset)


@action("package_list")
def package_list(params: dict[str, Any]) -> list[str]:
    limit, offset = _paging(params, 100000)
    ids = _visible_ids(resolve_actor(), limit, offset)
    with get_catalog().read() as session:
        names = dict(session.execute(sa.select(Dataset.id, Dataset.name).where(Dataset.id.in_(ids))).all())
    return [names[i] for i in ids if i in names]


@action("current_package_list_with_resources")
def current_package_list_with_resources(params: dict[str, Any]) -> list[dict[str, Any]]:
    limit, offset = _paging(params, 1000)
    ids = _visible_ids(resolve_actor(), limit, offset, sort="modified desc")
    with get_catalog().read() as session:
        return load_packages(session, ids)


def _counts(field: str, actor: Actor) -> dict[str, int]:
    catalog = get_catalog()
    catalog.indexer.sync_if_stale()
    result = catalog.index.search(SearchQuery(filters=[("state", "active")], principals=_public_principals(actor),
                                              rows=0, facet_fields=[field], facet_limit=-1))
    return dict(result.facets.get(field, []))


def _bool(params: dict[str, Any], key: str) -> bool:
    return str(params.get(key, "false")).lower() in ("true", "1", "yes")


@action("organization_list")
def organization_list(params: dict[str, Any]) -> list[Any]:
    counts = _counts("org", resolve_actor())
    with get_catalog().read() as session:
        orgs = list(session.scalars(sa.select(Organization).where(Organization.state == "active")
                                    .order_by(Organization.name)))
        if _bool(params, "all_fields"):
            return [org_dict(o, counts.get(o.name, 0)) for o in orgs]
        return [o.name for o in orgs]


@action("organization_show")
def organization_show(params: dict[str, Any]) -> dict[str, Any]:
    name = _required(params, "id")
    actor = resolve_actor()
    with get_catalog().read() as session:
        org = get_org(session, name)
        out = org_dict(org, _counts("org", actor).get(org.name, 0))
    if _bool(params, "include_datasets"):
        out["packages"] = package_search({"fq": f'organization:"{org.name}"', "rows": 1000})["results"]
    return out


@action("group_list")
def group_list(params: dict[str, Any]) -> list[Any]:
    counts = _counts("themes", resolve_actor())
    with get_catalog().read() as session:
        groups = list(session.scalars(sa.select(Group).order_by(Group.name)))
        if _bool(params, "all_fields"):
            return [group_dict(g, counts.get(g.name, 0)) for g in groups]
        return [g.name for g in groups]


@action("group_show")
def group_show(params: dict[str, Any]) -> dict[str, Any]:
    name = _required(params, "id")
    with get_catalog().read() as session:
        group = session.scalar(sa.select(Group).where(sa.or_(Group.name == name, Group.id == name)))
        if group is None:
            raise NotFound(f"主题不存在：{name}", f"Group not found: {name}")
        out = group_dict(group, _counts("themes", resolve_actor()).get(group.name, 0))
    if _bool(params, "include_datasets"):
        out["packages"] = package_search({"fq": f'groups:"{group.name}"', "rows": 1000})["results"]
    return out


@action("tag_list")
def tag_list(params: dict[str, Any]) -> list[str]:
    query = str(params.get("query") or "")
    with get_catalog().read() as session:
        stmt = sa.select(DatasetTag.name).distinct().order_by(DatasetTag.name)
        if query:
            stmt = stmt.where(DatasetTag.name.contains(query))
        names = list(session.scalars(stmt))
    visible = _counts("tags", resolve_actor())
    return [n for n in names if n in visible]


@action("resource_show")
def resource_show(params: dict[str, Any]) -> dict[str, Any]:
    rid = _required(params, "id")
    with get_catalog().read() as session:
        res = session.get(Resource, rid)
        if res is None:
            raise NotFound(f"资源不存在：{rid}", f"Resource not found: {rid}")
        package = package_of(datasets.get_visible(session, resolve_actor(), res.dataset_id))
    return next(r for r in package["resources"] if r["id"] == rid)


@action("status_show")
def status_show(params: dict[str, Any]) -> dict[str, Any]:
    from flask import current_app

    config = current_app.extensions["ecodata.config"]
    return {"site_title": config["ECODATA_SITE_TITLE"], "site_url": config["ECODATA_SITE_URL"],
            "site_description": "重庆市生态环境监测数据目录与开放服务", "ckan_version": "2.10.0",
            "ecodata_version": "0.1.0", "error_emails_to": None, "locale_default": "zh_Hans_CN",
            "extensions": ["ecodata"]}


@action("help_show")
def help_show(params: dict[str, Any]) -> str:
    from . import ACTIONS

    name = _required(params, "name")
    fn = ACTIONS.get(name)
    if fn is None:
        raise NotFound(f"未知的操作：{name}", f"Action not found: {name}")
    return (fn.__doc__ or name).strip()
