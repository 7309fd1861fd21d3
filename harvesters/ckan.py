"""CKAN Action API: paged package_search (incremental by metadata_modified), package dicts → profile."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from harvesters.base import MappedRecord, RawRecord, RemoteRef, SourceConfig, harvest_extras, problem
from harvesters.common import (
    checksum,
    clip,
    email_or_none,
    fmt,
    license_id,
    media_or_none,
    parse_time,
    texts,
    themes_for,
    to_date,
    url_or_none,
)
from harvesters.http import HttpClient
from harvesters.registry import register_source_type

CONSUMED = {"id", "name", "title", "title_translated", "notes", "notes_translated", "tags", "tags_translated",
            "organization", "owner_org", "license_id", "license_title", "license_url", "resources", "extras",
            "groups", "url", "version", "author", "author_email", "maintainer", "maintainer_email",
            "metadata_modified", "metadata_created", "language", "num_resources", "num_tags", "isopen",
            "relationships_as_object", "relationships_as_subject", "creator_user_id", "private", "state"}
TEMPORAL_KEYS = (("temporal_start", "temporal_end"), ("temporal-start", "temporal-end"),
                 ("temporal_coverage-from", "temporal_coverage-to"), ("temporal_coverage_from", "temporal_coverage_to"),
                 ("temporal-extent-begin", "temporal-extent-end"))
RANGE = re.compile(r"^\[(\S+) TO (\S+)\]$")  # HDX dataset_date: [1970-01-01T00:00:00 TO 2019-12-31T23:59:59]
BBOX = ("bbox-west-long", "bbox-south-lat", "bbox-east-long", "bbox-north-lat")
GEOMETRIES = {"Point", "Polygon", "MultiPolygon", "LineString", "MultiPoint", "MultiLineString"}


def api_base(url: str) -> str:
    url = url.rstrip("/")
    return url if url.endswith("/api/3/action") else f"{url}/api/3/action"


def _result(http: HttpClient, url: str, params: dict[str, Any]) -> Any:
    body = http.get(url, params=params).json()
    if not isinstance(body, dict) or not body.get("success", False):
        error = body.get("error") if isinstance(body, dict) else body
        from harvesters.base import HarvestError

        raise HarvestError(f"CKAN 接口返回错误：{url}（{error}）", f"CKAN API error: {url} ({error})",
                           code="harvest_ckan_error")
    return body["result"]


def _translated(value: Any, prefer: tuple[str, ...] = ("zh", "zh_CN", "zh-CN", "en")) -> str | None:
    if isinstance(value, dict):
        for lang in prefer:
            if value.get(lang):
                return str(value[lang])
        return next((str(v) for v in value.values() if v), None)
    return value if isinstance(value, str) and value.strip() else None


class CkanSource:
    name = "ckan"
    options_schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "rows": {"type": "integer", "minimum": 1, "maximum": 1000},
            "fq": {"type": "string"},
            "org_map": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        "additionalProperties": False,
    }

    def _search_params(self, source: SourceConfig, since: datetime | None) -> dict[str, Any]:
        fq = [source.option("fq")] if source.option("fq") else []
        if since:
            stamp = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            fq.append(f"metadata_modified:[{stamp} TO *]")
        params: dict[str, Any] = {"sort": "metadata_modified asc,id asc", "include_private": "false"}
        if fq:
            params["fq"] = " AND ".join(fq)
        return params

    def count(self, source: SourceConfig, since: datetime | None, http: HttpClient) -> int:
        params = {**self._search_params(source, since), "rows": 0}
        return int(_result(http, api_base(source.url) + "/package_search", params).get("count", 0))

    def list_records(self, source: SourceConfig, since: datetime | None,
                     http: HttpClient) -> Iterator[RemoteRef | RawRecord]:
        url = api_base(source.url) + "/package_search"
        rows = int(source.option("rows", 1000))
        start = 0
        while True:
            result = _result(http, url, {**self._search_params(source, since), "rows": rows, "start": start})
            packages = result.get("results") or []
            for pkg in packages:
                yield self.raw(pkg, source)
            start += len(packages)
            if not packages or start >= int(result.get("count", 0)):
                return

    def raw(self, pkg: dict[str, Any], source: SourceConfig) -> RawRecord:
        remote_id = str(pkg.get("id") or pkg.get("name") or "")
        page = f"{source.url.rstrip('/')}/dataset/{pkg.get('name') or remote_id}"
        return RawRecord(remote_id, json.dumps(pkg, sort_keys=True, ensure_ascii=False).encode(),
                         "application/json", page, parse_time(pkg.get("metadata_modified")))

    def fetch(self, source: SourceConfig, ref: RemoteRef, http: HttpClient) -> RawRecord:
        return self.raw(_result(http, api_base(source.url) + "/package_show", {"id": ref.remote_id}), source)

    def to_record(self, raw: RawRecord, source: SourceConfig) -> MappedRecord:
        pkg = json.loads(raw.content)
        if not isinstance(pkg, dict):
            return MappedRecord({}, [problem("harvest_parse_error", "CKAN 记录不是 JSON 对象",
                                             "CKAN record is not a JSON object", raw.remote_id)])
        return MappedRecord(map_package(pkg, source))


def _extras(pkg: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in pkg.get("extras") or []:
        if isinstance(item, dict) and "key" in item:
            out[str(item["key"])] = item.get("value")
    return out


def _contact(pkg: dict[str, Any]) -> dict[str, str] | None:
    name = pkg.get("maintainer") or pkg.get("author")
    email = email_or_none(pkg.get("maintainer_email")) or email_or_none(pkg.get("author_email"))
    out = {k: v for k, v in (("name", name), ("email", email)) if isinstance(v, str) and v.strip()}
    return out or None


def _bbox(extras: dict[str, Any]) -> dict[str, Any] | None:
    try:
        w, s, e, n = (float(extras[k]) for k in BBOX)
    except (KeyError, TypeError, ValueError):
        return None
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def _spatial(extras: dict[str, Any]) -> dict[str, Any] | None:
    value = extras.get("spatial")
    if value is None:
        return _bbox(extras)
    try:
        geom = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return None
    return geom if isinstance(geom, dict) and geom.get("type") in GEOMETRIES and geom.get("coordinates") else None


def _temporal(pkg: dict[str, Any], extras: dict[str, Any]) -> dict[str, str]:
    for start_key, end_key in TEMPORAL_KEYS:
        start = to_date(pkg.get(start_key) or extras.get(start_key))
        end = to_date(pkg.get(end_key) or extras.get(end_key))
        if start or end:
            return {k: v for k, v in (("temporal_start", start), ("temporal_end", end)) if v}
    m = RANGE.match(str(pkg.get("dataset_date") or ""))
    if m and to_date(m.group(1)) and to_date(m.group(2)):
        return {"temporal_start": to_date(m.group(1)) or "", "temporal_end": to_date(m.group(2)) or ""}
    return {}


def map_resource(res: dict[str, Any], position: int) -> dict[str, Any] | None:
    url = url_or_none(res.get("url")) or url_or_none(res.get("access_url")) or url_or_none(res.get("download_url"))
    if not url:
        return None
    out: dict[str, Any] = {"name": clip(_translated(res.get("name")) or url.rsplit("/", 1)[-1] or f"资源{position + 1}",
                                        500), "url": url}
    optional = {"description": _translated(res.get("description")), "format": fmt(res.get("format")),
                "media_type": media_or_none(res.get("mimetype")), "checksum": checksum(res.get("hash")),
                "download_url": url_or_none(res.get("download_url"))}
    out.update({k: v for k, v in optional.items() if v})
    if isinstance(res.get("size"), int) and res["size"] >= 0:
        out["byte_size"] = res["size"]
    if license_id(res.get("license")):
        out["license_id"] = license_id(res.get("license"))
    return out


def map_package(pkg: dict[str, Any], source: SourceConfig) -> dict[str, Any]:
    extras = _extras(pkg)
    title = _translated(pkg.get("title_translated")) or _translated(pkg.get("title")) or str(pkg.get("name"))
    description = _translated(pkg.get("notes_translated")) or _translated(pkg.get("notes")) or title
    tags = [t.get("display_name") or t.get("name") for t in pkg.get("tags") or [] if isinstance(t, dict)]
    groups = [g.get("name") for g in pkg.get("groups") or [] if isinstance(g, dict)]
    org: dict[str, Any] = pkg["organization"] if isinstance(pkg.get("organization"), dict) else {}
    record: dict[str, Any] = {"name": pkg.get("name"), "title": clip(title, 200), "description": description,
                              "keywords": texts(tags), "themes": themes_for(source, texts(tags + groups))}
    title_en = (pkg.get("title_translated") or {}).get("en") if isinstance(pkg.get("title_translated"), dict) else None
    mapped_org = (source.option("org_map") or {}).get(org.get("name", ""))
    optional = {"title_en": clip(title_en, 200) if title_en != record["title"] else None,
                "organization": mapped_org, "license_id": license_id(pkg.get("license_id"))
                or license_id(pkg.get("license_url")) or license_id(pkg.get("license_title")),
                "landing_page": url_or_none(pkg.get("url")), "version": clip(str(pkg.get("version") or ""), 50),
                "contact_point": _contact(pkg), "spatial": _spatial(extras),
                "publish_date": to_date(pkg.get("issued")) or to_date(pkg.get("metadata_created"))}
    record.update({k: v for k, v in optional.items() if v})
    record.update(_temporal(pkg, extras))
    resources = [map_resource(r, i) for i, r in enumerate(pkg.get("resources") or []) if isinstance(r, dict)]
    record["resources"] = [r for r in resources if r]
    unmapped = {k: v for k, v in pkg.items() if k not in CONSUMED and v not in (None, "", [], {})}
    unmapped.update({f"extra_{k}": v for k, v in extras.items() if k != "spatial" or not record.get("spatial")})
    unmapped.update({"id": pkg.get("id"), "ckan_name": pkg.get("name"), "publisher": _translated(org.get("title")),
                     "publisher_id": org.get("name"), "license_title": pkg.get("license_title"),
                     "metadata_created": pkg.get("metadata_created"),
                     "metadata_modified": pkg.get("metadata_modified"), "groups": groups,
                     "dropped_resources": len(resources) - len(record["resources"]) or None})
    if len(title) > 200:
        unmapped["title_full"] = title
    record["extras"] = {k[:100]: v for k, v in harvest_extras(unmapped).items()}
    return record


register_source_type(CkanSource())
