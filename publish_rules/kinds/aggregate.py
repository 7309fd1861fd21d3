"""``aggregate``: publish per-period statistics (mean/min/max/count of numeric fields) grouped by
key fields instead of rows.  The coarsest period, the common statistics and common keys win."""

from __future__ import annotations

from typing import Any

from ..draft import DecisionDraft, RuleContext
from ..model import AGG_FUNCTIONS, Aggregate
from ..registry import rule_kind


def parse(value: Any) -> Aggregate:
    functions = frozenset(value.get("functions") or AGG_FUNCTIONS)
    group_by = value.get("group_by")
    return Aggregate(value["period"], functions, tuple(group_by) if group_by is not None else None,
                     value.get("time_field"))


def _known_keys(aggregate: Aggregate, declared: tuple[str, ...]) -> Aggregate:
    # Keys the dataset does not have cannot group anything; leaving them out only coarsens.
    if aggregate.group_by is None or not declared:
        return aggregate
    keys = tuple(k for k in aggregate.group_by if k in declared)
    return Aggregate(aggregate.period, aggregate.functions, keys, aggregate.time_field)


@rule_kind("aggregate", title="汇总发布", title_en="aggregation", schema={"$ref": "#/$defs/aggregate"},
           parse=parse)
def contribute(draft: DecisionDraft, value: Aggregate, ctx: RuleContext) -> None:
    draft.require_aggregate(_known_keys(value, ctx.subject.field_names()), ctx)
