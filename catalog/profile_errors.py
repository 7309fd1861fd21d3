"""Translate JSON Schema errors on a catalogue record into :class:`Problem` objects.

Field labels come from the profile itself (``title`` / ``x-title-en`` on each property), and
format hints from ``x-pattern-zh`` / ``x-pattern-en``, so a new field needs no code here.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

import schemas
from catalog.errors import Location, Problem

DERIVED = ("access_rights", "accrual_periodicity", "issued", "modified")
CONDITIONS = {  # field -> (field that makes it required, triggering value)
    "share_condition": ("share_type", "有条件共享"),
    "share_basis": ("share_type", "不予共享"),
    "open_condition": ("open_type", "有条件开放"),
    "open_basis": ("open_type", "不予开放"),
}
_TYPE_ZH = {"string": "文本", "integer": "整数", "number": "数字", "boolean": "是/否（true/false）",
            "array": "列表", "object": "对象", "null": "空值"}


@cache
def validator() -> Draft202012Validator:
    """The dataset profile, compiled once."""
    # Only formats checkable without extra packages; patterns in the schema cover the rest.
    checker = FormatChecker(formats=("date", "email"))
    return Draft202012Validator(schemas.load_profile("dataset"), format_checker=checker)


@cache
def _fast_validator() -> Any:
    # Compiled in Rust: about two orders of magnitude faster on valid records.  It is at least as
    # strict as `validator()` (it also checks uri formats), so a record it accepts has no problems
    # and only rejected records pay for the detailed Python pass that explains them.
    return jsonschema_rs.validator_for(schemas.load_profile("dataset"), validate_formats=True)


def _is_plain_valid(record: Any) -> bool:
    try:
        return bool(_fast_validator().is_valid(record))
    except ValueError:  # not plain JSON data (a date object, a non-string key): explain in Python
        return False


# ---------------------------------------------------------------- field labels from the schema


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if not ref:
        return node
    target = root
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return {**_resolve(target, root), **{k: v for k, v in node.items() if k != "$ref"}}


def _walk(node: dict[str, Any], root: dict[str, Any], prefix: str) -> Iterator[tuple[str, dict[str, Any]]]:
    node = _resolve(node, root)
    if prefix:
        yield prefix, node
    for key, child in node.get("properties", {}).items():
        yield from _walk(child, root, f"{prefix}.{key}" if prefix else key)
    if isinstance(node.get("items"), dict):
        yield from _walk(node["items"], root, f"{prefix}[]")


@cache
def field_schemas() -> dict[str, dict[str, Any]]:
    root = schemas.load_profile("dataset")
    return dict(_walk(root, root, ""))


def field_labels() -> dict[str, tuple[str, str]]:
    """Generic field path (``data_elements[].type``) -> (Chinese label, English label)."""
    return {path: (node.get("title", path), node.get("x-title-en", path))
            for path, node in field_schemas().items() if "title" in node}


def _generic(tokens: list[str | int]) -> str:
    out = ""
    for token in tokens:
        out += "[]" if isinstance(token, int) else (f".{token}" if out else token)
    return out


def _path(tokens: list[str | int]) -> str:
    out = ""
    for token in tokens:
        out += f"[{token}]" if isinstance(token, int) else (f".{token}" if out else token)
    return out


def labels(tokens: list[str | int]) -> tuple[str, str]:
    """Human names of a concrete path: ('信息项第3项的数据类型', 'Data elements #3 › Data type')."""
    info = field_schemas()
    zh: list[str] = []
    en: list[str] = []
    for i, token in enumerate(tokens):
        if isinstance(token, int):
            if zh:
                zh[-1] += f"第{token + 1}项"
                en[-1] += f" #{token + 1}"
            continue
        node = info.get(_generic(tokens[: i + 1]), {})
        zh.append(node.get("title", token))
        en.append(node.get("x-title-en", token))
    return "的".join(zh), " › ".join(en)


def _hint(tokens: list[str | int], schema: dict[str, Any]) -> tuple[str, str]:
    node = {**field_schemas().get(_generic(tokens), {}), **schema}
    return node.get("x-pattern-zh", ""), node.get("x-pattern-en", "")


# ---------------------------------------------------------------- schema errors -> problems

def problem(code: str, tokens: list[str | int], zh: str, en: str, record: Any) -> Problem:
    name = record.get("name") if isinstance(record, dict) else None
    location = Location(record=name if isinstance(name, str) else None, field=_path(tokens))
    return Problem(code=code, message=zh, message_en=en, location=location)


def allowed_values(tokens: list[str | int], values: list[Any]) -> tuple[str, str]:
    info = field_schemas()
    vocab = info.get(_generic(tokens), {}).get("x-vocab") or info.get(_generic(tokens[:-1]), {}).get("x-vocab")
    labels = schemas.vocab_index(vocab) if vocab else {}
    zh = "、".join(f"{v}（{labels[v]['zh']}）" if v in labels and labels[v]["zh"] != v else str(v) for v in values)
    return zh, ", ".join(str(v) for v in values)


def _missing(error: ValidationError) -> list[str]:
    instance = error.instance if isinstance(error.instance, dict) else {}
    return [name for name in error.validator_value if name not in instance]


def _required_problems(error: ValidationError, base: list[str | int], record: Any) -> Iterator[Problem]:
    conditional = "then" in error.schema_path
    for name in _missing(error):
        tokens = [*base, name]
        zh, en = labels(tokens)
        if conditional and name in CONDITIONS:
            trigger, value = CONDITIONS[name]
            t_zh, t_en = labels([trigger])
            yield problem("condition_required", tokens, f"{t_zh}为“{value}”时必须填写“{zh}”。",
                          f"{en} is required when {t_en} is '{value}'.", record)
        else:
            yield problem("required", tokens, f"缺少必填项“{zh}”，请填写。", f"Missing required field {en}.", record)


def _extra_problems(error: ValidationError, base: list[str | int], record: Any) -> Iterator[Problem]:
    known = error.schema.get("properties", {})
    for name in error.instance:
        if name in known:
            continue
        tokens = [*base, str(name)]
        if not base and name in DERIVED:
            yield problem("derived_field", tokens, f"“{name}”由系统根据其他字段生成，不能直接填写，请删除该项。",
                          f"{name} is derived by the catalogue and cannot be given; remove it.", record)
        else:
            yield problem("unknown_field", tokens, f"“{name}”不是本目录元数据规范中的字段，请删除或放入扩展属性（extras）。",
                          f"{name} is not a field of the profile; remove it or put it in extras.", record)


def _any_of_problem(error: ValidationError, base: list[str | int], record: Any) -> Problem:
    if not base:
        zh, en = labels(["classification_code"])
        return problem("required", ["classification_code"],
                       f"缺少必填项“{zh}”：请填写信息资源分类码（如 216001）或完整的信息资源代码。",
                       f"Missing {en}: give a classification code (e.g. 216001) or a resource code.", record)
    label_zh, label_en = labels(base)
    return problem("condition_required", [*base, "url"], f"{label_zh}未上传文件时必须填写“访问地址”。",
                   f"{label_en}: an access URL is required unless the file was uploaded.", record)


def _value_problem(error: ValidationError, tokens: list[str | int], record: Any) -> Problem:
    zh, en = labels(tokens)
    kind, value, limit = error.validator, error.instance, error.validator_value
    shown = str(value)[:60]
    if kind == "enum":
        allowed_zh, allowed_en = allowed_values(tokens, limit)
        return problem("enum", tokens, f"{zh}的值“{shown}”不在允许范围内，允许的值：{allowed_zh}。",
                       f"{en}: '{shown}' is not allowed; allowed: {allowed_en}.", record)
    if kind == "pattern":
        hint_zh, hint_en = _hint(tokens, error.schema)
        return problem("pattern", tokens, f"{zh}的值“{shown}”格式不正确，应为{hint_zh or '规定格式'}。",
                       f"{en}: '{shown}' is malformed; expected {hint_en or limit}.", record)
    if kind == "type":
        wanted = [str(t) for t in (limit if isinstance(limit, list) else [limit])]
        return problem("type", tokens, f"{zh}的类型不正确，应为{'或'.join(_TYPE_ZH.get(t, t) for t in wanted)}。",
                       f"{en} has the wrong type; expected {' or '.join(wanted)}.", record)
    return _limit_problem(error, tokens, zh, en, record)


def _limit_problem(error: ValidationError, tokens: list[str | int], zh: str, en: str, record: Any) -> Problem:
    limit, shown = error.validator_value, str(error.instance)[:60]
    messages = {
        "minLength": ("empty", f"{zh}不能为空。", f"{en} must not be empty.") if limit == 1 else
                     ("min_length", f"{zh}至少需要 {limit} 个字符。", f"{en} needs at least {limit} characters."),
        "maxLength": ("max_length", f"{zh}过长，最多 {limit} 个字符。", f"{en} is too long (at most {limit})."),
        "minItems": ("min_items", f"{zh}至少需要 {limit} 项。", f"{en} needs at least {limit} item(s)."),
        "uniqueItems": ("duplicate", f"{zh}中有重复的值，请删除重复项。", f"{en} contains duplicates."),
        "minimum": ("minimum", f"{zh}的值 {shown} 不能小于 {limit}。", f"{en}: {shown} is below {limit}."),
        "maximum": ("maximum", f"{zh}的值 {shown} 不能大于 {limit}。", f"{en}: {shown} is above {limit}."),
        "format": ("format", f"{zh}的值“{shown}”不是有效的{'日期' if limit == 'date' else '格式'}。",
                   f"{en}: '{shown}' is not a valid {limit}."),
    }
    if error.validator in messages:
        code, m_zh, m_en = messages[error.validator]
        return problem(code, tokens, m_zh, m_en, record)
    node = field_schemas().get(_generic(tokens), {})
    allowed_zh = node.get("x-zh-allowed", "符合规范的值")
    return problem("invalid", tokens, f"{zh}的值不符合要求，应为{allowed_zh}。",
                   f"{en} is invalid; expected {node.get('x-en-allowed', 'a value allowed by the profile')}.", record)


def schema_problems(record: Any) -> Iterator[Problem]:
    if _is_plain_valid(record):
        return
    for error in validator().iter_errors(record):
        base: list[str | int] = list(error.absolute_path)
        if error.validator == "required":
            yield from _required_problems(error, base, record)
        elif error.validator == "additionalProperties":
            yield from _extra_problems(error, base, record)
        elif error.validator == "anyOf":
            yield _any_of_problem(error, base, record)
        else:
            yield _value_problem(error, base, record)
