"""``open``: how widely a dataset may go — public, government (optionally only some departments),
conditional (approved grant only), none — or ``dataset`` to follow the dataset's own 开放属性."""

from __future__ import annotations

from typing import Any

from ..draft import DecisionDraft, RuleContext
from ..floor import dataset_level
from ..registry import rule_kind

Parsed = tuple[str, frozenset[str] | None]


def parse(value: Any) -> Parsed:
    if isinstance(value, str):
        return value, None
    share_with = value.get("share_with")
    return value["level"], frozenset(share_with) if share_with is not None else None


@rule_kind("open", title="开放级别", title_en="openness level", schema={"$ref": "#/$defs/open"}, parse=parse)
def contribute(draft: DecisionDraft, value: Parsed, ctx: RuleContext) -> None:
    level, share_with = value
    if level == "dataset":
        level = dataset_level(ctx.subject)
    draft.restrict_open(level, ctx, share_with)
