"""evaluate(subject, ruleset, audience) -> Decision: the most restrictive matching rule wins per facet.

Pure: the same subject, rule set and audience always give the same decision.
"""

from __future__ import annotations

from datetime import timedelta

from .draft import DecisionDraft, RuleContext
from .floor import dataset_level, may_list, may_receive
from .loader import RuleSet
from .matching import matches
from .model import CHANNELS, LEVEL_LABELS, LEVELS, Audience, Decision, FieldAction, Reason, Subject

_OUTCOME_TEXT = {"release": ("发布数据", "data released"), "metadata_only": ("仅公开目录信息", "metadata only"),
                 "deny": ("不予提供", "denied")}


def _owner_decision(subject: Subject, ruleset: RuleSet, audience: Audience) -> Decision:
    reason = Reason("audience", "数据提供部门本部门：可见全部数据，不做脱敏",
                    "the owning department sees everything, unredacted")
    return Decision("release", {f.name: FieldAction() for f in subject.fields}, frozenset(), (), None,
                    timedelta(0), None, CHANNELS, (reason,), audience, "public", subject.name,
                    ruleset.version, full_access=True)


def _effective_audience(subject: Subject, audience: Audience, reasons: list[Reason]) -> Audience:
    """A grant that does not cover this dataset gives no more than a public user has."""
    if audience.kind == "grant" and audience.grant_scope and not audience.grant_scope.covers(subject):
        reasons.append(Reason("audience", "授权范围不含本数据集：按公众处理",
                              "the grant does not cover this dataset: treated as public"))
        return Audience.public()
    if audience.kind == "owner":
        reasons.append(Reason("audience", f"{audience.department} 不是提供部门：按政务用户处理",
                              f"{audience.department} does not own the dataset: treated as government"))
        return Audience.government(audience.department)
    return audience


def _apply_rules(draft: DecisionDraft, ruleset: RuleSet) -> None:
    for rule in ruleset.rules:
        if not rule.applies_to(draft.audience.kind) or not matches(rule.match, draft.subject):
            continue
        ctx = RuleContext(rule.id, rule.file, rule.line, draft.subject, draft.audience)
        for kind, value in rule.facets:
            kind.contribute(draft, value, ctx)


def _apply_floor(draft: DecisionDraft) -> None:
    floor = dataset_level(draft.subject)
    if LEVELS.index(floor) < LEVELS.index(draft.level):
        zh, en = LEVEL_LABELS[floor]
        draft.note(Reason("open", f"数据集自身属性（{draft.subject.open_type}/{draft.subject.share_type}）"
                                  f"限定开放级别不高于“{zh}”",
                          f"the dataset's own attributes ({draft.subject.open_type}/{draft.subject.share_type}) "
                          f"cap openness at '{en}'", "<dataset>"))
        draft.level = floor


def _apply_grant_fields(draft: DecisionDraft) -> None:
    scope = draft.audience.grant_scope
    if draft.audience.kind != "grant" or scope is None or scope.fields is None:
        return
    for name in draft.subject.field_names():
        if name not in scope.fields:
            draft.fields[name] = FieldAction("drop")
            draft.note(Reason(f"field:{name}", f"字段 {name}：不在授权范围内，删除",
                              f"field {name}: outside the grant's scope, dropped", "<grant>"))


def _outcome(draft: DecisionDraft) -> str:
    if may_receive(draft.subject, draft.audience, draft.level, draft.share_with):
        if draft.channels:
            return "release"
        draft.note(Reason("channels", "没有任何可用发布渠道：仅公开目录信息",
                          "no channel left: metadata only"))
    return "metadata_only" if may_list(draft.subject, draft.audience, draft.level) else "deny"


def evaluate(subject: Subject, ruleset: RuleSet, audience: Audience) -> Decision:
    """Decide what ``audience`` may receive of ``subject`` under ``ruleset``, with every reason."""
    if audience.kind == "owner" and audience.department == subject.department:
        return _owner_decision(subject, ruleset, audience)
    preface: list[Reason] = []
    draft = DecisionDraft(subject, _effective_audience(subject, audience, preface))
    draft.reasons.extend(preface)
    _apply_rules(draft, ruleset)
    _apply_floor(draft)
    _apply_grant_fields(draft)
    outcome = _outcome(draft)
    zh, en = _OUTCOME_TEXT[outcome]
    draft.note(Reason("outcome", f"结论：{zh}", f"outcome: {en}"))
    fields = {f.name: draft.fields.get(f.name, FieldAction()) for f in subject.fields}
    fields.update(draft.fields)
    dropped = frozenset(n for n, a in fields.items() if a.action == "drop")
    return Decision(outcome, fields, dropped, tuple(draft.row_filters), draft.aggregate, draft.delay,
                    draft.license, draft.channels, tuple(draft.reasons), audience, draft.level, subject.name,
                    ruleset.version)
