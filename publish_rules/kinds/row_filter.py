"""``row_filter``: keep only rows whose field is in a set, or drop rows whose field is in a set,
matches a regular expression, or is empty.  Every filter of every matching rule applies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..draft import DecisionDraft, RuleContext
from ..model import RowFilter
from ..registry import rule_kind

OPS = ("keep_if_in", "drop_if_in", "drop_if_matches", "drop_if_null")


@dataclass(frozen=True)
class FilterRule:
    field: str | None
    tag: str | None
    op: str
    values: tuple[str, ...]
    pattern: str | None
    audiences: frozenset[str] | None


def _one(entry: dict[str, Any]) -> FilterRule:
    op = next(o for o in OPS if o in entry)
    arg = entry[op]
    values = tuple(str(v) for v in arg) if op in ("keep_if_in", "drop_if_in") else ()
    pattern = arg if op == "drop_if_matches" else None
    audiences = frozenset(entry["audiences"]) if "audiences" in entry else None
    return FilterRule(entry.get("field"), entry.get("tag"), op, values, pattern, audiences)


def parse(value: list[dict[str, Any]]) -> tuple[FilterRule, ...]:
    return tuple(_one(e) for e in value)


def check(value: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    problems = []
    for index, entry in enumerate(value):
        pattern = entry.get("drop_if_matches")
        if pattern is None:
            continue
        try:
            re.compile(pattern)
        except re.error as exc:
            problems.append(("rule_bad_pattern", f"row_filter 第 {index + 1} 项：正则表达式有误（{exc}）",
                             f"row_filter item {index + 1}: bad regular expression ({exc})"))
    return problems


def _targets(rule: FilterRule, ctx: RuleContext) -> list[str]:
    declared = ctx.subject.fields
    if rule.tag is not None:
        return [f.name for f in declared if rule.tag in f.tags]
    if declared and rule.field not in ctx.subject.field_names():
        return []
    return [rule.field] if rule.field else []


@rule_kind("row_filter", title="行过滤", title_en="row filters", schema={"$ref": "#/$defs/row_filter"},
           parse=parse, check=check)
def contribute(draft: DecisionDraft, value: tuple[FilterRule, ...], ctx: RuleContext) -> None:
    for rule in value:
        if rule.audiences is not None and ctx.audience.kind not in rule.audiences:
            continue
        targets = _targets(rule, ctx)
        if not targets:
            what = rule.tag or rule.field
            draft.note(ctx.reason("row_filter", f"行过滤未适用：数据集没有字段 {what}",
                                  f"row filter not applicable: the dataset has no field {what}"))
        for name in targets:
            draft.add_row_filter(RowFilter(name, rule.op, rule.values, rule.pattern, ctx.rule_id), ctx)
