"""The dataset register/edit form, driven by the metadata profile (titles, code lists, required keys).

Input names are the profile's own field paths (``contact_point.email``, ``data_elements[0].name``),
so a validation problem's location names the input it belongs to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from catalog.errors import Problem

from .i18n import pick
from .labels import field_spec, field_title, profile_properties, vocab_entries

SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("基本信息", ("title", "title_en", "name", "organization", "description", "description_en")),
    ("分类与覆盖范围", ("themes", "keywords", "districts", "update_cycle", "temporal_start", "temporal_end",
                        "publish_date", "version")),
    ("共享与开放属性", ("share_type", "share_condition", "share_basis", "open_type", "open_condition",
                        "open_basis", "license_id")),
    ("联系方式", ("contact_point.name", "contact_point.email", "contact_point.phone")),
)
LONG_TEXT = {"description", "description_en", "share_condition", "share_basis", "open_condition", "open_basis"}
CHECKBOXES = {"themes", "districts"}
CONDITIONAL = {"share_condition", "share_basis", "open_condition", "open_basis"}
ELEMENT_KEYS = ("name", "name_en", "type", "length", "unit", "description")
FORM_KEYS = {key.split(".")[0] for _, keys in SECTIONS for key in keys} | {"data_elements"}
KEYWORD_SPLIT = re.compile(r"[,，、;；\s]+")


@dataclass
class Field:
    key: str
    title: str
    kind: str                                   # text | textarea | select | checkboxes | date
    required: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    hint: str = ""


def _options(key: str, spec: dict[str, Any], orgs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    if key == "organization":
        return orgs
    vocab = spec.get("x-vocab") or spec.get("items", {}).get("x-vocab")
    if key == "themes":
        vocab = "themes"
    if key == "districts":
        vocab = "districts"
    if vocab:
        return [(str(e["id"]), pick(e.get("zh"), e.get("en"))) for e in vocab_entries(vocab)]
    return [(str(v), str(v)) for v in spec.get("enum", [])]


def _kind(key: str, spec: dict[str, Any], options: list[tuple[str, str]]) -> str:
    if key in CHECKBOXES:
        return "checkboxes"
    if options:
        return "select"
    if key in LONG_TEXT:
        return "textarea"
    ref = spec.get("$ref", "")
    if spec.get("format") == "date" or ref.endswith("/date"):
        return "date"
    return "text"


def fields(orgs: list[tuple[str, str]]) -> list[tuple[str, list[Field]]]:
    required = set(_required())
    out = []
    for section, keys in SECTIONS:
        row = []
        for key in keys:
            spec = field_spec(key)
            options = _options(key, spec, orgs)
            hint = pick(spec.get("x-national") and f"国家目录元素：{spec['x-national']}", "")
            row.append(Field(key, field_title(key), _kind(key, spec, options), key in required, options, hint))
        out.append((section, row))
    return out


def _required() -> list[str]:
    from schemas import load_profile

    return [*load_profile().get("required", []), "contact_point.name"]


def element_types() -> list[tuple[str, str]]:
    return [(e["id"], f"{e['id']} {pick(e['zh'], e['en'])}") for e in vocab_entries("element_types")]


def record_from_form(form: MultiDict[str, str]) -> dict[str, Any]:
    """The record the form describes; empty inputs are left out so the profile reports them."""
    record: dict[str, Any] = {}
    for _section, keys in SECTIONS:
        for key in keys:
            _put(record, key, form)
    record["data_elements"] = _elements(form)
    return record


def _put(record: dict[str, Any], key: str, form: MultiDict[str, str]) -> None:
    if key in CHECKBOXES:
        record[key] = [v for v in form.getlist(key) if v]
        return
    value = (form.get(key) or "").strip()
    if key == "keywords":
        record[key] = [k for k in KEYWORD_SPLIT.split(value) if k]
        return
    if not value:
        return
    head, _, child = key.partition(".")
    if child:
        record.setdefault(head, {})[child] = value
    else:
        record[key] = value


def _elements(form: MultiDict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for i in range(int(form.get("element_rows", "0") or 0)):
        item = {k: (form.get(f"data_elements[{i}].{k}") or "").strip() for k in ELEMENT_KEYS}
        if not any(item[k] for k in ("name", "unit", "description", "name_en")):
            continue
        element: dict[str, Any] = {k: v for k, v in item.items() if v}
        if "length" in element:
            element["length"] = int(element["length"]) if element["length"].isdigit() else element["length"]
        element.setdefault("name", "")
        element.setdefault("type", "")
        rows.append(element)
    return rows


def form_values(record: dict[str, Any]) -> dict[str, Any]:
    """Input values for a record (the inverse of ``record_from_form``)."""
    values: dict[str, Any] = {}
    for _section, keys in SECTIONS:
        for key in keys:
            head, _, child = key.partition(".")
            value = (record.get(head) or {}).get(child) if child else record.get(key)
            if key == "keywords":
                value = "，".join(value or [])
            values[key] = value if value is not None else ([] if key in CHECKBOXES else "")
    values["data_elements"] = list(record.get("data_elements") or [])
    return values


def merged_record(existing: dict[str, Any], edited: dict[str, Any]) -> dict[str, Any]:
    """Keys the form does not show (resources, extras, spatial …) are kept as they were."""
    kept = {k: v for k, v in existing.items() if k not in FORM_KEYS and k in profile_properties()}
    return {**kept, **edited}


def problems_by_field(problems: list[Problem]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in problems:
        key = p.location.field or ""
        out.setdefault(key, []).append(pick(p.message, p.message_en))
    return out
