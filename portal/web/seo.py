"""robots.txt, the sitemap, and schema.org Dataset markup so search engines index dataset pages."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response
from markupsafe import Markup

from catalog.authz import ANONYMOUS, can_read
from catalog.models import Dataset, Organization
from portal.app import get_catalog

from .labels import label

bp = Blueprint("web_seo", __name__)


def _site() -> str:
    return str(get_catalog().config["ECODATA_SITE_URL"]).rstrip("/")


@bp.route("/robots.txt")
def robots() -> Response:
    lines = ["User-agent: *", "Allow: /", "Disallow: /workspace", "Disallow: /user/",
             "Disallow: /dataset/new", "Disallow: /dataset/edit/", "Disallow: /api/",
             f"Sitemap: {_site()}/sitemap.xml", ""]
    return Response("\n".join(lines), mimetype="text/plain")


@bp.route("/sitemap.xml")
def sitemap() -> Response:
    """Every page the public may see: home, search, departments and public datasets."""
    site = _site()
    with get_catalog().read() as session:
        rows = session.scalars(sa.select(Dataset).where(Dataset.state == "active").order_by(Dataset.name))
        entries = [(f"{site}/dataset/{d.name}", d.metadata_modified.date().isoformat())
                   for d in rows if can_read(ANONYMOUS, d)]
        orgs = [f"{site}/organization/{o.name}" for o in session.scalars(
            sa.select(Organization).where(Organization.state == "active").order_by(Organization.name))]
    urls = [f"<url><loc>{site}/</loc></url>", f"<url><loc>{site}/dataset</loc></url>",
            f"<url><loc>{site}/organization</loc></url>"]
    urls += [f"<url><loc>{u}</loc></url>" for u in orgs]
    urls += [f"<url><loc>{u}</loc><lastmod>{m}</lastmod></url>" for u, m in entries]
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + "".join(urls) + "</urlset>\n")
    return Response(body, mimetype="application/xml")


def dataset_jsonld(record: dict[str, Any], org: dict[str, Any], site: str) -> Markup:
    """schema.org/Dataset as a JSON-LD script block (Google Dataset Search reads this)."""
    url = f"{site}/dataset/{record['name']}"
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Dataset", "@id": url, "url": url,
        "name": record.get("title"), "description": record.get("description") or record.get("title"),
        "identifier": record.get("resource_code") or record["name"],
        "keywords": list(record.get("keywords") or []),
        "inLanguage": list(record.get("language") or ["zh"]),
        "isAccessibleForFree": record.get("open_type") == "无条件开放",
        "creator": {"@type": "GovernmentOrganization", "name": org["title"], "url": f"{site}/organization/{org['name']}"},
        "publisher": {"@type": "GovernmentOrganization", "name": org["title"]},
        "dateModified": record.get("metadata_modified"),
        "distribution": [_distribution(r) for r in record.get("resources") or [] if r.get("url")],
        "variableMeasured": [e["name"] for e in record.get("data_elements") or []],
    }
    _optional(data, record)
    text = json.dumps({k: v for k, v in data.items() if v not in (None, [], "")}, ensure_ascii=False)
    # "</" inside a script block would end it early.
    return Markup(text.replace("</", "<\\/"))


def _optional(data: dict[str, Any], record: dict[str, Any]) -> None:
    if record.get("license_id"):
        from schemas import vocab_index

        entry = vocab_index("licenses").get(record["license_id"]) or {}
        data["license"] = entry.get("url") or record["license_id"]
    if record.get("temporal_start") or record.get("temporal_end"):
        data["temporalCoverage"] = f"{record.get('temporal_start', '..')}/{record.get('temporal_end', '..')}"
    if record.get("publish_date"):
        data["datePublished"] = record["publish_date"]
    districts = [c for c in record.get("districts") or []]
    if districts:
        data["spatialCoverage"] = {"@type": "Place", "name": "、".join(label("districts", c) for c in districts[:20])}
    if record.get("version"):
        data["version"] = record["version"]


def _distribution(res: dict[str, Any]) -> dict[str, Any]:
    out = {"@type": "DataDownload", "name": res.get("name"), "contentUrl": res.get("download_url") or res["url"],
           "encodingFormat": res.get("media_type") or res.get("format")}
    if res.get("byte_size") is not None:
        out["contentSize"] = str(res["byte_size"])
    return {k: v for k, v in out.items() if v is not None}
