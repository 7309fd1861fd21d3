"""The publication part of the demo: four datasets released under the shipped rules, and a grant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from catalog import access, accounts, publication
from catalog import publication_demo as scenarios
from catalog.authz import Actor, actor_for
from catalog.models import Dataset, utcnow

SYSTEM = Actor(name="system", sysadmin=True)
RESEARCHER = "demo-researcher"


def _user(session: Any, name: str) -> Actor:
    return actor_for(session, accounts.get_user(session, name))


def _ensure_researcher(session: Any) -> None:
    if session.scalar(sa.select(sa.func.count()).select_from(accounts.User).where(accounts.User.name == RESEARCHER)):
        return
    from portal.demo import DEMO_PASSWORD

    accounts.create_user(session, RESEARCHER, DEMO_PASSWORD, fullname="重庆大学环境学院研究员")


def build(catalog: Any, ctx: publication.PublishContext, echo: Callable[[str], Any]) -> None:
    now = utcnow()
    with catalog.write() as session:
        if session.scalar(sa.select(Dataset.id).where(Dataset.name == scenarios.AIR)):
            echo("发布演示已存在 / publication demo already built")
            return
        _ensure_researcher(session)
        for name in scenarios.records():
            scenarios.create_and_stage(session, SYSTEM, ctx.store, name, now)
    with catalog.write() as session:
        editor, reviewer = _user(session, "sthjj-editor"), _user(session, "sthjj-reviewer")
        for name, record in scenarios.records().items():
            ours = record["organization"] == "cq-sthjj"
            sub = publication.submit(session, editor if ours else SYSTEM, name, "发布演示")
            release = publication.approve(session, ctx, reviewer if ours else SYSTEM, sub.id, "同意发布", now=now)
            outcomes = {k: v["outcome"] for k, v in release.manifest["audiences"].items()}
            echo(f"{name}: release {release.number} {outcomes}")
        req = access.request_access(session, _user(session, RESEARCHER), scenarios.RADIATION,
                                    purpose="研究主城区天然辐射本底水平", period_end=now + timedelta(days=180))
        made = access.approve_request(session, ctx, reviewer, req.id, comment="同意，限科研使用")
        echo(f"grant {made.id} for {RESEARCHER} on {scenarios.RADIATION}")
