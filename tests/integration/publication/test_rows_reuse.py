"""The data API reuses a caller's resolved artifact only while the release state it saw still holds.

Every request first reads the dataset's release state; a withdrawn release, a revoked grant or
another caller's audience must show on the very next request, never a reused answer.
"""

from __future__ import annotations

from typing import Any

from catalog import publication_demo as demo

from .test_audiences import AUDIENCES, rows


def test_each_caller_keeps_its_own_audience_across_repeated_requests(released, client, people) -> None:
    first = {k: rows(client, people, who, released, demo.POLLUTION).get_json() for k, who in AUDIENCES.items()}
    for _ in range(2):
        for key in ("owner", "anonymous", "government", "grant"):
            again = rows(client, people, AUDIENCES[key], released, demo.POLLUTION).get_json()
            assert again == first[key]
    assert "contact_phone" in first["owner"]["fields"]
    for key in ("anonymous", "government", "grant"):
        assert demo.SECRET_PHONE not in str(first[key]) and "contact_phone" not in first[key]["fields"]


def test_withdrawal_takes_effect_on_the_next_request(released, client, people) -> None:
    for who in (None, "member"):
        assert rows(client, people, who, released, demo.AIR).status_code == 200
        assert rows(client, people, who, released, demo.AIR).status_code == 200
    rid = released.releases[demo.AIR]
    out = client.post(f"/api/v1/publication/releases/{rid}/withdraw", json={"reason": "发现校准数据混入"},
                      headers=people.auth("reviewer"))
    assert out.status_code == 200
    for who in (None, "member"):
        assert rows(client, people, who, released, demo.AIR).status_code == 404


def test_revoked_grant_takes_effect_on_the_next_request(released, client, people) -> None:
    before: Any = rows(client, people, "researcher", released, demo.RADIATION)
    assert before.status_code == 200
    out = client.post(f"/api/v1/publication/grants/{released.grant_id}/revoke", json={"comment": "超出约定用途"},
                      headers=people.auth("reviewer"))
    assert out.status_code == 200
    assert rows(client, people, "researcher", released, demo.RADIATION).status_code == 404
