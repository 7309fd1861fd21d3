"""The rule-kind seam, the schema and README that describe it, and the bottom-layer import rule."""

from __future__ import annotations

import ast
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

import publish_rules
from publish_rules import (
    ENTRY_POINT_GROUP,
    Audience,
    Subject,
    all_kinds,
    check_rules,
    evaluate,
    load_plugins,
    rule_kind,
    ruleset_from_documents,
    unregister,
)
from publish_rules.kinds import BUILTIN_KEYS

PACKAGE = Path(publish_rules.__file__).parent


def test_every_rule_kind_is_documented_in_the_readme() -> None:
    readme = (PACKAGE / "README.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^### `([a-z_]+)`", readme, flags=re.M))
    assert set(all_kinds()) <= headings


def test_schema_describes_every_builtin_kind() -> None:
    schema = json.loads((PACKAGE / "rules.schema.json").read_text(encoding="utf-8"))
    rule_properties = set(schema["$defs"]["rule"]["properties"])
    assert set(BUILTIN_KEYS) == set(all_kinds()) & set(BUILTIN_KEYS)
    assert set(BUILTIN_KEYS) <= rule_properties
    assert {"id", "description", "description_en", "match", "audiences"} <= rule_properties


def test_a_third_party_kind_registers_with_the_same_decorator(tmp_path) -> None:
    @rule_kind("embargo_days", title="禁发期", title_en="embargo", schema={"type": "integer", "minimum": 0},
               parse=lambda days: timedelta(days=days))
    def embargo(draft, value, ctx) -> None:
        draft.require_delay(value, ctx)

    try:
        rules = ruleset_from_documents({"plugin.yaml": {"rules": [
            {"id": "noise-embargo", "description": "噪声数据禁发 3 天", "match": {"themes": ["noise"]},
             "embargo_days": 3}]}})
        subject = Subject("cq-noise-yubei", "cq-sthjj", themes=("noise",))
        decision = evaluate(subject, rules, Audience.public())
        assert decision.delay == timedelta(days=3)
        assert any(r.rule_id == "noise-embargo" and r.facet == "delay" for r in decision.reasons)
        bad = tmp_path / "bad.yaml"
        bad.write_text("rules:\n  - id: neg\n    description: 负数\n    embargo_days: -1\n", encoding="utf-8")
        assert [(p.code, p.line, p.rule_id) for p in check_rules(bad)] == [("rule_schema", 4, "neg")]
    finally:
        unregister("embargo_days")
    assert "embargo_days" not in all_kinds()


def test_kinds_arrive_through_the_entry_point_group(tmp_path, monkeypatch) -> None:
    (tmp_path / "ecodata_channels_plugin.py").write_text(
        "from publish_rules import RuleKind\n"
        "def _contribute(draft, value, ctx):\n"
        "    draft.restrict_channels(frozenset({'portal'}) if value else draft.channels, ctx)\n"
        "KIND = RuleKind('portal_only', '仅门户', 'portal only', {'type': 'boolean'}, _contribute)\n",
        encoding="utf-8")
    dist = tmp_path / "ecodata_channels_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: ecodata-channels-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nportal_only = ecodata_channels_plugin:KIND\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        load_plugins()
        rules = ruleset_from_documents({"p.yaml": {"rules": [
            {"id": "portal-only", "description": "仅门户展示", "portal_only": True}]}})
        decision = evaluate(Subject("cq-x", "cq-sthjj"), rules, Audience.public())
        assert decision.channels == {"portal"}
    finally:
        unregister("portal_only")


def test_a_kind_cannot_take_an_envelope_key() -> None:
    with pytest.raises(ValueError, match="envelope"):
        rule_kind("match", title="x", title_en="x", schema={})(lambda d, v, c: None)


FORBIDDEN = ("catalog", "harvesters", "portal", "sqlalchemy", "flask", "requests", "socket", "urllib",
             "pyarrow", "psycopg", "redis")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_publish_rules_stays_the_bottom_layer(path) -> None:
    assert not _imports(path) & set(FORBIDDEN)
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"\b(datetime\.now|date\.today|time\.time|utcnow)\(", text)
