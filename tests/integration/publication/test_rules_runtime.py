"""A malformed rule file stops start-up with file, line and reason; a running server keeps its rules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from catalog import rules_runtime
from catalog.models.publication import AuditEntry
from publish_rules import RULES_DIR, RuleFileError

BROKEN = """rules:
  - id: air-hourly-delay-broken
    description: 延迟写错了单位
    delay: 一小时
"""


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    return target


def test_malformed_rules_refuse_start_up_with_file_line_and_reason(catalog, config, rules_dir) -> None:
    from portal.app import create_app

    (rules_dir / "60-broken.yaml").write_text(BROKEN, encoding="utf-8")
    broken = config.with_overrides(ECODATA_RULES_PATH=str(rules_dir))
    with pytest.raises(RuleFileError) as caught:
        create_app(broken, catalog=catalog, TESTING=True)
    problem = caught.value.problems[0]
    assert problem.file.endswith("60-broken.yaml") and problem.line == 4 and problem.code == "rule_bad_value"
    assert problem.rule_id == "air-hourly-delay-broken" and "一小时" in problem.message
    assert "60-broken.yaml:4" in str(caught.value)


def test_running_server_keeps_previous_rules_when_a_reload_fails(catalog, config, rules_dir) -> None:
    runtime = rules_runtime.RulesRuntime(rules_dir, catalog.db.sessionmaker)
    good = runtime.start()
    (rules_dir / "60-broken.yaml").write_text(BROKEN, encoding="utf-8")
    assert runtime.current() is good
    assert runtime.last_problems and runtime.last_problems[0].line == 4
    (rules_dir / "60-broken.yaml").write_text(BROKEN.replace("一小时", "2h"), encoding="utf-8")
    fresh = runtime.current()
    assert fresh.version != good.version and "air-hourly-delay-broken" in {r.id for r in fresh.rules}
    with catalog.read() as session:
        loads = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "rules.loaded")
                                .order_by(AuditEntry.seq)).all()
    assert [e.payload["version"] for e in loads][-2:] == [good.version, fresh.version]


def test_rules_check_command(rules_dir) -> None:
    from portal.cli import main

    runner = CliRunner()
    assert runner.invoke(main, ["rules", "check", str(rules_dir)]).exit_code == 0
    (rules_dir / "60-broken.yaml").write_text(BROKEN, encoding="utf-8")
    out = runner.invoke(main, ["rules", "check", str(rules_dir)])
    assert out.exit_code == 1 and "60-broken.yaml:4" in out.output
