"""The ``ecodata`` command line."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from datetime import timedelta

import click

from catalog import accounts
from catalog.errors import EcodataError
from catalog.service import Catalog
from catalog.settings import load

from . import commands
from .progress import Progress


def open_catalog() -> Catalog:
    catalog = Catalog(load())
    catalog.start()
    return catalog


class EcodataGroup(click.Group):
    """Shows an EcodataError as a clear message and exit status 1 instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except EcodataError as exc:
            click.echo(f"错误 [{exc.code}]：{exc.message}", err=True)
            if exc.message_en:
                click.echo(f"Error [{exc.code}]: {exc.message_en}", err=True)
            for p in exc.problems:
                where = ", ".join(f"{k}={v}" for k, v in p.location.as_dict().items())
                click.echo(f"  - {where}: {p.message}", err=True)
            sys.exit(1)


@click.group(cls=EcodataGroup)
def main() -> None:
    """ecodata：重庆市生态环境监测数据目录与开放服务 (ecological-environment open-data catalogue)."""


@main.command()
def init() -> None:
    """Create ECODATA_HOME, the database schema and the search index."""
    catalog = open_catalog()
    click.echo(f"已初始化 {catalog.config.home}（数据库：{catalog.db.dialect}）")


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    catalog = Catalog(load())
    catalog.upgrade()
    click.echo("数据库已升级到最新版本")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def serve(host: str, port: int, threads: int) -> None:
    """Serve the portal with waitress (production: gunicorn 'portal.wsgi:app', see README)."""
    from waitress import serve as waitress_serve

    from .app import create_app

    app = create_app()
    click.echo(f"ecodata 正在运行：http://{host}:{port}/", err=True)
    waitress_serve(app, host=host, port=port, threads=threads, ident="ecodata")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Build the demo catalogue and exit.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Build (or reuse) the demo catalogue under ECODATA_HOME and serve it."""
    from .demo import build_demo

    catalog = open_catalog()
    handles = build_demo(catalog, site=f"http://{host}:{port}", echo=click.echo, live=not no_serve)
    try:
        if not no_serve:
            click.get_current_context().invoke(serve, host=host, port=port)
    finally:
        for handle in handles:
            handle.stop()
        catalog.close()


@main.group()
def org() -> None:
    """Departments."""


@org.command("create")
@click.argument("code")
@click.option("--title", required=True)
@click.option("--title-en")
@click.option("--parent")
def org_create(code: str, title: str, title_en: str | None, parent: str | None) -> None:
    """Add a department; CODE becomes its name in organization_list."""
    catalog = open_catalog()
    with catalog.write() as session:
        accounts.create_org(session, code, title, title_en=title_en, parent=parent)
    click.echo(code)


@main.group()
def user() -> None:
    """User accounts."""


@user.command("create")
@click.argument("name")
@click.option("--org", "org_code")
@click.option("--role", type=click.Choice(["admin", "editor", "reviewer", "member"]))
@click.option("--sysadmin", is_flag=True)
@click.option("--platform-reviewer", is_flag=True)
@click.option("--fullname")
@click.option("--email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_create(name: str, org_code: str | None, role: str | None, sysadmin: bool, platform_reviewer: bool,
                fullname: str | None, email: str | None, password_stdin: bool) -> None:
    """Create a user; without --password-stdin a password is generated and printed."""
    import secrets

    if bool(org_code) != bool(role):
        raise click.UsageError("--org and --role go together")
    password = sys.stdin.readline().rstrip("\n") if password_stdin else secrets.token_urlsafe(12)
    catalog = open_catalog()
    with catalog.write() as session:
        new = accounts.create_user(session, name, password, fullname=fullname, email=email,
                                   sysadmin=sysadmin, platform_reviewer=platform_reviewer)
        if org_code and role:
            accounts.set_membership(session, new, accounts.get_org(session, org_code), role)
    click.echo(f"已创建用户 {name}")
    if not password_stdin:
        click.echo(f"password: {password}")


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.argument("username")
@click.option("--name", "token_name", default="cli")
@click.option("--expires-days", type=int)
def token_create(username: str, token_name: str, expires_days: int | None) -> None:
    """Create an API token for USERNAME; the token alone is printed on the last line."""
    catalog = open_catalog()
    with catalog.write() as session:
        issued = accounts.create_token(session, accounts.get_user(session, username), token_name,
                                       expires_in=timedelta(days=expires_days) if expires_days else None)
    click.echo(f"# token id {issued.record.id} for {username} (shown once)", err=True)
    click.echo(issued.token)


@token.command("revoke")
@click.argument("token_id")
def token_revoke(token_id: str) -> None:
    """Revoke a token by its id (or the token itself)."""
    ident = token_id.split("_")[1] if token_id.startswith(accounts.TOKEN_PREFIX + "_") else token_id
    catalog = open_catalog()
    with catalog.write() as session:
        accounts.revoke_token(session, ident)
    click.echo("已撤销")


@main.group()
def search() -> None:
    """Search index."""


@search.command("reindex")
def search_reindex() -> None:
    """Rebuild the search index from the catalogue."""
    catalog = open_catalog()
    progress = Progress("重建索引")
    count = catalog.indexer.reindex(progress.update)
    progress.close()
    click.echo(f"已索引 {count} 个数据集")


def _register_command_modules() -> None:
    for info in pkgutil.iter_modules(commands.__path__):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        command = getattr(module, "command", None)
        if isinstance(command, click.Command):
            main.add_command(command)


_register_command_modules()


if __name__ == "__main__":
    main()
