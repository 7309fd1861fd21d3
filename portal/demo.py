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
DEMO_PASSWORD = "ecodata-demo"
ROLE_TITLES = {"editor": "编辑", "reviewer": "审核员", "admin": "管理员"}


def build_demo(catalog: Catalog, *, site: str = "http://127.0.0.1:5000",
               echo: Callable[[str], Any] = print) -> None:
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
    echo(f"演示账号（密码均为 {DEMO_PASSWORD}）：admin（系统管理员）、sthjj-editor、sthjj-reviewer、slj-editor")


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
