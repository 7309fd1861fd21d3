"""``ecodata verify``: releases, files, signatures and the audit chain."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from catalog.signing import load_signer
from catalog.storage import open_store
from catalog.verify import VerifyProblem, verify_all


def _hj212_evidence(home: Path) -> list[VerifyProblem]:
    """The HJ 212 raw-frame chains (evidence of what data loggers sent) are checked too."""
    from harvesters.hj212.verify import verify_frames

    return [VerifyProblem("hj212", p.code, " ".join(f"{k}={v}" for k, v in p.location.as_dict().items()),
                          p.message) for p in verify_frames(home / "hj212")]


@click.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def command(as_json: bool) -> None:
    """Check every release file against its signed manifest, and the audit chain; exit 1 on any problem."""
    from portal.cli import open_catalog

    catalog = open_catalog()
    config = catalog.config
    store = open_store(config["ECODATA_STORAGE_URL"], config.home, config["ECODATA_S3_ENDPOINT"])
    with catalog.read() as session:
        report = verify_all(session, store, load_signer(config.home).public)
    report.problems += _hj212_evidence(config.home)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for problem in report.problems:
            click.echo(f"ALTERED {problem.subject}: {problem.code} — {problem.detail}")
        verdict = "全部通过 / all verified" if report.ok else f"{len(report.problems)} 处不一致 / problem(s)"
        click.echo(f"{report.releases} releases, {report.files} files, {report.audit_entries} audit entries: "
                   f"{verdict}")
    sys.exit(0 if report.ok else 1)
