"""``fields``: per-field actions — keep, drop, mask, round, coarsen — chosen by field name or by a
tag on the table-schema field, optionally only for some audiences.  Per field the strictest wins."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..draft import DecisionDraft, RuleContext
from ..model import FieldAction
from ..registry import rule_kind

# Which optional keys belong to which action; anything else is a mistake worth reporting.
PARAMS = {"keep": set(), "drop": set(), "mask": {"keep_first", "keep_last", "char"}, "round": {"decimals"},
          "coarsen": {"unit"}}
ALL_PARAMS = set().union(*PARAMS.values())


@dataclass(frozen=True)
class FieldRule:
    names: frozenset[str]
    tags: frozenset[str]
    action: FieldAction
    audiences: frozenset[str] | None

    def selects(self, name: str, tags: Iterable[str]) -> bool:
        return name in self.names or not self.tags.isdisjoint(tags)


def _names(value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    return frozenset([value] if isinstance(value, str) else value)


def _action(entry: dict[str, Any]) -> FieldAction:
    return FieldAction(entry["action"], keep_first=entry.get("keep_first", 0),
                       keep_last=entry.get("keep_last", 0), mask_char=entry.get("char", "*"),
                       decimals=entry.get("decimals", 0), unit=entry.get("unit", "day"))


def parse(value: list[dict[str, Any]]) -> tuple[FieldRule, ...]:
    return tuple(FieldRule(_names(e.get("field")), _names(e.get("tag")), _action(e),
                           frozenset(e["audiences"]) if "audiences" in e else None) for e in value)


def check(value: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    problems = []
    for index, entry in enumerate(value):
        stray = sorted((set(entry) & ALL_PARAMS) - PARAMS[entry["action"]])
        if stray:
            problems.append(("rule_bad_action_param",
                             f"fields 第 {index + 1} 项：动作 {entry['action']} 不使用参数 {stray}",
                             f"fields item {index + 1}: action {entry['action']} takes no {stray}"))
    return problems


@rule_kind("fields", title="字段处理", title_en="field actions", schema={"$ref": "#/$defs/fields"},
           parse=parse, check=check)
def contribute(draft: DecisionDraft, value: tuple[FieldRule, ...], ctx: RuleContext) -> None:
    declared = {f.name: f.tags for f in ctx.subject.fields}
    for rule in value:
        if rule.audiences is not None and ctx.audience.kind not in rule.audiences:
            continue
        # Names given explicitly are acted on even if undeclared, so a stray column still gets redacted.
        targets = set(rule.names) | {n for n, tags in declared.items() if rule.selects(n, tags)}
        for name in sorted(targets):
            hit = sorted(rule.tags.intersection(declared.get(name, ())))
            why = f"（标签 {hit[0]}）" if hit else ""
            draft.restrict_field(name, rule.action, ctx, why)
