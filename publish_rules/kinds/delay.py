"""``delay``: publish a row only once it is this old (``1h``, ``24h``, ``P1D`` …); the longest wins."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..draft import DecisionDraft, RuleContext
from ..durations import parse_duration
from ..registry import rule_kind


def check(value: Any) -> list[tuple[str, str, str]]:
    try:
        parse_duration(value)
    except ValueError:
        return [("rule_bad_delay", f"延迟 “{value}” 无法识别：请写成 30m、1h、24h、2d 或 P1D、PT1H",
                 f"delay {value!r} is not understood: write 30m, 1h, 24h, 2d or P1D, PT1H")]
    return []


@rule_kind("delay", title="发布延迟", title_en="publication delay", schema={"$ref": "#/$defs/delay"},
           parse=parse_duration, check=check)
def contribute(draft: DecisionDraft, value: timedelta, ctx: RuleContext) -> None:
    draft.require_delay(value, ctx)
