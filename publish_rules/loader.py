"""Load and check the disclosure list: YAML files → validated, versioned RuleSet.

Every problem names its file, line and rule id, so the clerk who edits the list can fix it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .matching import Clause, parse_match
from .registry import RuleKind, all_kinds
from .schema_check import RuleProblem, schema_problems
from .yamlnodes import line_of, load_with_lines

RULES_DIR = Path(__file__).parent / "rules"


class RuleFileError(ValueError):
    """The disclosure list cannot be used; ``problems`` lists every problem found."""

    code = "rule_file_invalid"

    def __init__(self, problems: list[RuleProblem]) -> None:
        self.problems = problems
        self.message = f"信息公开规则清单有 {len(problems)} 处问题，请逐条修改后重新加载"
        self.message_en = f"the disclosure rule list has {len(problems)} problem(s)"
        super().__init__(self.message_en + ":\n" + "\n".join(str(p) for p in problems))

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "message_en": self.message_en,
                "problems": [p.as_dict() for p in self.problems]}


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    file: str
    line: int | None
    match: tuple[Clause, ...]
    audiences: frozenset[str] | None
    facets: tuple[tuple[RuleKind, Any], ...]
    description_en: str = ""

    def applies_to(self, audience_kind: str) -> bool:
        return self.audiences is None or audience_kind in self.audiences


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    version: str
    files: tuple[str, ...] = ()

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)


@dataclass
class _Document:
    file: str
    label: str
    data: Any
    lines: dict[tuple[str | int, ...], int]


def _rule_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return [path]


def _read(path: Path, problems: list[RuleProblem]) -> _Document | None:
    label = str(path)
    try:
        data, lines, duplicates = load_with_lines(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(RuleProblem("rule_file_unreadable", f"无法读取规则文件（{exc}）",
                                    f"cannot read the rule file ({exc})", label))
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problems.append(RuleProblem("rule_yaml_syntax", f"YAML 格式错误：{exc}", f"YAML syntax error: {exc}",
                                    label, line))
        return None
    for dup in duplicates:
        problems.append(RuleProblem("rule_duplicate_key", f"键 “{dup.key}” 重复出现，后者会覆盖前者",
                                    f"key {dup.key!r} appears twice; the later one would win silently",
                                    label, dup.line, _rule_id(data, dup.path)))
    return _Document(path.name, label, data, lines)


def _rule_id(data: Any, path: tuple[str | int, ...]) -> str | None:
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int) and isinstance(data, Mapping):
        rules = data.get("rules")
        if isinstance(rules, list) and path[1] < len(rules) and isinstance(rules[path[1]], Mapping):
            rule_id = rules[path[1]].get("id")
            return str(rule_id) if rule_id is not None else None
    return None


def _kind_problems(doc: _Document, kinds: dict[str, RuleKind]) -> list[RuleProblem]:
    problems = []
    for index, raw in enumerate(doc.data["rules"]):
        for key, kind in kinds.items():
            if key not in raw:
                continue
            line = line_of(doc.lines, ("rules", index, key))
            problems += [RuleProblem(code, zh, en, doc.label, line, raw["id"], f"rules[{index}].{key}")
                         for code, zh, en in kind.check(raw[key])]
    return problems


def _document_problems(doc: _Document, kinds: dict[str, RuleKind]) -> list[RuleProblem]:
    if doc.data is None:
        return [RuleProblem("rule_file_empty", "规则文件为空：应包含 rules 列表", "the rule file is empty",
                            doc.label, 1)]
    found = schema_problems(doc.data, doc.lines, doc.label, kinds, lambda p: _rule_id(doc.data, p))
    return found or _kind_problems(doc, kinds)


def _duplicate_ids(docs: list[_Document]) -> list[RuleProblem]:
    seen: dict[str, str] = {}
    problems = []
    for doc in docs:
        for index, raw in enumerate(doc.data["rules"]):
            if raw["id"] in seen:
                problems.append(RuleProblem(
                    "rule_duplicate_id", f"规则编号 {raw['id']} 已在 {seen[raw['id']]} 中使用",
                    f"rule id {raw['id']} is already used in {seen[raw['id']]}", doc.label,
                    line_of(doc.lines, ("rules", index, "id")), raw["id"]))
            seen.setdefault(raw["id"], doc.file)
    return problems


def _build_rule(doc: _Document, index: int, raw: Mapping[str, Any], kinds: dict[str, RuleKind]) -> Rule:
    facets = tuple((kind, kind.parse(raw[key])) for key, kind in kinds.items() if key in raw)
    audiences = frozenset(raw["audiences"]) if "audiences" in raw else None
    return Rule(raw["id"], raw["description"], doc.file, line_of(doc.lines, ("rules", index)),
                parse_match(raw.get("match")), audiences, facets, raw.get("description_en", ""))


def _version(docs: list[_Document]) -> str:
    canonical = json.dumps([{"file": d.file, "content": d.data} for d in docs], sort_keys=True,
                           ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _collect(path: Path) -> tuple[list[_Document], list[RuleProblem]]:
    problems: list[RuleProblem] = []
    files = _rule_files(Path(path))
    if not files:
        problems.append(RuleProblem("rule_dir_empty", "规则目录中没有 .yaml 文件", "no .yaml rule files found",
                                    str(path)))
    docs = [d for d in (_read(f, problems) for f in files) if d is not None]
    kinds = all_kinds()
    for doc in docs:
        problems += _document_problems(doc, kinds)
    if not problems:
        problems += _duplicate_ids(docs)
    return docs, problems


def check_rules(path: Path) -> list[RuleProblem]:
    """Every problem in a rule file or folder of rule files; empty when the list is usable."""
    return _collect(path)[1]


def load_ruleset(path: Path | None = None) -> RuleSet:
    """Load a rule file or folder (default: the shipped list); raises RuleFileError on any problem."""
    docs, problems = _collect(path if path is not None else RULES_DIR)
    if problems:
        raise RuleFileError(problems)
    return _assemble(docs)


def _assemble(docs: list[_Document]) -> RuleSet:
    kinds = all_kinds()
    rules = tuple(_build_rule(doc, i, raw, kinds) for doc in docs for i, raw in enumerate(doc.data["rules"]))
    return RuleSet(rules, _version(docs), tuple(d.file for d in docs))


def ruleset_from_documents(documents: Mapping[str, Any]) -> RuleSet:
    """Build a RuleSet from already-parsed documents ({file name: content}); for previews and tests."""
    docs = [_Document(name, name, data, {}) for name, data in sorted(documents.items())]
    kinds = all_kinds()
    problems = [p for doc in docs for p in _document_problems(doc, kinds)]
    problems += [] if problems else _duplicate_ids(docs)
    if problems:
        raise RuleFileError(problems)
    return _assemble(docs)
