"""File downloads of released artifacts: CSV (optional BOM), JSON, NDJSON, Parquet, XLSX; the
dataset zip with its datapackage.json; datapackage.json and released Table Schemas.

Files are sent from disk (the stored Parquet or a cached rendering) with ``send_file``, so ETag,
If-None-Match, Last-Modified and Range work, and WSGI servers can use their file wrapper
(zero-copy ``sendfile`` under gunicorn).  Non-public responses are marked private.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, jsonify, request, send_file

from catalog.delivery import datapackage, formats
from catalog.delivery.datapackage import PackageResource

from .bulk import zip_response
from .service import Served, dataset_artifacts, get_delivery, not_found, served

bp = Blueprint("data", __name__)
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def download_name(item: Served, ext: str) -> str:
    stem = item.dataset_title if item.resource_name in ("", item.ref.resource_id) else \
        f"{item.dataset_title}-{item.resource_name}"
    return f"{_UNSAFE.sub('_', stem).strip() or item.dataset_name}.{ext}"


def _private(resp: Response, audience: str) -> Response:
    if audience != "public":
        resp.headers["Cache-Control"] = "private, no-cache"
    else:
        resp.headers["Cache-Control"] = "public, no-cache"
    resp.vary.update(("Authorization", "Cookie"))
    return resp


@bp.route("/dataset/<name>/resource/<resource_id>/download.<fmt>")
def download(name: str, resource_id: str, fmt: str) -> Response:
    if fmt not in formats.FORMATS:
        raise not_found(name, resource_id)
    item = served(name, resource_id, "download")
    bom = fmt == "csv" and request.args.get("bom", "").lower() in ("1", "true", "yes", "excel")
    path = get_delivery().rendering(item.ref, fmt, bom=bom)
    spec = formats.FORMATS[fmt]
    resp = send_file(path, mimetype=spec.media_type, as_attachment=True, download_name=download_name(item, fmt),
                     conditional=True, etag=f"{item.ref.sha256}-{fmt}{'-bom' if bom else ''}",
                     max_age=None)
    resp.headers["X-Release"] = str(item.ref.release_number)
    resp.headers["Content-Disposition"] = disposition(download_name(item, fmt), f"{item.dataset_name}.{fmt}")
    return _private(resp, item.ref.audience)


def disposition(name: str, ascii_name: str) -> str:
    """RFC 6266 / RFC 5987: a plain ASCII name for old clients, the Chinese name for the rest."""
    from urllib.parse import quote

    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


@bp.route("/dataset/<name>/resource/<resource_id>/schema.json")
def table_schema(name: str, resource_id: str) -> Response:
    item = served(name, resource_id, ("download", "dcat", "data_api"), log=False)
    return _private(jsonify(_schema_of(item)), item.ref.audience)


def _schema_of(item: Served) -> dict[str, Any]:
    import pyarrow.parquet as pq

    path = get_delivery().parquet(item.ref)
    declared = _declared_schema(item.ref.resource_id)
    return datapackage.released_schema(pq.ParquetFile(path).schema_arrow, item.ref.fields, declared)


def _declared_schema(resource_id: str) -> Any:
    from catalog.models import Resource
    from portal.app import get_catalog

    with get_catalog().db.session() as session:
        res = session.get(Resource, resource_id)
        return (res.meta or {}).get("table_schema") if res is not None else None


def package_resources(items: list[Served], *, relative: bool) -> list[PackageResource]:
    delivery = get_delivery()
    out = []
    for item in items:
        csv_path = delivery.rendering(item.ref, "csv")
        size = csv_path.stat().st_size
        sha = delivery.cache.digest(csv_path)
        rid = item.ref.resource_id
        path = f"data/{datapackage.resource_name(rid)}.csv" if relative else \
            f"{delivery.site_url}/dataset/{item.dataset_name}/resource/{rid}/download.csv"
        out.append(PackageResource(name=datapackage.resource_name(rid), path=path, title=item.resource_name,
                                   schema=_schema_of(item), byte_size=size, sha256=sha))
    return out


def package_for(name: str, channels: tuple[str, ...], *, relative: bool) -> tuple[dict[str, Any], list[Served]]:
    _, record, items = dataset_artifacts(name, channels)
    if not items:
        raise not_found(name)
    resources = package_resources(items, relative=relative)
    descriptor = datapackage.package_descriptor(
        record, record.get("organization_title") or record["organization"], resources,
        site_url=get_delivery().site_url, release_number=items[0].ref.release_number)
    return descriptor, items


@bp.route("/dataset/<name>/datapackage.json")
def datapackage_json(name: str) -> Response:
    descriptor, items = package_for(name, ("download",), relative=False)
    audience = "public" if all(i.ref.audience == "public" for i in items) else "private"
    return _private(jsonify(descriptor), audience)


@bp.route("/dataset/<name>/download.zip")
def bulk_zip(name: str) -> Response:
    descriptor, items = package_for(name, ("bulk",), relative=True)
    from .service import log_downloads

    log_downloads(items, "bulk")
    delivery = get_delivery()
    members = [(f"data/{datapackage.resource_name(i.ref.resource_id)}.csv", delivery.rendering(i.ref, "csv"))
               for i in items]
    title = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", items[0].dataset_title)
    resp = zip_response(descriptor, members)
    resp.headers["Content-Disposition"] = disposition(f"{title}.zip", f"{items[0].dataset_name}.zip")
    audience = "public" if all(i.ref.audience == "public" for i in items) else "private"
    return _private(resp, audience)
