"""Frictionless data packages (datapackage.json by URL, or a zip holding one): one package = one dataset.

Resources become distributions with their Table Schemas inline; the first tabular resource's fields
become the dataset's data elements.  What the profile has no place for stays in ``harvest_`` extras.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from harvesters.base import (
    MappedRecord,
    RawRecord,
    RecordError,
    RemoteRef,
    SourceConfig,
    harvest_extras,
    problem,
)
from harvesters.common import (
    checksum,
    clip,
    email_or_none,
    fmt,
    license_id,
    media_or_none,
    texts,
    themes_for,
    to_date,
    url_or_none,
)
from harvesters.http import HttpClient
from harvesters.registry import register_source_type

FIELD_TYPES = {"string": "C", "integer": "I", "number": "N", "boolean": "L", "date": "D", "datetime": "T",
               "time": "T", "year": "N", "yearmonth": "C", "duration": "C", "geopoint": "C", "geojson": "M",
               "object": "M", "array": "M", "any": "C"}
CONSUMED = {"name", "id", "title", "description", "keywords", "licenses", "resources", "homepage", "version",
            "contributors", "created", "profile", "$schema"}


def _descriptor_from_zip(data: bytes, remote_id: str) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = sorted((n for n in zf.namelist() if n.rsplit("/", 1)[-1] == "datapackage.json"),
                           key=lambda n: n.count("/"))
            if not names:
                raise RecordError(f"压缩包 {remote_id} 中没有 datapackage.json",
                                  f"zip {remote_id} holds no datapackage.json", code="harvest_parse_error")
            return zf.read(names[0])
    except zipfile.BadZipFile as exc:
        raise RecordError(f"{remote_id} 不是有效的 zip 文件：{exc}", f"{remote_id} is not a valid zip: {exc}",
                          code="harvest_parse_error") from exc


class DataPackageSource:
    name = "datapackage"
    options_schema: dict[str, Any] = {
        "type": "object",
        "properties": {"packages": {"type": "array", "items": {"type": "string", "minLength": 1}}},
        "additionalProperties": False,
    }

    def list_records(self, source: SourceConfig, since: datetime | None,
                     http: HttpClient) -> Iterator[RemoteRef | RawRecord]:
        urls = [urljoin(source.url, u) for u in source.option("packages") or []] or [source.url]
        for url in urls:
            yield RemoteRef(url, None, url)

    def fetch(self, source: SourceConfig, ref: RemoteRef, http: HttpClient) -> RawRecord:
        resp = http.get(ref.url or ref.remote_id)
        content = resp.content
        is_zip = content[:4] == b"PK\x03\x04"
        if is_zip:
            content = _descriptor_from_zip(content, ref.remote_id)
        try:
            descriptor = json.loads(content)
        except ValueError as exc:
            raise RecordError(f"{ref.remote_id} 不是合法的 JSON：{exc}", f"{ref.remote_id} is not valid JSON: {exc}",
                              code="harvest_parse_error") from exc
        wrapped = {"descriptor": descriptor, "base_url": resp.url, "zip": is_zip}
        return RawRecord(ref.remote_id, json.dumps(wrapped, sort_keys=True, ensure_ascii=False).encode(),
                         "application/json", resp.url, None)

    def to_record(self, raw: RawRecord, source: SourceConfig) -> MappedRecord:
        wrapped = json.loads(raw.content)
        pkg = wrapped.get("descriptor")
        if not isinstance(pkg, dict) or not isinstance(pkg.get("resources"), list) or not pkg["resources"]:
            return MappedRecord({}, [problem("harvest_invalid_package",
                                             f"数据包 {raw.remote_id} 不是有效的 Data Package（缺少 resources 列表）",
                                             f"{raw.remote_id} is not a valid Data Package (no resources list)",
                                             raw.remote_id, "resources")])
        return MappedRecord(map_package(pkg, wrapped.get("base_url") or raw.remote_id, bool(wrapped.get("zip")),
                                        source))


def _resource_url(res: dict[str, Any], base: str, in_zip: bool) -> str:
    path = res.get("path")
    path = path[0] if isinstance(path, list) and path else path
    if isinstance(path, str) and url_or_none(path):
        return path
    if isinstance(path, str) and not in_zip:
        return urljoin(base, path)
    return f"{base}#{path or res.get('name') or 'data'}"


def map_resource(res: dict[str, Any], i: int, base: str, in_zip: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"name": clip(res.get("title") or res.get("name") or f"资源{i + 1}", 500),
                           "url": _resource_url(res, base, in_zip),
                           "format": fmt(res.get("format") or str(res.get("path") or "").rsplit(".", 1)[-1]),
                           "media_type": media_or_none(res.get("mediatype") or res.get("mediaType")),
                           "description": res.get("description") if isinstance(res.get("description"), str) else None,
                           "checksum": checksum(res.get("hash")),
                           "license_id": license_id(((res.get("licenses") or [{}])[0]).get("name"))}
    if isinstance(res.get("bytes"), int) and res["bytes"] >= 0:
        out["byte_size"] = res["bytes"]
    schema = res.get("schema")
    if isinstance(schema, dict) and isinstance(schema.get("fields"), list):
        out["table_schema"] = schema
    return {k: v for k, v in out.items() if v is not None}


def data_elements(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for res in resources:
        schema = res.get("schema")
        if isinstance(schema, dict) and isinstance(schema.get("fields"), list):
            return [{k: v for k, v in (("name", str(f["name"])[:200]), ("type", FIELD_TYPES.get(f.get("type", "any"), "C")),
                                       ("description", f.get("description") or None)) if v}
                    for f in schema["fields"] if isinstance(f, dict) and f.get("name")]
    return []


def _contact(pkg: dict[str, Any]) -> dict[str, str] | None:
    for person in pkg.get("contributors") or []:
        if isinstance(person, dict) and (person.get("title") or person.get("email")):
            out = {"name": person.get("title"), "email": email_or_none(person.get("email"))}
            return {k: v for k, v in out.items() if v} or None
    return None


def map_package(pkg: dict[str, Any], base: str, in_zip: bool, source: SourceConfig) -> dict[str, Any]:
    resources = [r for r in pkg["resources"] if isinstance(r, dict)]
    title = pkg.get("title") or pkg.get("name") or base.rsplit("/", 1)[-1]
    keywords = texts(pkg.get("keywords"))
    licence = (pkg.get("licenses") or [{}])[0] if isinstance(pkg.get("licenses"), list) else {}
    record: dict[str, Any] = {
        "name": pkg.get("name"), "title": clip(str(title), 200), "description": pkg.get("description") or str(title),
        "keywords": keywords, "themes": themes_for(source, keywords),
        "license_id": license_id(licence.get("name")) or license_id(licence.get("path")),
        "landing_page": url_or_none(pkg.get("homepage")), "version": clip(str(pkg.get("version") or ""), 50),
        "contact_point": _contact(pkg), "publish_date": to_date(pkg.get("created")),
        "resources": [map_resource(r, i, base, in_zip) for i, r in enumerate(resources)],
        "data_elements": data_elements(resources),
    }
    unmapped = {k: v for k, v in pkg.items() if k not in CONSUMED}
    unmapped.update({"id": pkg.get("id"), "package_name": pkg.get("name"), "created": pkg.get("created"),
                     "license": licence.get("title") or licence.get("name") if not record["license_id"] else None,
                     "descriptor_url": base, "profile": pkg.get("profile") or pkg.get("$schema")})
    record["extras"] = {k[:100]: v for k, v in harvest_extras(unmapped).items()}
    return {k: v for k, v in record.items() if v not in (None, "", [])}


register_source_type(DataPackageSource())
