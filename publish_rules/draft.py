"""The decision under construction.  Rule kinds may only *restrict* it, so that adding a rule can
never make a decision less restrictive: every method keeps the stricter of old and new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from .durations import format_duration
from .model import (
    ACTION_LABELS,
    CHANNELS,
    LEVEL_LABELS,
    LEVELS,
    PERIOD_LABELS,
    Aggregate,
    Audience,
    FieldAction,
    Reason,
    RowFilter,
    Subject,
)


@dataclass(frozen=True)
class RuleContext:
    """The rule being applied and what it is applied to."""

    rule_id: str
    file: str
    line: int | None
    subject: Subject
    audience: Audience

    def reason(self, facet: str, detail: str, detail_en: str) -> Reason:
        return Reason(facet, detail, detail_en, self.rule_id, self.file, self.line)


class DecisionDraft:
    def __init__(self, subject: Subject, audience: Audience) -> None:
        self.subject = subject
        self.audience = audience
        self.level = "public"
        self.share_with: frozenset[str] | None = None
        self.fields: dict[str, FieldAction] = {}
        self.row_filters: list[RowFilter] = []
        self.aggregate: Aggregate | None = None
        self.delay = timedelta(0)
        self.license: str | None = None
        self.channels: frozenset[str] = CHANNELS
        self.reasons: list[Reason] = []

    def note(self, reason: Reason) -> None:
        self.reasons.append(reason)

    def restrict_open(self, level: str, ctx: RuleContext, share_with: frozenset[str] | None = None) -> None:
        self.level = min(self.level, level, key=LEVELS.index)
        if share_with is not None:
            self.share_with = share_with if self.share_with is None else self.share_with & share_with
        zh, en = LEVEL_LABELS[level]
        who = f"（限 {'、'.join(sorted(share_with))}）" if share_with else ""
        who_en = f" (only {', '.join(sorted(share_with))})" if share_with else ""
        self.note(ctx.reason("open", f"开放级别不高于“{zh}”{who}", f"openness at most '{en}'{who_en}"))

    def restrict_field(self, name: str, action: FieldAction, ctx: RuleContext, why: str = "") -> None:
        current = self.fields.get(name, FieldAction())
        self.fields[name] = current.stricter(action)
        zh, en = ACTION_LABELS[action.action]
        params = action.to_dict()
        params.pop("action")
        extra = f" {params}" if params else ""
        self.note(ctx.reason(f"field:{name}", f"字段 {name}：{zh}{extra}{why}",
                             f"field {name}: {en}{extra}{why}"))

    def add_row_filter(self, row_filter: RowFilter, ctx: RuleContext) -> None:
        if row_filter in self.row_filters:
            return
        self.row_filters.append(row_filter)
        shown = row_filter.values or (row_filter.pattern,)
        self.note(ctx.reason("row_filter", f"行过滤：{row_filter.field} {row_filter.op} {list(shown)}",
                             f"row filter: {row_filter.field} {row_filter.op} {list(shown)}"))

    def require_aggregate(self, aggregate: Aggregate, ctx: RuleContext) -> None:
        self.aggregate = aggregate if self.aggregate is None else self.aggregate.coarsest(aggregate)
        zh, en = PERIOD_LABELS[aggregate.period]
        self.note(ctx.reason("aggregate", f"至少按{zh}汇总后发布", f"aggregate to at least one {en}"))

    def require_delay(self, delay: timedelta, ctx: RuleContext) -> None:
        self.delay = max(self.delay, delay)
        shown = format_duration(delay)
        self.note(ctx.reason("delay", f"延迟 {shown} 后发布", f"publish after a delay of {shown}"))

    def offer_license(self, license_id: str, ctx: RuleContext) -> None:
        # Licences have no restrictiveness order: the first rule (file order, then rule order) wins
        # and later disagreeing rules are recorded so that a reviewer sees the conflict.
        if self.license is None:
            self.license = license_id
            self.note(ctx.reason("license", f"许可协议 {license_id}", f"licence {license_id}"))
        elif self.license != license_id:
            self.note(ctx.reason("license", f"许可协议 {license_id} 未采用：已由先前规则定为 {self.license}",
                                 f"licence {license_id} not used: an earlier rule set {self.license}"))

    def restrict_channels(self, channels: frozenset[str], ctx: RuleContext) -> None:
        self.channels = self.channels & channels
        shown = "、".join(sorted(channels))
        self.note(ctx.reason("channels", f"仅限渠道 {shown}", f"channels limited to {', '.join(sorted(channels))}"))
