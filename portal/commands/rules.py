"""``ecodata rules``: check the disclosure rule files, explain a dataset's decision."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from catalog import accounts, datasets
from catalog.authz import ANONYMOUS, Actor, actor_for
from catalog.materialize import AudienceSpec, Source, decide
from catalog.models.publication import StagedTable
from catalog.publication import audience_specs
from catalog.releases import audiences_for
from catalog.rules_runtime import rules_path
from catalog.settings import load
from publish_rules import Subject, check_rules, evaluate, explain, load_ruleset


@click.group("rules")
def command() -> None:
    """Disclosure rules (信息公开规则清单)."""


@command.command("check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def check(path: Path | None) -> None:
    """Check a rule file or folder (default: ECODATA_RULES_PATH); exits 1 on any problem."""
    target = path or rules_path(load())
    problems = check_rules(target)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"规则清单有 {len(problems)} 处问题 / {len(problems)} problem(s): {target}", err=True)
        sys.exit(1)
    ruleset = load_ruleset(target)
    click.echo(f"规则清单有效 / rules valid: {len(ruleset.rules)} rules, version {ruleset.version[:12]} ({target})")


def _actor(session: object, name: str | None) -> Actor:
    if not name:
        return ANONYMOUS
    return actor_for(session, accounts.get_user(session, name))  # type: ignore[arg-type]


def _explain_resources(session: object, ds: object, record: dict, specs: list[AudienceSpec], ruleset: object) -> None:
    staged = list(session.query(StagedTable).filter_by(dataset_id=ds.id))  # type: ignore[attr-defined]
    if not staged:
        for spec in specs:
            click.echo(explain(evaluate(Subject.from_record(record), ruleset, spec.audience)))  # type: ignore[arg-type]
            click.echo("")
        return
    for row in staged:
        source = Source(row.resource_id, row.blob_key, row.sha256, row.rows, row.table_schema, row.time_field)
        for spec in specs:
            click.echo(f"# 资源 / resource {row.resource_id} — {spec.key}")
            click.echo(explain(decide(record, source, ruleset, spec)))  # type: ignore[arg-type]
            click.echo("")


@command.command("explain")
@click.argument("dataset")
@click.option("--as", "as_user", help="User name whose best audience is explained (default: anonymous).")
def explain_cmd(dataset: str, as_user: str | None) -> None:
    """Print the decision for DATASET as seen by a user (field by field, with the rule behind each)."""
    from portal.cli import open_catalog

    catalog = open_catalog()
    ruleset = load_ruleset(rules_path(catalog.config))
    with catalog.read() as session:
        actor = _actor(session, as_user)
        ds = datasets.get_visible(session, actor, dataset)
        held = audiences_for(session, actor, ds, now=datetime.now(UTC))
        specs = [s for s in audience_specs(ds, []) if s.key in held][:1]
        click.echo(f"用户 / user: {as_user or '匿名 anonymous'}；受众 / audiences held: {', '.join(held)}")
        _explain_resources(session, ds, datasets.dataset_record(ds), specs, ruleset)
