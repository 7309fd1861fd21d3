"""Decision tables: subject × audience × rule set → outcome, field actions, delay, channels."""

from __future__ import annotations

from datetime import timedelta

import pytest

from publish_rules import Audience, evaluate, ruleset_from_documents

ALL = ["portal", "download", "data_api", "dcat", "bulk"]
RULES = ruleset_from_documents({"table.yaml": {"rules": [
    {"id": "base", "description": "跟随数据集属性", "open": "dataset", "channels": ALL, "license": "cc-by-4.0"},
    {"id": "water-government-only", "description": "地表水仅向水利、生态环境部门共享",
     "match": {"themes": ["surface-water"]}, "open": {"level": "government", "share_with": ["cq-slj", "cq-sthjj"]}},
    {"id": "personal-by-audience", "description": "个人信息：政务遮盖，其余删除",
     "match": {"field_tags": ["personal"]},
     "fields": [{"tag": "personal", "action": "mask", "keep_first": 1, "audiences": ["government"]},
                {"tag": "personal", "action": "drop", "audiences": ["public", "grant"]}]},
    {"id": "realtime-public", "description": "实时数据对公众按小时粗化、延迟30分钟",
     "match": {"update_cycles": ["实时"]}, "audiences": ["public"],
     "fields": [{"field": "time", "action": "coarsen", "unit": "hour"}], "delay": "PT30M"},
    {"id": "air-two-hours", "description": "大气数据延迟2小时，不进入订阅与批量包",
     "match": {"themes": ["air"]}, "delay": "2h", "channels": ["portal", "download", "data_api"]},
    {"id": "online-no-download", "description": "在线监控数据不提供下载",
     "match": {"tags": ["在线监控"]}, "channels": ["portal", "dcat", "bulk", "data_api"]},
]}})

PUBLIC = Audience.public()
SLJ = Audience.government("cq-slj")
JTJ = Audience.government("cq-jtj")

CASES = [
    # subject, overrides, audience, outcome, {field: action}, delay, channels
    ("air", {}, PUBLIC, "release", {"maintainer_phone": "drop", "time": "coarsen", "pm25": "keep"},
     timedelta(hours=2), {"portal", "download", "data_api"}),
    ("air", {}, SLJ, "release", {"maintainer_phone": "mask", "time": "keep"},
     timedelta(hours=2), {"portal", "download", "data_api"}),
    ("air", {}, Audience.grant(["cq-air-hourly-2026"]), "release", {"maintainer_phone": "drop"},
     timedelta(hours=2), {"portal", "download", "data_api"}),
    ("air", {"open_type": "有条件开放"}, PUBLIC, "metadata_only", {"maintainer_phone": "drop"},
     timedelta(hours=2), {"portal", "download", "data_api"}),
    ("air", {"open_type": "不予开放", "share_type": "不予共享"}, PUBLIC, "deny", {}, timedelta(hours=2),
     {"portal", "download", "data_api"}),
    ("air", {"open_type": "不予开放", "share_type": "无条件共享"}, SLJ, "release", {"maintainer_phone": "mask"},
     timedelta(hours=2), {"portal", "download", "data_api"}),
    ("air", {"open_type": "不予开放", "share_type": "有条件共享"}, SLJ, "metadata_only", {}, timedelta(hours=2),
     {"portal", "download", "data_api"}),
    ("pollution", {}, PUBLIC, "release", {"contact_phone": "drop", "avg": "keep"}, timedelta(minutes=30),
     {"portal", "dcat", "bulk", "data_api"}),
    ("pollution", {"themes": ("air", "pollution-source")}, PUBLIC, "release", {}, timedelta(hours=2),
     {"portal", "data_api"}),
    ("radiation", {"themes": ("surface-water",)}, SLJ, "release", {"safety_officer": "mask"}, timedelta(0),
     set(ALL)),
    ("radiation", {"themes": ("surface-water",)}, JTJ, "metadata_only", {}, timedelta(0), set(ALL)),
    ("radiation", {"themes": ("surface-water",), "open_type": "无条件开放"}, PUBLIC, "metadata_only", {},
     timedelta(0), set(ALL)),
    ("radiation", {}, Audience.grant(["216005/000004"]), "release", {"safety_officer": "drop"},
     timedelta(0), set(ALL)),
    ("radiation", {}, Audience.grant(["cq-other"]), "metadata_only", {"safety_officer": "drop"},
     timedelta(0), set(ALL)),
]


@pytest.mark.parametrize(("kind", "overrides", "audience", "outcome", "actions", "delay", "channels"), CASES)
def test_decision_table(subjects, kind, overrides, audience, outcome, actions, delay, channels) -> None:
    decision = evaluate(subjects[kind](**overrides), RULES, audience)
    assert decision.outcome == outcome
    assert {name: decision.fields[name].action for name in actions} == actions
    assert decision.delay == delay
    assert decision.channels == frozenset(channels)
    assert decision.dropped_fields == {n for n, a in decision.fields.items() if a.action == "drop"}


def test_mask_parameters_reach_the_decision(subjects) -> None:
    decision = evaluate(subjects["air"](), RULES, SLJ)
    assert decision.fields["maintainer_phone"].to_dict() == {"action": "mask", "keep_first": 1, "keep_last": 0,
                                                           "char": "*"}


def test_every_contribution_names_its_rule_and_file(subjects) -> None:
    decision = evaluate(subjects["air"](), RULES, PUBLIC)
    by_facet = {(r.facet, r.rule_id) for r in decision.reasons}
    assert ("delay", "realtime-public") in by_facet
    assert ("delay", "air-two-hours") in by_facet
    assert ("field:maintainer_phone", "personal-by-audience") in by_facet
    assert all(r.file == "table.yaml" for r in decision.reasons if r.rule_id not in (None, "<dataset>"))


def test_owner_sees_everything_even_when_rules_close_the_dataset(subjects, shipped) -> None:
    subject = subjects["health"]()
    decision = evaluate(subject, shipped, Audience.owner("cq-wsjkw"))
    assert decision.outcome == "release" and decision.full_access
    assert all(a.action == "keep" for a in decision.fields.values())
    assert decision.delay == timedelta(0) and not decision.row_filters and decision.aggregate is None


def test_owner_of_another_department_is_only_a_government_user(subjects, shipped) -> None:
    decision = evaluate(subjects["health"](), shipped, Audience.owner("cq-sthjj"))
    assert decision.outcome == "deny" and not decision.full_access
    assert any(r.facet == "audience" for r in decision.reasons)


def test_a_rule_cannot_open_a_closed_dataset(subjects) -> None:
    opening = ruleset_from_documents({"open.yaml": {"rules": [
        {"id": "open-everything", "description": "全部无条件开放", "open": "public"}]}})
    closed = subjects["air"](open_type="不予开放", share_type="不予共享")
    decision = evaluate(closed, opening, PUBLIC)
    assert decision.outcome == "deny"
    assert decision.level == "none"
    assert any(r.rule_id == "<dataset>" and r.facet == "open" for r in decision.reasons)


def test_to_dict_is_json_ready(subjects) -> None:
    import json

    decision = evaluate(subjects["pollution"](), RULES, PUBLIC)
    data = json.loads(json.dumps(decision.to_dict(), ensure_ascii=False))
    assert data["outcome"] == "release"
    assert data["delay_seconds"] == 1800
    assert data["fields"]["time"] == {"action": "coarsen", "unit": "hour"}
    assert data["ruleset_version"] == RULES.version
