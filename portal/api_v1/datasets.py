"""/api/v1/datasets: search, read and write dataset records."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from catalog import datasets
from catalog.errors import NotFound
from catalog.records import public_view
from catalog.search.base import Range, SearchQuery
from portal.app import get_catalog
from portal.auth import require_user, resolve_actor

from .schemas import DatasetPatchSchema, DatasetSchema, ResourceSchema, SearchArgsSchema, SearchResultSchema

PATH = "/datasets"
blp = Blueprint("datasets", __name__, description="数据集（信息资源）元数据 · Datasets")
FILTER_ARGS = {"org": "org", "theme": "themes", "tag": "tags", "format": "formats", "district": "districts",
               "update_cycle": "update_cycle", "open_type": "open_type", "license": "license_id"}
FACETS = ["org", "themes", "tags", "formats", "districts", "update_cycle", "open_type", "license_id"]


def search_records(args: dict[str, Any]) -> dict[str, Any]:
    filters = [(field, value) for arg, field in FILTER_ARGS.items() for value in args.get(arg) or []]
    filters.append(("state", "active"))
    per_page = args["per_page"]
    since, before = args.get("modified_since"), args.get("modified_before")
    where = None if since is None and before is None else Range("modified", since, before, include_upper=False)
    query = SearchQuery(q=args["q"], filters=filters, where=where, sort=args["sort"],
                        start=(args["page"] - 1) * per_page, rows=per_page, facet_fields=FACETS, facet_limit=50)
    catalog = get_catalog()
    result = catalog.search(resolve_actor(), query)
    with catalog.read() as session:
        government = resolve_actor().government
        rows = [public_view(r, government) for r in datasets.cached_records(session, result.ids)]
    return {"count": result.count, "page": args["page"], "per_page": per_page, "results": rows,
            "facets": {f: [{"value": v, "count": c} for v, c in items] for f, items in result.facets.items()}}


@blp.route("")
class DatasetCollection(MethodView):
    @blp.arguments(SearchArgsSchema, location="query")
    @blp.response(200, SearchResultSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Search datasets · 检索数据集 (filters, facets, sort, paging)."""
        return search_records(args)

    @blp.arguments(DatasetSchema)
    @blp.response(201, DatasetSchema)
    @blp.doc(security=[{"token": []}])
    def post(self, record: dict[str, Any]) -> dict[str, Any]:
        """Create a dataset · 新建数据集 (editor or admin of the owning department)."""
        return get_catalog().create_dataset(require_user(), record)


@blp.route("/<name>")
class DatasetItem(MethodView):
    @blp.response(200, DatasetSchema)
    def get(self, name: str) -> dict[str, Any]:
        """Read one dataset by name or id."""
        actor = resolve_actor()
        return public_view(get_catalog().show_dataset(actor, name), actor.government)

    @blp.arguments(DatasetSchema)
    @blp.response(200, DatasetSchema)
    @blp.doc(security=[{"token": []}])
    def put(self, record: dict[str, Any], name: str) -> dict[str, Any]:
        """Replace a dataset's record."""
        return get_catalog().update_dataset(require_user(), name, record)

    @blp.arguments(DatasetPatchSchema(partial=True))
    @blp.response(200, DatasetSchema)
    @blp.doc(security=[{"token": []}])
    def patch(self, record: dict[str, Any], name: str) -> dict[str, Any]:
        """Change some fields of a dataset."""
        return get_catalog().update_dataset(require_user(), name, record, partial=True)

    @blp.response(204)
    @blp.doc(security=[{"token": []}])
    def delete(self, name: str) -> None:
        """Delete a dataset (kept in the history)."""
        get_catalog().delete_dataset(require_user(), name)


@blp.route("/<name>/resources")
class ResourceCollection(MethodView):
    @blp.response(200, ResourceSchema(many=True))
    def get(self, name: str) -> list[dict[str, Any]]:
        """List a dataset's resources (distributions)."""
        return list(get_catalog().show_dataset(resolve_actor(), name).get("resources", []))

    @blp.arguments(ResourceSchema)
    @blp.response(201, ResourceSchema)
    @blp.doc(security=[{"token": []}])
    def post(self, resource: dict[str, Any], name: str) -> dict[str, Any]:
        """Add a resource to a dataset."""
        actor = require_user()
        catalog = get_catalog()
        current = catalog.show_dataset(actor, name)
        before = {r["id"] for r in current.get("resources", [])}
        updated = catalog.update_dataset(actor, name, {"resources": [*current.get("resources", []), resource]},
                                         partial=True)
        return next(r for r in updated["resources"] if r["id"] not in before)


@blp.route("/<name>/resources/<rid>")
class ResourceItem(MethodView):
    @blp.response(200, ResourceSchema)
    def get(self, name: str, rid: str) -> dict[str, Any]:
        """Read one resource."""
        record = get_catalog().show_dataset(resolve_actor(), name)
        for res in record.get("resources", []):
            if res["id"] == rid:
                return dict(res)
        raise NotFound(f"资源不存在：{rid}", f"Resource not found: {rid}")
