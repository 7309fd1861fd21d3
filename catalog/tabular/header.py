"""Header checks and the mapping from label positions to schema fields (frictionless semantics)."""

from __future__ import annotations

from typing import Any

from .report import make_error
from .schema import FieldSpec, TableSchema

_BY_NAME_MODES = ("equal", "subset", "superset", "partial")


def expected_fields(schema: TableSchema, labels: list[str]) -> list[FieldSpec]:
    """One field per label position; a label no field pairs with gets an ``any`` field named after it."""
    if not labels:
        return list(schema.fields)
    if schema.fields_match in _BY_NAME_MODES:
        by_name = {f.name: f for f in schema.fields}
        return [by_name.get(label) or FieldSpec(label, "any") for label in labels]
    return [schema.fields[i] if i < len(schema.fields) else FieldSpec(label, "any")
            for i, label in enumerate(labels)]


def header_errors(schema: TableSchema, labels: list[str], header_rows: int) -> list[dict[str, Any]]:
    if not labels:
        return []
    base = {"labels": labels, "rowNumbers": list(range(1, header_rows + 1))}
    if schema.fields_match in _BY_NAME_MODES:
        return _by_name_errors(schema, labels, base)
    out = [make_error("extra-label", label=label, fieldName="", fieldNumber=i + 1, **base)
           for i, label in enumerate(labels) if i >= len(schema.fields)]
    out += [make_error("missing-label", label="", fieldName=f.name, fieldNumber=len(labels) + k + 1, **base)
            for k, f in enumerate(schema.fields[len(labels):])]
    for number, (spec, label) in enumerate(zip(schema.fields, labels, strict=False), start=1):
        out += _pair_errors(spec, label, labels, number, base)
    return out


def _pair_errors(spec: FieldSpec, label: str, labels: list[str], number: int,
                 base: dict[str, Any]) -> list[dict[str, Any]]:
    if not label:
        return [make_error("blank-label", label="", fieldName=spec.name, fieldNumber=number, **base)]
    earlier = [str(i) for i, seen in enumerate(labels[:number - 1], start=1) if seen == label]
    if earlier:
        return [make_error("duplicate-label", label=label, fieldName=spec.name, fieldNumber=number,
                           note=f'at position "{", ".join(earlier)}"', **base)]
    if label != spec.name:
        return [make_error("incorrect-label", label=label, fieldName=spec.name, fieldNumber=number, **base)]
    return []


def _by_name_errors(schema: TableSchema, labels: list[str], base: dict[str, Any]) -> list[dict[str, Any]]:
    names = set(schema.field_names)
    out: list[dict[str, Any]] = []
    if schema.fields_match not in ("subset", "partial"):
        out += [make_error("extra-label", label=label, fieldName="", fieldNumber=i + 1, **base)
                for i, label in enumerate(labels) if label not in names]
    missing = [f for f in schema.fields if f.name not in labels]
    if schema.fields_match in ("superset", "partial"):
        missing = [f for f in missing if f.required or f.name in schema.primary_key]
    out += [make_error("missing-label", label="", fieldName=f.name, fieldNumber=len(labels) + k + 1, **base)
            for k, f in enumerate(missing)]
    return out
