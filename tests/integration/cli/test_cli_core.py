"""The ecodata command line, run as a real process, against SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest

from catalog import accounts
from catalog.models import utcnow


def ecodata(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "portal.cli", *args], env=env, input=stdin, text=True,
                          capture_output=True, timeout=120)


def test_org_user_token_and_reindex(server_env, catalog, client) -> None:
    out = ecodata(server_env, "org", "create", "cq-qxj", "--title", "重庆市气象局", "--title-en",
                  "Chongqing Meteorological Service")
    assert out.returncode == 0, out.stderr
    out = ecodata(server_env, "user", "create", "wang.fang", "--org", "cq-qxj", "--role", "editor",
                  "--password-stdin", stdin="长江嘉陵江-2026\n")
    assert out.returncode == 0, out.stderr
    token = ecodata(server_env, "token", "create", "wang.fang").stdout.strip().splitlines()[-1]
    assert token.startswith("eco_")
    record = {"name": "cq-weather-hourly", "title": "重庆市国家气象站逐小时观测数据", "organization": "cq-qxj",
              "description": "沙坪坝国家基本气象站逐小时气温、相对湿度、风向风速、降水量观测。",
              "share_type": "无条件共享", "open_type": "无条件开放", "update_cycle": "实时",
              "themes": ["meteorology"], "districts": ["500106"]}
    created = client.post("/api/3/action/package_create", json=record, headers={"Authorization": token})
    assert created.status_code == 200, created.get_json()
    with catalog.read() as session:
        user = accounts.get_user(session, "wang.fang")
        assert accounts.check_password(user, "长江嘉陵江-2026")
    out = ecodata(server_env, "search", "reindex")
    assert out.returncode == 0 and "1" in out.stdout
    assert out.stderr.count("\r") == 0  # no progress bar when not on a terminal
    token_id = token.split("_")[1]
    assert ecodata(server_env, "token", "revoke", token_id).returncode == 0
    refused = client.post("/api/3/action/package_patch", json={"id": "cq-weather-hourly", "title": "x"},
                          headers={"Authorization": token})
    assert refused.status_code == 403


def test_errors_are_clear_and_exit_non_zero(server_env, catalog) -> None:
    out = ecodata(server_env, "user", "create", "li", "--org", "no-such-dept", "--role", "editor",
                  "--password-stdin", stdin="x\n")
    assert out.returncode == 1
    assert "部门不存在：no-such-dept" in out.stderr and "Traceback" not in out.stderr
    out = ecodata(server_env, "org", "create", "cq-x", "--title", "甲")
    assert ecodata(server_env, "org", "create", "cq-x", "--title", "甲").returncode == 1


def test_expired_token_is_refused(catalog, people, client, make_record) -> None:
    with catalog.write() as session:
        user = accounts.get_user(session, "editor")
        issued = accounts.create_token(session, user, "short", expires_in=timedelta(seconds=60))
        issued.record.expires_at = utcnow() - timedelta(seconds=1)
    resp = client.post("/api/3/action/package_create", json=make_record(), headers={"Authorization": issued.token})
    assert resp.status_code == 403
    assert "过期" in json.dumps(resp.get_json(), ensure_ascii=False)


@pytest.mark.parametrize("header", ["Bearer {t}", "{t}"])
def test_token_header_forms(people, client, make_record, header) -> None:
    token = people.tokens["editor"]
    resp = client.post("/api/3/action/package_create", json=make_record(),
                       headers={"Authorization": header.format(t=token)})
    assert resp.status_code == 200
