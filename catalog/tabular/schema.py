"""A thin, typed view of a Frictionless Table Schema (v1 or v2) for the vectorized validator."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_MISSING = ("",)
TABLES_DIR = Path(__file__).resolve().parents[2] / "schemas" / "tables"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str = "any"
    format: str = "default"
    constraints: dict[str, Any] = field(default_factory=dict)
    missing_values: tuple[str, ...] = DEFAULT_MISSING
    descriptor: dict[str, Any] = field(default_factory=dict)

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))

    @property
    def unique(self) -> bool:
        return bool(self.constraints.get("unique"))


@dataclass(frozen=True)
class TableSchema:
    fields: list[FieldSpec]
    primary_key: list[str] = field(default_factory=list)
    foreign_keys: list[dict[str, Any]] = field(default_factory=list)
    unique_keys: list[list[str]] = field(default_factory=list)
    fields_match: str = "exact"
    descriptor: dict[str, Any] = field(default_factory=dict)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def get(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


def missing_value_strings(entries: list[Any]) -> tuple[str, ...]:
    """v2 allows ``{"value": "NA", "label": "未监测"}`` entries next to plain strings."""
    return tuple(e["value"] if isinstance(e, dict) else str(e) for e in entries)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def parse_schema(descriptor: dict[str, Any]) -> TableSchema:
    table_missing = missing_value_strings(descriptor.get("missingValues", list(DEFAULT_MISSING)))
    fields = [
        FieldSpec(
            name=f["name"],
            type=f.get("type", "any"),
            format=f.get("format", "default"),
            constraints=dict(f.get("constraints", {})),
            missing_values=missing_value_strings(f["missingValues"]) if "missingValues" in f else table_missing,
            descriptor=f,
        )
        for f in descriptor.get("fields", [])
    ]
    foreign_keys = [
        {"fields": _as_list(fk["fields"]),
         "reference": {"resource": fk.get("reference", {}).get("resource", ""),
                       "fields": _as_list(fk.get("reference", {}).get("fields"))}}
        for fk in descriptor.get("foreignKeys", [])
    ]
    return TableSchema(
        fields=fields,
        primary_key=_as_list(descriptor.get("primaryKey")),
        foreign_keys=foreign_keys,
        unique_keys=[_as_list(k) for k in descriptor.get("uniqueKeys", [])],
        fields_match=descriptor.get("fieldsMatch", "exact"),
        descriptor=descriptor,
    )


def load_table_schema(name_or_path: str | Path) -> dict[str, Any]:
    """A schema from schemas/tables by name (``air_quality_hourly``) or any JSON file path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = TABLES_DIR / f"{name_or_path}.json"
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)  # type: ignore[no-any-return]
