"""``channels``: the egress paths allowed (portal, download, data_api, dcat, bulk); rules intersect."""

from __future__ import annotations

from typing import Any

from ..draft import DecisionDraft, RuleContext
from ..registry import rule_kind


def parse(value: Any) -> frozenset[str]:
    return frozenset(value)


@rule_kind("channels", title="发布渠道", title_en="channels", schema={"$ref": "#/$defs/channels"}, parse=parse)
def contribute(draft: DecisionDraft, value: frozenset[str], ctx: RuleContext) -> None:
    draft.restrict_channels(value, ctx)
