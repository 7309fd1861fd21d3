"""``min_aggregation``: rows may go out at no finer than this period (hour, day, month).

Without an ``aggregate`` rule it aggregates by every non-numeric field with all statistics."""

from __future__ import annotations

from ..draft import DecisionDraft, RuleContext
from ..model import Aggregate
from ..registry import rule_kind


def parse(value: str) -> Aggregate:
    return Aggregate(period=value)


@rule_kind("min_aggregation", title="最小汇总粒度", title_en="minimum aggregation",
           schema={"$ref": "#/$defs/min_aggregation"}, parse=parse)
def contribute(draft: DecisionDraft, value: Aggregate, ctx: RuleContext) -> None:
    draft.require_aggregate(value, ctx)
