"""Frictionless Data Package v2 descriptors (datapackage.json) for a dataset's released artifacts.

The schema of each resource is the *released* field list: the Table Schema the dataset declares,
cut down to the fields the caller's artifact carries (withheld fields removed, keys that mention
them dropped), or one derived from the Parquet types when the dataset declares none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from schemas import vocab_index

from ..tabular.schema import load_table_schema

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
RESOURCE_PROFILE = "https://datapackage.org/profiles/2.0/dataresource.json"
SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"
_NAME = re.compile(r"[^a-z0-9._-]+")


@dataclass(frozen=True)
class PackageResource:
    name: str
    path: str
    title: str
    schema: dict[str, Any]
    fmt: str = "csv"
    media_type: str = "text/csv"
    byte_size: int | None = None
    sha256: str | None = None
    description: str = ""


def arrow_field_type(t: pa.DataType) -> str:
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "number"
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_timestamp(t):
        return "datetime"
    if pa.types.is_date(t):
        return "date"
    return "string"


def released_schema(arrow_schema: pa.Schema, fields: list[str], declared: str | dict[str, Any] | None) -> dict:
    """The Table Schema of a released artifact: only ``fields``, in file order."""
    base = _declared(declared)
    by_name = {f["name"]: f for f in base.get("fields", [])}
    released = [n for n in arrow_schema.names if n in set(fields)]
    out_fields = []
    for name in released:
        spec = dict(by_name.get(name) or {"name": name})
        if name not in by_name:
            spec["type"] = arrow_field_type(arrow_schema.field(name).type)
        out_fields.append({k: v for k, v in spec.items() if v is not None})
    schema: dict[str, Any] = {"$schema": SCHEMA_PROFILE, "fields": out_fields}
    for key in ("title", "description", "missingValues"):
        if key in base:
            schema[key] = base[key]
    keep = set(released)
    if base.get("primaryKey") and set(_as_list(base["primaryKey"])) <= keep:
        schema["primaryKey"] = _as_list(base["primaryKey"])
    # Foreign keys point at resources (station lists) that are not part of this package.
    return schema


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _declared(declared: str | dict[str, Any] | None) -> dict[str, Any]:
    if isinstance(declared, dict):
        return declared
    if isinstance(declared, str) and re.fullmatch(r"[a-z0-9_]+", declared):
        try:
            return load_table_schema(declared)
        except FileNotFoundError:
            return {}
    return {}


def resource_name(text: str) -> str:
    return _NAME.sub("-", text.lower()).strip("-") or "resource"


def resource_descriptor(res: PackageResource) -> dict[str, Any]:
    out: dict[str, Any] = {"name": res.name, "type": "table", "path": res.path, "title": res.title,
                           "format": res.fmt, "mediatype": res.media_type, "encoding": "utf-8",
                           "schema": res.schema}
    if res.description:
        out["description"] = res.description
    if res.byte_size is not None:
        out["bytes"] = res.byte_size
    if res.sha256:
        out["hash"] = f"sha256:{res.sha256}"
    return out


def package_descriptor(record: dict[str, Any], publisher_name: str, resources: list[PackageResource], *,
                       site_url: str, release_number: int | None = None,
                       created: str | None = None) -> dict[str, Any]:
    package: dict[str, Any] = {
        "$schema": PROFILE,
        "name": resource_name(record["name"]),
        "id": f"{site_url}/dataset/{record['name']}",
        "title": record.get("title", record["name"]),
        "description": record.get("description", ""),
        "homepage": record.get("landing_page") or f"{site_url}/dataset/{record['name']}",
        "keywords": list(record.get("keywords") or []),
        "contributors": [{"title": publisher_name, "roles": ["publisher"]}],
        "resources": [resource_descriptor(r) for r in resources],
    }
    if release_number is not None:
        package["version"] = f"{release_number}.0.0"
    if created:
        package["created"] = created
    licence = _licence(record.get("license_id"), site_url)
    if licence:
        package["licenses"] = [licence]
    return package


def _licence(license_id: str | None, site_url: str) -> dict[str, Any] | None:
    entry = vocab_index("licenses").get(license_id or "")
    if not entry:
        return None
    out: dict[str, Any] = {"name": entry["id"], "title": entry["zh"]}
    path = entry.get("url") or (site_url + entry["path"] if entry.get("path") else None)
    if path:
        out["path"] = path
    return out
