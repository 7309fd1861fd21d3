"""explain(decision): a field-by-field account of a decision, Chinese first, English second."""

from __future__ import annotations

from .durations import format_duration
from .model import ACTION_LABELS, LEVEL_LABELS, PERIOD_LABELS, Decision, Reason

_OUTCOMES = {"release": ("发布数据", "release the data"), "metadata_only": ("仅公开目录信息（元数据）", "metadata only"),
             "deny": ("不予提供", "deny")}
_AUDIENCES = {"public": ("社会公众", "the public"), "government": ("政务部门用户", "government users"),
              "grant": ("获批授权的申请人", "holder of an approved grant"), "owner": ("数据提供部门", "the owner")}


def _source(reason: Reason) -> str:
    if reason.rule_id is None:
        return ""
    where = f"{reason.file}:{reason.line}" if reason.file and reason.line else (reason.file or "")
    return f" ← {reason.rule_id}" + (f" ({where})" if where else "")


def _field_lines(decision: Decision, english: bool) -> list[str]:
    lines = []
    for name, action in decision.fields.items():
        label = ACTION_LABELS[action.action][1 if english else 0]
        params = {k: v for k, v in action.to_dict().items() if k != "action"}
        shown = f" {params}" if params else ""
        why = [r for r in decision.reasons if r.facet == f"field:{name}"]
        sources = "".join(_source(r) for r in why)
        lines.append(f"  - {name}: {label}{shown}{sources}")
    return lines


def _facet_lines(decision: Decision, english: bool) -> list[str]:
    i = 1 if english else 0
    agg = decision.aggregate
    rows = [
        ("Openness" if english else "开放级别", LEVEL_LABELS[decision.level][i]),
        ("Delay" if english else "发布延迟", format_duration(decision.delay)),
        ("Aggregation" if english else "汇总", f"{PERIOD_LABELS[agg.period][i]} {sorted(agg.functions)} "
         f"group by {list(agg.group_by) if agg.group_by is not None else '*'}" if agg else "-"),
        ("Row filters" if english else "行过滤",
         "; ".join(f"{f.field} {f.op} {list(f.values) or f.pattern or ''}" for f in decision.row_filters) or "-"),
        ("Channels" if english else "发布渠道", ", ".join(sorted(decision.channels)) or "-"),
        ("Licence" if english else "许可协议", decision.license or "-"),
    ]
    return [f"{k}: {v}" for k, v in rows]


def _reason_lines(decision: Decision, english: bool) -> list[str]:
    return [f"  - [{r.facet}] {r.detail_en if english else r.detail}{_source(r)}" for r in decision.reasons
            if not r.facet.startswith("field:")]


def _part(decision: Decision, english: bool) -> list[str]:
    i = 1 if english else 0
    head = (f"Dataset {decision.dataset}, audience: {_AUDIENCES[decision.audience.kind][1]}" if english
            else f"数据集 {decision.dataset}，受众：{_AUDIENCES[decision.audience.kind][0]}")
    outcome = ("Outcome: " if english else "结论：") + _OUTCOMES[decision.outcome][i]
    fields_head = "Fields:" if english else "字段："
    reasons_head = "Reasons:" if english else "依据："
    return [head, outcome, *_facet_lines(decision, english), fields_head, *_field_lines(decision, english),
            reasons_head, *_reason_lines(decision, english)]


def explain(decision: Decision) -> str:
    version = f"规则集版本 / rule set version: {decision.ruleset_version[:12]}"
    return "\n".join([*_part(decision, False), "", "--- English ---", *_part(decision, True), version])
