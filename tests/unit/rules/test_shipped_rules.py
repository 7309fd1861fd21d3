"""The city's shipped disclosure list loads clean and decides the demo scenarios as documented."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from publish_rules import RULES_DIR, Audience, Subject, check_rules, evaluate, explain, load_ruleset

PUBLIC = Audience.public()
GOV = Audience.government("cq-slj")
OWNER = Audience.owner("cq-sthjj")


def test_shipped_rules_load_clean(shipped) -> None:
    assert check_rules(RULES_DIR) == []
    assert len(shipped.version) == 64
    assert {"default-follow-dataset", "air-hourly-delay", "pollution-source-daily", "pollution-source-contacts",
            "radiation-location-round", "personal-fields-drop", "public-normal-flag-only",
            "cq-wjw-not-released"} <= {r.id for r in shipped.rules}


def test_version_ignores_comments_but_not_content(tmp_path, shipped) -> None:
    for source in RULES_DIR.glob("*.yaml"):
        (tmp_path / source.name).write_text("# 复核意见：无\n" + source.read_text(encoding="utf-8"), "utf-8")
    assert load_ruleset(tmp_path).version == shipped.version
    air = tmp_path / "10-monitoring.yaml"
    air.write_text(air.read_text(encoding="utf-8").replace("delay: 1h", "delay: 2h"), "utf-8")
    assert load_ruleset(tmp_path).version != shipped.version


@pytest.mark.parametrize(("audience", "delay", "filters"), [
    (PUBLIC, timedelta(hours=1), {("flag", "keep_if_in", ("N",))}),
    (GOV, timedelta(hours=1), set()),
    (Audience.grant(["cq-air-hourly-2026"]), timedelta(hours=1), set()),
])
def test_air_hourly_goes_out_an_hour_late(subjects, shipped, audience, delay, filters) -> None:
    decision = evaluate(subjects["air"](), shipped, audience)
    assert decision.outcome == "release"
    assert decision.delay == delay
    assert {(f.field, f.op, f.values) for f in decision.row_filters} == filters
    assert decision.dropped_fields == {"maintainer_phone"}
    assert decision.license == "cn-gov-open-1.0"


def test_air_realtime_without_the_table_schema_is_delayed_too(subjects, shipped) -> None:
    subject = subjects["air"](table_schema=None, name="cq-air-realtime-wanzhou")
    assert evaluate(subject, shipped, PUBLIC).delay == timedelta(hours=1)
    monthly = subjects["air"](table_schema=None, update_cycle="每月")
    assert evaluate(monthly, shipped, PUBLIC).delay == timedelta(0)


def test_air_owner_gets_everything_immediately(subjects, shipped) -> None:
    decision = evaluate(subjects["air"](), shipped, OWNER)
    assert decision.delay == timedelta(0) and decision.dropped_fields == frozenset()


CONTACTS = {"contact_person", "contact_phone"}


@pytest.mark.parametrize(("audience", "aggregated"), [
    (PUBLIC, True), (Audience.grant(["cq-pollution-source-online"]), True), (GOV, False)])
def test_pollution_source_daily_aggregates_without_contacts(subjects, shipped, audience, aggregated) -> None:
    decision = evaluate(subjects["pollution"](), shipped, audience)
    assert decision.outcome == "release"
    assert decision.dropped_fields & set(subjects["pollution"]().field_names()) == CONTACTS
    # named in the rule but not declared: still dropped, in case such a column turns up in the data
    assert {"contact_email", "legal_representative"} <= decision.dropped_fields
    if aggregated:
        assert decision.aggregate is not None and decision.aggregate.period == "day"
        assert decision.aggregate.group_by == ("mn", "enterprise_name", "credit_code", "outlet_code",
                                               "district_code", "factor_code", "unit")
        assert decision.aggregate.functions == {"mean", "min", "max", "count"}
    else:
        assert decision.aggregate is None


def test_aggregation_keys_the_dataset_lacks_are_left_out(subjects, shipped) -> None:
    fields = tuple(f for f in subjects["pollution"]().fields if f.name not in ("credit_code", "unit"))
    decision = evaluate(subjects["pollution"](fields=fields), shipped, PUBLIC)
    assert decision.aggregate is not None
    assert decision.aggregate.group_by == ("mn", "enterprise_name", "outlet_code", "district_code", "factor_code")


def test_pollution_source_owner_sees_contacts(subjects, shipped) -> None:
    decision = evaluate(subjects["pollution"](), shipped, OWNER)
    assert decision.dropped_fields == frozenset() and decision.aggregate is None


@pytest.mark.parametrize(("audience", "outcome", "decimals", "channels"), [
    (PUBLIC, "metadata_only", 2, {"portal", "download", "data_api", "dcat", "bulk"}),
    (Audience.grant(["cq-radiation-sources"]), "release", 2, {"download", "data_api"}),
    (GOV, "release", 4, {"portal", "download", "data_api", "dcat", "bulk"}),
])
def test_radiation_locations_rounded(subjects, shipped, audience, outcome, decimals, channels) -> None:
    decision = evaluate(subjects["radiation"](), shipped, audience)
    assert decision.outcome == outcome
    for name in ("lon", "lat"):
        assert decision.fields[name].action == "round"
        assert decision.fields[name].decimals == decimals
    assert decision.fields["safety_officer"].action == "drop"
    assert decision.channels == channels


def test_radiation_owner_keeps_precise_locations(subjects, shipped) -> None:
    decision = evaluate(subjects["radiation"](), shipped, OWNER)
    assert decision.fields["lon"].action == "keep"


@pytest.mark.parametrize("audience", [PUBLIC, GOV, Audience.grant(["cq-drinking-water-health"])])
def test_health_commission_datasets_are_not_released(subjects, shipped, audience) -> None:
    decision = evaluate(subjects["health"](), shipped, audience)
    assert decision.outcome == "deny"
    assert any(r.rule_id == "cq-wjw-not-released" for r in decision.reasons)


def test_health_commission_older_department_code_matches_too(subjects, shipped) -> None:
    assert evaluate(subjects["health"](department="cq-wjw"), shipped, PUBLIC).outcome == "deny"


def test_health_commission_owner_still_sees_its_data(subjects, shipped) -> None:
    assert evaluate(subjects["health"](), shipped, Audience.owner("cq-wsjkw")).outcome == "release"


def test_personal_fields_dropped_for_every_outside_audience(subjects, shipped) -> None:
    subject = subjects["radiation"](open_type="无条件开放")
    for audience in (PUBLIC, GOV, Audience.grant([subject.name])):
        assert "safety_officer" in evaluate(subject, shipped, audience).dropped_fields


def test_default_rule_follows_the_dataset_attributes(subjects, shipped) -> None:
    closed = subjects["air"](open_type="不予开放", share_type="无条件共享", themes=("noise",),
                             update_cycle="每月", table_schema=None)
    assert evaluate(closed, shipped, PUBLIC).outcome == "deny"
    assert evaluate(closed, shipped, GOV).outcome == "release"
    assert evaluate(closed, shipped, Audience.grant([closed.name])).outcome == "deny"


def test_explain_is_chinese_first_then_english(subjects, shipped) -> None:
    text = explain(evaluate(subjects["pollution"](), shipped, PUBLIC))
    chinese, english = text.split("--- English ---")
    assert "结论：发布数据" in chinese and "contact_phone: 删除" in chinese
    assert "pollution-source-contacts (20-pollution-source.yaml:" in chinese
    assert "Outcome: release the data" in english and "contact_phone: drop" in english
    assert "汇总: 日" in chinese and "Aggregation: day" in english


def test_decision_dict_round_trips_through_json(subjects, shipped) -> None:
    decision = evaluate(subjects["radiation"](), shipped, GOV)
    data = json.loads(json.dumps(decision.to_dict(), ensure_ascii=False))
    assert data["fields"]["lat"] == {"action": "round", "decimals": 4}
    assert data["audience"] == {"kind": "government", "department": "cq-slj"}


def test_subject_from_a_catalogue_record(make_record, shipped) -> None:
    record = make_record()
    subject = Subject.from_record(record)
    assert subject.department == "cq-sthjj" and subject.update_cycle == "实时"
    assert subject.field_names() == tuple(e["name"] for e in record["data_elements"])
    assert evaluate(subject, shipped, PUBLIC).delay == timedelta(hours=1)
