"""Builds the demo catalogue: departments, users, datasets (and later harvests and releases)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from catalog import accounts, datasets
from catalog.authz import Actor
from catalog.demo_data import demo_datasets, demo_departments
from catalog.models import Dataset, Organization
from catalog.service import Catalog

SYSTEM = Actor(user_id=None, name="system", sysadmin=True)
RESEARCHER = "demo-researcher"
DEMO_SOURCES_PORT = 5180
DEMO_PASSWORD = "ecodata-demo"
ROLE_TITLES = {"editor": "编辑", "reviewer": "审核员", "admin": "管理员"}


def build_demo(catalog: Catalog, *, site: str = "http://127.0.0.1:5000",
               echo: Callable[[str], Any] = print, live: bool = False) -> list[Any]:
    """Catalogue, releases and harvests of the demo; with ``live``, also the demo's remote sources and
    HJ 212 loggers keep running.  Returns handles with ``stop()`` for what keeps running."""
    build_catalogue(catalog, echo)
    _publications(catalog, echo)
    handles: list[Any] = [_harvests(catalog, echo)]
    if live:
        handles.append(_hj212_feed(catalog, echo))
    else:
        handles.pop().stop()
    echo(f"演示账号（密码均为 {DEMO_PASSWORD}）：admin（系统管理员）、sthjj-editor、sthjj-reviewer、"
         f"sthjj-admin、slj-editor、{RESEARCHER}（已获辐射数据授权）")
    echo(f"门户：{site}/")
    return handles


def _publications(catalog: Catalog, echo: Callable[[str], Any]) -> None:
    from catalog import publication

    from .commands.publish_demo import build

    build(catalog, publication.context_for(catalog.config, catalog.db.sessionmaker), echo)


def _harvests(catalog: Catalog, echo: Callable[[str], Any]) -> Any:
    from .demo_sources import register_demo_sources, start_demo_sources

    # A fixed port: DCAT and data-package records are identified by their URLs, so a new port on
    # every start would look upstream like every record was replaced.
    try:
        server = start_demo_sources(catalog.config.home, port=DEMO_SOURCES_PORT)
    except OSError:
        server = start_demo_sources(catalog.config.home)
    for report in register_demo_sources(catalog, server.url):
        counts = report.get("counts", {})
        echo(f"采集 {report.get('source', '')}: " + ", ".join(f"{k} {v}" for k, v in counts.items() if v))
    return server


def _hj212_feed(catalog: Catalog, echo: Callable[[str], Any]) -> Any:
    from harvesters.hj212.demo import start_demo_feed

    feed = start_demo_feed(catalog, catalog.config.home)
    echo(f"HJ 212 演示数据采集仪正在向 {feed.host}:{feed.port} 实时上报")
    return feed


def build_catalogue(catalog: Catalog, echo: Callable[[str], Any] = print) -> None:
    """Departments, users and datasets of the demo (nothing is started; idempotent)."""
    with catalog.write() as session:
        if session.scalar(sa.select(sa.func.count()).select_from(Organization)):
            echo("演示目录已存在，直接使用（删除 ECODATA_HOME 可重建）")
            return
        _departments(session)
        _users(session)
        for record in demo_datasets():
            datasets.create(session, SYSTEM, record)
        count = session.scalar(sa.select(sa.func.count()).select_from(Dataset))
    echo(f"已生成演示目录：{count} 个数据集")


def _departments(session: Any) -> None:
    for dept in demo_departments():
        accounts.create_org(session, dept["name"], dept["title"], title_en=dept.get("title_en"),
                            code=dept.get("code"), description=dept.get("description"))


def _users(session: Any) -> None:
    accounts.create_user(session, "admin", DEMO_PASSWORD, fullname="平台管理员", sysadmin=True,
                         platform_reviewer=True)
    for org_name, short in (("cq-sthjj", "sthjj"), ("cq-slj", "slj")):
        org = session.scalar(sa.select(Organization).where(Organization.name == org_name))
        if org is None:
            continue
        for role in ("editor", "reviewer", "admin"):
            user = accounts.create_user(session, f"{short}-{role}", DEMO_PASSWORD,
                                        fullname=f"{org.title}{ROLE_TITLES[role]}")
            accounts.set_membership(session, user, org, role)
