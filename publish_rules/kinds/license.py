"""``license``: the licence id the release carries (from schemas/vocab/licenses)."""

from __future__ import annotations

from ..draft import DecisionDraft, RuleContext
from ..registry import rule_kind


@rule_kind("license", title="许可协议", title_en="licence", schema={"$ref": "#/$defs/license"})
def contribute(draft: DecisionDraft, value: str, ctx: RuleContext) -> None:
    draft.offer_license(value, ctx)
