"""The four publication scenarios released under the shipped rules, with the people who look at them.

Audiences: anonymous (public), ``water-editor`` (a government user of another department),
``researcher`` (holder of an approved grant on the radiation dataset), ``member`` (owning department).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest

from catalog import accounts, publication
from catalog import publication_demo as demo
from catalog.authz import actor_for
from catalog.models import utcnow


@dataclass
class Released:
    now: datetime
    releases: dict[str, str] = field(default_factory=dict)
    resources: dict[str, str] = field(default_factory=dict)
    grant_id: str = ""


def act(catalog: Any, name: str) -> Any:
    with catalog.read() as session:
        return actor_for(session, accounts.get_user(session, name))


def context(catalog: Any) -> publication.PublishContext:
    return publication.context_for(catalog.config, catalog.db.sessionmaker)


@pytest.fixture
def released(catalog: Any, people: Any, client: Any) -> Released:
    people.org(demo.HEALTH_DEPARTMENT, "重庆市卫生健康委员会")
    people.user("health-editor", demo.HEALTH_DEPARTMENT, "editor")
    people.user("health-reviewer", demo.HEALTH_DEPARTMENT, "reviewer")
    people.user("researcher", fullname="重庆大学环境学院研究员")
    ctx = context(catalog)
    now = utcnow()
    out = Released(now)
    with catalog.write() as session:
        for name, record in demo.records().items():
            who = act(catalog, "editor" if record["organization"] == "cq-sthjj" else "health-editor")
            ds = demo.create_and_stage(session, who, ctx.store, name, now)
            out.resources[name] = ds.resources[0].id
    for name, record in demo.records().items():
        ours = record["organization"] == "cq-sthjj"
        sub = client.post("/api/v1/publication/submissions", json={"dataset": name, "comment": "请审核"},
                          headers=people.auth("editor" if ours else "health-editor"))
        assert sub.status_code == 201, sub.get_json()
        rel = client.post(f"/api/v1/publication/submissions/{sub.get_json()['id']}/approve",
                          json={"comment": "同意"}, headers=people.auth("reviewer" if ours else "health-reviewer"))
        assert rel.status_code == 201, rel.get_json()
        out.releases[name] = rel.get_json()["id"]
    req = client.post("/api/v1/publication/access-requests", headers=people.auth("researcher"),
                      json={"dataset": demo.RADIATION, "purpose": "研究主城区天然辐射本底水平",
                            "period_end": (now + timedelta(days=90)).isoformat()})
    assert req.status_code == 201, req.get_json()
    grant = client.post(f"/api/v1/publication/access-requests/{req.get_json()['id']}/approve", json={},
                        headers=people.auth("reviewer"))
    assert grant.status_code == 201, grant.get_json()
    out.grant_id = grant.get_json()["id"]
    return out
