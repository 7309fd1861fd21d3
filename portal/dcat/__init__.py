"""DCAT-AP 3 feeds: /catalog.ttl|.jsonld|.rdf (Hydra-paged), /catalog with Accept negotiation, and
/dataset/<name>.ttl|.jsonld|.rdf.  Datasets are those the caller may see; distributions are the
caller's released artifacts whose channels include ``dcat`` (download URLs only with ``download``).
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, redirect, request

from catalog import releases
from catalog.authz import Actor
from catalog.datasets import get_visible, visible_names
from catalog.delivery import dcat
from catalog.delivery.dcat_catalog import catalog_graph
from catalog.models import Dataset
from catalog.records import dataset_record
from portal.app import get_catalog
from portal.auth import resolve_actor
from portal.data.service import get_delivery, now_utc

bp = Blueprint("dcat", __name__)
PER_PAGE = 100
MEDIA = {"text/turtle": "ttl", "application/ld+json": "jsonld", "application/rdf+xml": "rdf",
         "application/n-triples": "ttl"}
FORMATS_OUT = (("CSV", "csv"), ("Parquet", "parquet"))
_DATASET_PAGE = re.compile(r"^/dataset/([a-z0-9][a-z0-9_-]{1,99})$")


def site() -> dcat.Site:
    config = get_delivery().config
    return dcat.Site(base_url=get_delivery().site_url, title=str(config["ECODATA_SITE_TITLE"]),
                     title_en="Chongqing Eco-environment Monitoring Open Data",
                     description="重庆市生态环境监测数据开放目录：空气、地表水、噪声、辐射、污染源等监测数据集。",
                     publisher_code=str(config["ECODATA_PUBLISHER_CODE"]),
                     publisher_name=str(config["ECODATA_PUBLISHER_NAME"]))


def entry_for(session: Any, actor: Actor, ds: Dataset) -> dcat.Entry:
    record = dataset_record(ds)
    base = get_delivery().site_url
    dists = []
    for ref in releases.artifacts_for(session, actor, ds, now=now_utc()):
        if "dcat" not in ref.channels:
            continue
        res_url = f"{base}/dataset/{ds.name}/resource/{ref.resource_id}"
        name = next((r.name for r in ds.resources if r.id == ref.resource_id), None) or ds.title
        for label, ext in FORMATS_OUT:
            download = f"{res_url}/download.{ext}" if "download" in ref.channels else None
            stored = ext == "parquet"
            dists.append(dcat.Distribution(
                resource_id=ref.resource_id, title=f"{name}（{label}）", fmt=label, access_url=res_url,
                download_url=download, byte_size=ref.size if stored else None,
                sha256=ref.sha256 if stored else None, schema_url=f"{res_url}/schema.json"))
    publisher = dcat.Publisher(ds.organization.name, ds.organization.title, ds.organization.title_en or "")
    return dcat.Entry(record, publisher, dists)


def _respond(graph: Any, fmt: str) -> Response:
    _, media = dcat.SERIALIZATIONS[fmt]
    resp = Response(dcat.serialize(graph, fmt), mimetype=media.split(";")[0])
    if "charset" in media:
        resp.headers["Content-Type"] = media
    resp.vary.update(("Accept", "Authorization", "Cookie"))
    return resp


def _page() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


def catalog_feed(fmt: str) -> Response:
    actor = resolve_actor()
    page = _page()
    with get_catalog().db.session() as session:
        names = visible_names(session, actor)
        chosen = names[(page - 1) * PER_PAGE: page * PER_PAGE]
        rows = {d.name: d for d in session.scalars(sa.select(Dataset).where(Dataset.name.in_(chosen)))}
        entries = [entry_for(session, actor, rows[n]) for n in chosen if n in rows]
        modified = max((d.metadata_modified for d in rows.values()), default=None)
        graph = catalog_graph(site(), entries, page=page, per_page=PER_PAGE, total=len(names),
                                   modified=modified)
    return _respond(graph, fmt)


@bp.route("/catalog.<any(ttl, jsonld, rdf):fmt>")
def catalog_suffix(fmt: str) -> Response:
    return catalog_feed(fmt)


@bp.route("/catalog")
def catalog_negotiated() -> Response:
    best = request.accept_mimetypes.best_match(list(MEDIA), default="text/turtle")
    return catalog_feed(MEDIA.get(best or "text/turtle", "ttl"))


@bp.route("/dataset/<name>.<any(ttl, jsonld, rdf):fmt>")
def dataset_feed(name: str, fmt: str) -> Response:
    actor = resolve_actor()
    with get_catalog().db.session() as session:
        ds = get_visible(session, actor, name)
        graph = dcat.dataset_graph(site(), entry_for(session, actor, ds))
    return _respond(graph, fmt)


def _negotiate_dataset_page() -> Response | None:
    """/dataset/<name> asked for as RDF (and not as HTML) is sent to the matching feed."""
    match = _DATASET_PAGE.match(request.path)
    if match is None or request.method != "GET":
        return None
    best = request.accept_mimetypes.best_match(["text/html", *MEDIA])
    if best in MEDIA and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]:
        return redirect(f"/dataset/{match.group(1)}.{MEDIA[best]}", code=303)  # type: ignore[return-value]
    return None


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(_negotiate_dataset_page)
