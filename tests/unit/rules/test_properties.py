"""Property-based tests: redaction never leaks, and adding a rule never loosens a decision."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from catalog.redact import apply_decision
from publish_rules import (
    ACTIONS,
    LEVELS,
    PERIODS,
    Audience,
    Decision,
    Subject,
    evaluate,
    ruleset_from_documents,
)

OUTCOMES = ("deny", "metadata_only", "release")
STRINGS = ("station_name", "contact_phone", "contact_person", "flag", "address")
NUMBERS = ("pm25", "lon", "lat", "dose_rate")
STRING_TAGS = ("personal", "enterprise-confidential", "quality-flag")
NOW = datetime(2026, 11, 29, 12, 0)
TEXT = st.text(alphabet="重庆渝中区解放碑两路口张李王0123456789NDMabc", min_size=1, max_size=12)
AUDIENCE_KINDS = ("public", "government", "grant")

SETTINGS = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def subjects(draw: st.DrawFn) -> Subject:
    strings = draw(st.lists(st.sampled_from(STRINGS), unique=True, max_size=len(STRINGS)))
    numbers = draw(st.lists(st.sampled_from(NUMBERS), unique=True, max_size=len(NUMBERS)))
    fields = [("row_id", "integer", ()), ("time", "datetime", ())]
    fields += [(n, "string", tuple(draw(st.sets(st.sampled_from(STRING_TAGS))))) for n in strings]
    fields += [(n, "number", ("precise-location",) if draw(st.booleans()) else ()) for n in numbers]
    return Subject("cq-generated", "cq-sthjj", open_type=draw(st.sampled_from(("无条件开放", "无条件开放", "有条件开放", "不予开放"))),
                   share_type=draw(st.sampled_from(("无条件共享", "有条件共享", "不予共享"))),
                   themes=draw(st.sets(st.sampled_from(("air", "radiation", "pollution-source")), min_size=1)),
                   fields=tuple(fields))


def _selector(draw: st.DrawFn, action: str) -> dict[str, Any]:
    if action == "coarsen":
        return {"field": "time"}
    if action == "round":
        return draw(st.sampled_from([{"tag": "precise-location"}, *({"field": n} for n in NUMBERS)]))
    return draw(st.sampled_from([*({"tag": t} for t in (*STRING_TAGS, "precise-location")),
                                 *({"field": n} for n in (*STRINGS, *NUMBERS))]))


@st.composite
def field_entries(draw: st.DrawFn) -> dict[str, Any]:
    # drop dominates whatever it meets, so mask and round are drawn more often to be seen in outputs
    action = draw(st.sampled_from((*ACTIONS, "mask", "mask", "round")))
    entry = {**_selector(draw, action), "action": action}
    if action == "mask":
        entry.update(keep_first=draw(st.integers(0, 3)), keep_last=draw(st.integers(0, 3)))
    elif action == "round":
        entry["decimals"] = draw(st.integers(0, 4))
    elif action == "coarsen":
        entry["unit"] = draw(st.sampled_from(PERIODS))
    if _seldom(draw):
        entry["audiences"] = sorted(draw(st.sets(st.sampled_from(AUDIENCE_KINDS), min_size=1)))
    return entry


def _often(draw: st.DrawFn) -> bool:
    return draw(st.integers(0, 3)) > 0


def _seldom(draw: st.DrawFn) -> bool:
    return draw(st.integers(0, 3)) == 0


@st.composite
def rules(draw: st.DrawFn, index: int, with_aggregate: bool) -> dict[str, Any]:
    # match and audiences are drawn seldom so that most rules apply and their effects meet
    rule: dict[str, Any] = {"id": f"r{index}", "description": f"生成的规则 {index}"}
    if _seldom(draw):
        rule["match"] = {"themes": sorted(draw(st.sets(st.sampled_from(("air", "radiation", "noise")), min_size=1)))}
    if _seldom(draw):
        rule["audiences"] = sorted(draw(st.sets(st.sampled_from(AUDIENCE_KINDS), min_size=1)))
    if draw(st.booleans()):
        rule["open"] = draw(st.sampled_from((*LEVELS, "dataset")))
    if _often(draw):
        rule["fields"] = draw(st.lists(field_entries(), min_size=1, max_size=4))
    if draw(st.booleans()):
        rule["delay"] = draw(st.sampled_from(("30m", "1h", "2d", "PT90M", "P1D")))
    if _seldom(draw):
        rule["channels"] = sorted(draw(st.sets(st.sampled_from(("portal", "download", "data_api", "dcat", "bulk")))))
    if _seldom(draw):
        op = draw(st.sampled_from(("keep_if_in", "drop_if_in")))
        rule["row_filter"] = [{"field": draw(st.sampled_from(STRINGS)), op: draw(st.lists(TEXT, min_size=1))}]
    if with_aggregate and draw(st.booleans()):
        rule["aggregate"] = {"period": draw(st.sampled_from(PERIODS)),
                             "functions": sorted(draw(st.sets(st.sampled_from(("mean", "min", "max", "count")),
                                                              min_size=1))),
                             "group_by": sorted(draw(st.sets(st.sampled_from(STRINGS))))}
    return rule


def rule_lists(with_aggregate: bool, min_size: int = 0) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.integers(min_size, 5).flatmap(
        lambda n: st.tuples(*(rules(i, with_aggregate) for i in range(n))).map(list))


@st.composite
def audiences(draw: st.DrawFn) -> Audience:
    kind = draw(st.sampled_from(AUDIENCE_KINDS))
    if kind == "government":
        return Audience.government(draw(st.sampled_from(("cq-slj", "cq-sthjj"))))
    if kind == "grant":
        return Audience.grant(["cq-generated"])
    return Audience.public()


def build(rule_list: list[dict[str, Any]]) -> Any:
    return ruleset_from_documents({"generated.yaml": {"rules": rule_list}})


@st.composite
def tables(draw: st.DrawFn, subject: Subject) -> pa.Table:
    rows = draw(st.integers(1, 8))
    columns: dict[str, pa.Array] = {"row_id": pa.array(range(rows), pa.int64())}
    hours = draw(st.lists(st.integers(0, 72), min_size=rows, max_size=rows))
    columns["time"] = pa.array([NOW - timedelta(hours=h) for h in hours], pa.timestamp("s"))
    for name, type_, _ in subject.fields[2:]:
        values = (st.floats(-180, 180, allow_nan=False) if type_ == "number" else TEXT)
        columns[name] = pa.array(draw(st.lists(st.none() | values, min_size=rows, max_size=rows)),
                                 pa.float64() if type_ == "number" else pa.string())
    return pa.table(columns)


def _check_masked(original: Any, shown: str, keep: int, char: str) -> None:
    original = original if isinstance(original, str) else pa.scalar(original).cast(pa.string()).as_py()
    assert len(shown) == len(original)
    assert shown != original
    assert sum(c != char for c in shown) <= min(keep, len(original) - 1)


def _check_rounded(original: float, shown: float, decimals: int) -> None:
    assert round(shown, decimals) == shown
    assert abs(shown - original) <= 0.5 * 10 ** -decimals + 1e-9


def _assert_no_leak(table: pa.Table, out: pa.Table, decision: Decision) -> None:
    assert not set(out.column_names) & decision.dropped_fields
    assert set(out.column_names) <= set(decision.fields) - decision.dropped_fields
    source = {row["row_id"]: row for row in table.to_pylist()}
    for row in out.to_pylist():
        before = source[row["row_id"]]
        for name, value in row.items():
            action = decision.fields[name]
            if value is None or before[name] is None:
                assert value is None and before[name] is None
            elif action.action == "mask":
                _check_masked(before[name], value, action.keep_first + action.keep_last, action.mask_char)
            elif action.action == "round":
                _check_rounded(before[name], value, action.decimals)


@SETTINGS
@given(data=st.data(), subject=subjects(), rule_list=rule_lists(with_aggregate=False), audience=audiences())
def test_no_dropped_field_and_no_masked_or_rounded_value_leaks(data, subject, rule_list, audience) -> None:
    decision = evaluate(subject, build(rule_list), audience)
    event(f"outcome {decision.outcome}")
    if not decision.released:
        return
    table = data.draw(tables(subject))
    out = apply_decision(table, decision, now=NOW, time_field="time")
    for action in {decision.fields[c].action for c in out.column_names}:
        event(f"output has a {action} column")
    _assert_no_leak(table, out, decision)


@SETTINGS
@given(data=st.data(), subject=subjects(), rule_list=rule_lists(with_aggregate=True, min_size=1),
       audience=audiences())
def test_aggregated_output_never_contains_dropped_fields(data, subject, rule_list, audience) -> None:
    decision = evaluate(subject, build(rule_list), audience)
    if not decision.released:
        return
    out = apply_decision(data.draw(tables(subject)), decision, now=NOW, time_field="time")
    sources = {c.rsplit("_", 1)[0] if c not in decision.fields else c for c in out.column_names}
    assert not sources & decision.dropped_fields


def _field_at_least(new: Any, old: Any) -> bool:
    if new.rank() != old.rank():
        return new.rank() > old.rank()
    if old.action == "mask":
        return new.keep_first <= old.keep_first and new.keep_last <= old.keep_last
    if old.action == "round":
        return new.decimals <= old.decimals
    if old.action == "coarsen":
        return PERIODS.index(new.unit) >= PERIODS.index(old.unit)
    return True


def _aggregate_at_least(new: Any, old: Any) -> bool:
    if old is None:
        return True
    if new is None or PERIODS.index(new.period) < PERIODS.index(old.period):
        return False
    keys_ok = old.group_by is None or (new.group_by is not None and set(new.group_by) <= set(old.group_by))
    return keys_ok and new.functions <= old.functions


def at_least_as_restrictive(new: Decision, old: Decision) -> bool:
    return (OUTCOMES.index(new.outcome) <= OUTCOMES.index(old.outcome)
            and LEVELS.index(new.level) <= LEVELS.index(old.level)
            and all(_field_at_least(new.fields[n], a) for n, a in old.fields.items())
            and new.delay >= old.delay and new.channels <= old.channels
            and set(old.row_filters) <= set(new.row_filters)
            and _aggregate_at_least(new.aggregate, old.aggregate))


@SETTINGS
@given(subject=subjects(), rule_list=rule_lists(with_aggregate=True), extra=rules(99, True), audience=audiences())
def test_adding_a_rule_never_makes_a_decision_less_restrictive(subject, rule_list, extra, audience) -> None:
    before = evaluate(subject, build(rule_list), audience)
    after = evaluate(subject, build([*rule_list, extra]), audience)
    assert at_least_as_restrictive(after, before)


@SETTINGS
@given(subject=subjects(), rule_list=rule_lists(with_aggregate=True), audience=audiences())
def test_a_closed_dataset_is_never_released_to_the_public(subject, rule_list, audience) -> None:
    decision = evaluate(subject, build(rule_list), Audience.public())
    if subject.open_type != "无条件开放":
        assert decision.outcome != "release"
    assert evaluate(subject, build(rule_list), audience) == evaluate(subject, build(rule_list), audience)


@SETTINGS
@given(keep_first=st.integers(0, 4), keep_last=st.integers(0, 4), char=st.sampled_from("*#×"),
       values=st.lists(st.none() | TEXT | st.integers(0, 10**12).map(str), min_size=1, max_size=20))
def test_masking_never_shows_more_than_the_kept_ends(keep_first, keep_last, char, values) -> None:
    ruleset = build([{"id": "mask", "description": "遮盖联系电话", "fields": [
        {"field": "contact_phone", "action": "mask", "keep_first": keep_first, "keep_last": keep_last,
         "char": char}]}])
    subject = Subject("cq-generated", "cq-sthjj", fields=(("row_id", "integer", ()),
                                                          ("contact_phone", "string", ())))
    table = pa.table({"row_id": list(range(len(values))), "contact_phone": pa.array(values, pa.string())})
    decision = evaluate(subject, ruleset, Audience.public())
    _assert_no_leak(table, apply_decision(table, decision, now=NOW, time_field=None), decision)


@SETTINGS
@given(decimals=st.integers(0, 6), values=st.lists(st.none() | st.floats(-180, 180, allow_nan=False),
                                                    min_size=1, max_size=20))
def test_rounding_never_keeps_more_decimals(decimals, values) -> None:
    ruleset = build([{"id": "round", "description": "坐标取舍", "fields": [
        {"tag": "precise-location", "action": "round", "decimals": decimals}]}])
    subject = Subject("cq-generated", "cq-sthjj", fields=(("row_id", "integer", ()),
                                                          ("lon", "number", ("precise-location",))))
    table = pa.table({"row_id": list(range(len(values))), "lon": pa.array(values, pa.float64())})
    decision = evaluate(subject, ruleset, Audience.public())
    _assert_no_leak(table, apply_decision(table, decision, now=NOW, time_field=None), decision)


def _facets(decision: Decision) -> tuple:
    return (decision.outcome, decision.level, dict(decision.fields), decision.delay, decision.channels,
            frozenset(decision.row_filters), decision.aggregate)


@SETTINGS
@given(subject=subjects(), rule_list=rule_lists(with_aggregate=True, min_size=2), audience=audiences(),
       order=st.randoms(use_true_random=False))
def test_rule_order_does_not_change_the_decision(subject, rule_list, audience, order) -> None:
    shuffled = list(rule_list)
    order.shuffle(shuffled)
    assert _facets(evaluate(subject, build(shuffled), audience)) == _facets(
        evaluate(subject, build(rule_list), audience))
