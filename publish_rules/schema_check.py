"""Validate a rule document against rules.schema.json (plus the schemas of plugin rule kinds) and turn
each JSON Schema error into a RuleProblem a clerk can act on: file, line, rule id, Chinese message.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]

from .registry import RuleKind
from .yamlnodes import line_of

SCHEMA_PATH = Path(__file__).parent / "rules.schema.json"

JsonPath = tuple[str | int, ...]


@dataclass(frozen=True)
class RuleProblem:
    code: str
    message: str
    message_en: str
    file: str
    line: int | None = None
    rule_id: str | None = None
    path: str = ""

    def as_dict(self) -> dict[str, Any]:
        out = {"code": self.code, "message": self.message, "message_en": self.message_en,
               "location": {"file": self.file, "line": self.line}, "rule_id": self.rule_id, "path": self.path}
        return out

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        rule = f" [{self.rule_id}]" if self.rule_id else ""
        return f"{where}{rule} {self.code}: {self.message} / {self.message_en}"


def base_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator(kind_schemas: tuple[tuple[str, str], ...]) -> Draft202012Validator:
    schema = base_schema()
    properties = schema["$defs"]["rule"]["properties"]
    for key, text in kind_schemas:
        properties.setdefault(key, json.loads(text))
    return Draft202012Validator(schema)


def validator_for(kinds: dict[str, RuleKind]) -> Draft202012Validator:
    frozen = tuple((k, json.dumps(kind.schema, sort_keys=True)) for k, kind in sorted(kinds.items()))
    return _validator(frozen)


def _where(path: JsonPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "（文件顶层）"


def _most_specific(error: ValidationError) -> ValidationError:
    """Inside oneOf/anyOf, the branch error that says most: not a type mismatch, deepest path."""
    while error.context and not _choice_of_keys(error):
        candidates = [e for e in error.context if e.validator != "type"] or list(error.context)
        error = max(candidates, key=lambda e: len(e.absolute_path))
    return error


def _choice_of_keys(error: ValidationError) -> bool:
    """anyOf/oneOf whose branches only require keys: report it as one 'which key' problem."""
    branches = error.validator_value if error.validator in ("anyOf", "oneOf") else []
    return bool(branches) and all(set(b) == {"required"} for b in branches)


def _branch_keys(branches: list[dict[str, Any]]) -> list[str]:
    return [k for b in branches for k in b["required"]]


def _unknown_keys(error: ValidationError) -> list[str]:
    allowed = set(error.schema.get("properties", {}))
    return sorted(str(k) for k in error.instance if k not in allowed)


def _describe(error: ValidationError, where: str) -> tuple[str, str, str]:
    kind = error.validator
    if kind == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return "rule_missing_key", f"{where} 缺少必填键 {missing}", f"{where}: missing required key(s) {missing}"
    if kind in ("enum", "const"):
        allowed = error.validator_value if kind == "enum" else [error.validator_value]
        return ("rule_bad_value", f"{where} 的取值 {error.instance!r} 不在允许范围 {allowed} 内",
                f"{where}: {error.instance!r} is not one of {allowed}")
    if kind == "pattern":
        return ("rule_bad_value", f"{where} 的取值 {error.instance!r} 格式不正确",
                f"{where}: {error.instance!r} does not have the expected form")
    if kind in ("anyOf", "oneOf") and _choice_of_keys(error):
        keys = sorted(set(_branch_keys(error.validator_value)))
        how, how_en = ("至少需要", "at least") if kind == "anyOf" else ("必须且只能有", "exactly")
        return ("rule_missing_key", f"{where} {how}以下键之一：{keys}", f"{where}: needs {how_en} one of {keys}")
    if kind == "not":
        present = sorted({k for b in error.validator_value.get("anyOf", []) for k in b.get("required", [])
                          if isinstance(error.instance, dict) and k in error.instance})
        return ("rule_conflicting_keys", f"{where} 中这些键不能同时出现：{present}",
                f"{where}: these keys cannot be used together: {present}")
    if kind == "type":
        return ("rule_bad_type", f"{where} 的类型应为 {error.validator_value}",
                f"{where}: should be of type {error.validator_value}")
    return "rule_schema", f"{where} 不符合规则格式：{error.message}", f"{where}: {error.message}"


def _problems_of(error: ValidationError, lines: dict[JsonPath, int], label: str,
                 rule_id: Callable[[JsonPath], str | None]) -> list[Any]:
    error = _most_specific(error)
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        return [RuleProblem("rule_unknown_key",
                            f"{_where(path + (key,))}：未知的键 “{key}”，请检查拼写",
                            f"{_where(path + (key,))}: unknown key {key!r}",
                            label, line_of(lines, path + (key,)), rule_id(path), _where(path + (key,)))
                for key in _unknown_keys(error)]
    code, zh, en = _describe(error, _where(path))
    return [RuleProblem(code, zh, en, label, line_of(lines, path), rule_id(path), _where(path))]


def schema_problems(data: Any, lines: dict[JsonPath, int], label: str, kinds: dict[str, RuleKind],
                    rule_id: Callable[[JsonPath], str | None]) -> list[RuleProblem]:
    validator = validator_for(kinds)
    problems: list[RuleProblem] = []
    for error in sorted(validator.iter_errors(copy.deepcopy(data)), key=lambda e: list(map(str, e.path))):
        for problem in _problems_of(error, lines, label, rule_id):
            if problem not in problems:
                problems.append(problem)
    return problems
