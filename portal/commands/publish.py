"""``ecodata publish``: the publication workflow for scripts and the demo."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import click

from catalog import access, accounts, publication
from catalog.authz import Actor, actor_for
from catalog.models import utcnow

SYSTEM = Actor(name="system", sysadmin=True)


def _open() -> tuple[Any, publication.PublishContext]:
    from portal.cli import open_catalog

    catalog = open_catalog()
    return catalog, publication.context_for(catalog.config, catalog.db.sessionmaker)


def _as(session: Any, name: str | None) -> Actor:
    return actor_for(session, accounts.get_user(session, name)) if name else SYSTEM


AS_OPTION = click.option("--as", "as_user", help="Act as this user (default: the system actor).")


@click.group("publish")
def command() -> None:
    """Submit, review, release, withdraw; access grants."""


@command.command("submit")
@click.argument("dataset")
@click.option("--comment")
@AS_OPTION
def submit(dataset: str, comment: str | None, as_user: str | None) -> None:
    """Submit DATASET's current version for review; prints the submission id."""
    catalog, _ctx = _open()
    with catalog.write() as session:
        click.echo(publication.submit(session, _as(session, as_user), dataset, comment).id)


@command.command("approve")
@click.argument("submission")
@click.option("--comment")
@AS_OPTION
def approve(submission: str, comment: str | None, as_user: str | None) -> None:
    """Approve SUBMISSION: materialize, sign and record the release."""
    catalog, ctx = _open()
    with catalog.write() as session:
        release = publication.approve(session, ctx, _as(session, as_user), submission, comment)
        click.echo(f"{release.dataset.name} release {release.number} {release.id}")


@command.command("reject")
@click.argument("submission")
@click.option("--comment", required=True)
@AS_OPTION
def reject(submission: str, comment: str, as_user: str | None) -> None:
    """Reject SUBMISSION with a comment."""
    catalog, _ctx = _open()
    with catalog.write() as session:
        publication.reject(session, _as(session, as_user), submission, comment)
    click.echo("已退回 / rejected")


@command.command("withdraw")
@click.argument("release")
@click.option("--reason", required=True)
@AS_OPTION
def withdraw(release: str, reason: str, as_user: str | None) -> None:
    """Withdraw RELEASE (stops serving it; it stays in the history)."""
    catalog, _ctx = _open()
    with catalog.write() as session:
        publication.withdraw(session, _as(session, as_user), release, reason)
    click.echo("已撤回 / withdrawn")


@command.command("grant")
@click.argument("dataset")
@click.option("--user", "grantee", required=True, help="The applicant.")
@click.option("--purpose", default="科研用途")
@click.option("--days", default=90, show_default=True, type=int)
@click.option("--field", "fields", multiple=True, help="Limit the grant to these fields (repeat).")
@AS_OPTION
def grant(dataset: str, grantee: str, purpose: str, days: int, fields: tuple[str, ...], as_user: str | None) -> None:
    """Record an application by --user and approve it at once; prints the grant id."""
    catalog, ctx = _open()
    with catalog.write() as session:
        applicant = actor_for(session, accounts.get_user(session, grantee))
        req = access.request_access(session, applicant, dataset, purpose=purpose,
                                    period_end=utcnow() + timedelta(days=days))
        made = access.approve_request(session, ctx, _as(session, as_user), req.id, fields=list(fields) or None)
        click.echo(made.id)


@command.command("revoke")
@click.argument("grant_id")
@click.option("--reason", default="")
@AS_OPTION
def revoke(grant_id: str, reason: str, as_user: str | None) -> None:
    """Revoke GRANT_ID and every token scoped to it."""
    catalog, _ctx = _open()
    with catalog.write() as session:
        access.revoke_grant(session, _as(session, as_user), grant_id, reason)
    click.echo("已撤销 / revoked")


@command.command("refresh")
def refresh() -> None:
    """Re-materialize delayed releases (run every hour, e.g. from cron or a systemd timer)."""
    catalog, ctx = _open()
    with catalog.write() as session:
        for name, outcome in publication.refresh(session, ctx):
            click.echo(f"{name}: {outcome}")


@command.command("demo")
def demo() -> None:
    """Stage, submit and release the four publication demo datasets (after ``ecodata demo``)."""
    from .publish_demo import build

    catalog, ctx = _open()
    build(catalog, ctx, click.echo)
