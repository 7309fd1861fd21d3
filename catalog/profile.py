"""The metadata profile in use: validate, normalize and derive catalogue records.

The JSON Schema (schemas/profile/dataset.schema.json) is the single description of a record;
catalog.profile_errors turns its errors into one :class:`Problem` per bad field, and this module
adds the checks a schema cannot make (vocabulary membership, date order, code consistency).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from functools import cache
from typing import Any

import schemas
from catalog.errors import Location, Problem, ValidationFailed
from catalog.profile_errors import (
    DERIVED,
    allowed_values,
    field_labels,
    labels,
    problem,
    schema_problems,
    validator,
)

__all__ = ["DERIVED", "PROBLEM_CODES", "check_record", "derived_fields", "field_labels", "generate_resource_code",
           "normalize_record", "validate_record", "validator"]

PROBLEM_CODES: dict[str, str] = {
    "required": "a required field is missing",
    "condition_required": "a field required by another field's value is missing (e.g. 共享条件 for 有条件共享)",
    "empty": "a text field is empty",
    "min_length": "a text is shorter than allowed",
    "max_length": "a text is longer than allowed",
    "min_items": "a list has fewer items than required",
    "duplicate": "a list repeats a value",
    "minimum": "a number is below its minimum",
    "maximum": "a number is above its maximum",
    "format": "a value is not a valid date or e-mail address",
    "enum": "a value is not in its code list",
    "pattern": "a value does not have the required shape",
    "type": "a value has the wrong JSON type",
    "invalid": "a value matches none of the accepted forms",
    "unknown_field": "a field is not part of the profile",
    "derived_field": "a derived field (access_rights, accrual_periodicity, issued, modified) was given",
    "unknown_theme": "a theme id is not in vocab/themes",
    "unknown_district": "a district code is not one of Chongqing's 38 divisions or 500000",
    "unknown_license": "a licence id is not in vocab/licenses",
    "unknown_organization": "the publisher is not a registered department",
    "date_order": "temporal_end is before temporal_start",
    "code_mismatch": "resource_code does not start with classification_code",
}
_CLASSIFICATION = re.compile(r"^[123][0-9]{5}[0-9]{0,6}$")
_TOP_LEVEL_REQUIRED = frozenset({"required", "condition_required"})
_SEVERITY = {"type": 0, "required": 1, "condition_required": 1, "enum": 2, "pattern": 3}


# ---------------------------------------------------------------- checks beyond the schema

@cache
def _vocab(name: str) -> frozenset[str]:
    return frozenset(schemas.vocab_ids(name))


def _vocab_problems(record: dict[str, Any]) -> Iterator[Problem]:
    for i, theme in enumerate(_strings(record.get("themes"))):
        if theme not in _vocab("themes"):
            allowed_zh, allowed_en = allowed_values(["themes", i], [t["id"] for t in schemas.load_vocab("themes")])
            yield problem("unknown_theme", ["themes", i], f"主题第{i + 1}项“{theme}”不存在，允许的主题：{allowed_zh}。",
                          f"Themes #{i + 1}: unknown theme '{theme}'; allowed: {allowed_en}.", record)
    for i, code in enumerate(_strings(record.get("districts"))):
        if code not in _vocab("districts"):
            yield problem("unknown_district", ["districts", i],
                          f"行政区划第{i + 1}项“{code}”不是重庆市现行区县代码，应为 38 个区县的 GB/T 2260 代码"
                          f"（如 500103 渝中区、500156 武隆区）或全市 500000。",
                          f"Districts #{i + 1}: '{code}' is not a current Chongqing district or county code "
                          f"(GB/T 2260, e.g. 500103) nor 500000.", record)
    yield from _license_problems(record)


def _license_problems(record: dict[str, Any]) -> Iterator[Problem]:
    places: list[tuple[list[str | int], Any]] = [(["license_id"], record.get("license_id"))]
    for i, resource in enumerate(record.get("resources") or []):
        if isinstance(resource, dict):
            places.append((["resources", i, "license_id"], resource.get("license_id")))
    allowed = "、".join(sorted(_vocab("licenses")))
    for tokens, value in places:
        if isinstance(value, str) and value not in _vocab("licenses"):
            zh, en = labels(tokens)
            yield problem("unknown_license", tokens, f"{zh}“{value}”不存在，允许的许可协议：{allowed}。",
                          f"{en}: unknown licence '{value}'; allowed: {allowed.replace('、', ', ')}.", record)


def _consistency_problems(record: dict[str, Any]) -> Iterator[Problem]:
    start, end = record.get("temporal_start"), record.get("temporal_end")
    if isinstance(start, str) and isinstance(end, str) and end < start:
        yield problem("date_order", ["temporal_end"], f"时间范围止（{end}）早于时间范围起（{start}），请检查。",
                      f"Temporal coverage end {end} is before its start {start}.", record)
    code, classification = record.get("resource_code"), record.get("classification_code")
    if isinstance(code, str) and isinstance(classification, str) and code.split("/")[0] != classification:
        yield problem("code_mismatch", ["resource_code"],
                      f"信息资源代码“{code}”的分类码部分与信息资源分类码“{classification}”不一致。",
                      f"Resource code {code} does not start with classification code {classification}.", record)


def _organization_problem(record: dict[str, Any], organizations: Collection[str]) -> Iterator[Problem]:
    org = record.get("organization")
    if isinstance(org, str) and org not in organizations:
        yield problem("unknown_organization", ["organization"], f"信息资源提供方“{org}”不是已登记的部门，请先登记该部门。",
                      f"Publisher '{org}' is not a registered department.", record)


def _strings(value: Any) -> list[str]:
    return [v if isinstance(v, str) else "" for v in value] if isinstance(value, list) else []


def validate_record(record: dict[str, Any], *, partial: bool = False,
                    organizations: Collection[str] | None = None) -> list[Problem]:
    """Problems of one record, one per bad field, schema problems first; [] means valid.

    ``partial`` accepts a subset of fields (a draft or an update): missing required fields,
    including conditionally required ones, are not reported; present fields are checked in full.
    ``organizations``, when given, are the department names the publisher must be one of.
    """
    by_field: dict[str, Problem] = {}
    for found_problem in sorted(schema_problems(record), key=lambda p: _SEVERITY.get(p.code, 9)):
        by_field.setdefault(found_problem.location.field or "", found_problem)
    if isinstance(record, dict):
        extra = [*_vocab_problems(record), *_consistency_problems(record)]
        if organizations is not None:
            extra.extend(_organization_problem(record, organizations))
        for found_problem in extra:
            by_field.setdefault(found_problem.location.field or "", found_problem)
    found = list(by_field.values())
    if partial:
        found = [p for p in found if not (p.code in _TOP_LEVEL_REQUIRED and _is_top_level(p.location.field))]
    return found


def _is_top_level(field: str | None) -> bool:
    return field is not None and "." not in field and "[" not in field


def check_record(record: dict[str, Any], *, partial: bool = False) -> None:
    """Raise :class:`ValidationFailed` carrying every problem, if there are any."""
    problems = validate_record(record, partial=partial)
    if problems:
        raise ValidationFailed(f"元数据有 {len(problems)} 处问题，请修改后重新提交。",
                               f"The record has {len(problems)} problem(s).", problems=problems)


# ---------------------------------------------------------------- normalize and derive

def _trimmed(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [_trimmed(v) for v in value if v is not None]
    if isinstance(value, dict):
        return {k: _trimmed(v) for k, v in value.items() if v is not None}
    return value


def _unique(values: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def normalize_record(record: dict[str, Any]) -> dict[str, Any]:
    """A cleaned copy: strings trimmed, nulls dropped, list duplicates removed, defaults filled."""
    out: dict[str, Any] = _trimmed(record)
    out.setdefault("state", "active")
    out.setdefault("private", False)
    out.setdefault("language", ["zh"])
    for key in ("themes", "keywords", "districts", "language", "related_codes"):
        if isinstance(out.get(key), list):
            out[key] = _unique([str(v) if key == "districts" and isinstance(v, int) else v for v in out[key]])
    for element in out.get("data_elements") or []:
        if isinstance(element, dict) and isinstance(element.get("type"), str):
            element["type"] = element["type"].upper()
    code = out.get("resource_code")
    if "classification_code" not in out and isinstance(code, str) and "/" in code:
        out["classification_code"] = code.split("/")[0]
    return out


def generate_resource_code(classification_code: str, seq: int, *, width: int = 6) -> str:
    """信息资源代码 = 分类码 + "/" + 顺序码, e.g. ``generate_resource_code("216001", 123)`` → ``216001/000123``."""
    if not _CLASSIFICATION.match(classification_code or ""):
        bad = Problem("pattern", f"信息资源分类码“{classification_code}”格式不正确，应为类1位+项2位+目3位+可选细目。",
                      f"Malformed classification code '{classification_code}'.",
                      Location(field="classification_code"))
        raise ValidationFailed(bad.message, bad.message_en, problems=[bad])
    if seq < 1 or len(str(seq)) > 10:
        raise ValueError(f"sequence number out of range: {seq}")
    return f"{classification_code}/{seq:0{width}d}"


def derived_fields(record: dict[str, Any]) -> dict[str, str]:
    """DCAT values derived from the record: access_rights, accrual_periodicity IRIs, issued."""
    out: dict[str, str] = {}
    access = _iris("open_types").get(record.get("open_type"))
    if access:
        out["access_rights"] = access
    frequency = _iris("update_cycles").get(record.get("update_cycle"))
    if frequency:
        out["accrual_periodicity"] = frequency
    if isinstance(record.get("publish_date"), str):
        out["issued"] = record["publish_date"]
    return out


@cache
def _iris(vocab: str) -> dict[Any, str]:
    return {entry["id"]: entry["iri"] for entry in schemas.load_vocab(vocab)}
