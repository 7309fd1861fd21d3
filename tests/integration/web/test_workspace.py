"""Signed-in pages: sign-in, the profile-driven dataset form with inline Chinese errors, tokens, members."""

from __future__ import annotations

import re
from typing import Any

import pytest

PASSWORD = "重庆-ecodata-2026"   # the password the ``staff`` fixture gives (tests/integration/web/conftest.py)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


FORM = {"title": "巴南区地表水自动监测站水质日数据", "name": "cq-banan-water-daily",
        "description": "巴南区花溪河、一品河水质自动监测站每日 pH、溶解氧、高锰酸盐指数、氨氮、总磷浓度。",
        "organization": "cq-sthjj", "themes": ["surface-water"], "districts": ["500113"],
        "keywords": "地表水，水质自动站、巴南区", "update_cycle": "每日", "share_type": "无条件共享",
        "open_type": "无条件开放", "license_id": "cc-by-4.0", "contact_point.name": "巴南区生态环境监测站",
        "contact_point.email": "jcz@bn.cq.gov.cn", "element_rows": "2",
        "data_elements[0].name": "监测时间", "data_elements[0].type": "D",
        "data_elements[1].name": "氨氮", "data_elements[1].type": "N", "data_elements[1].unit": "mg/L"}


def test_sign_in_sets_a_fresh_http_only_session_and_sign_out_clears_it(web: Any, staff: Any) -> None:
    wrong = web.sign_in("zhou-editor", "wrong-password")
    assert wrong.status_code == 401 and "用户名或密码不正确" in wrong.get_data(as_text=True)
    ok = web.sign_in("zhou-editor")
    assert ok.status_code == 302 and ok.headers["Location"] == "/workspace"
    cookie = ok.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert web.client.get("/workspace").status_code == 200
    web.post("/user/logout", {}, form_page="/workspace")
    assert web.client.get("/workspace").status_code == 302


def test_sign_in_never_redirects_off_site(web: Any, staff: Any) -> None:
    response = web.client.post("/user/login", data={"username": "zhou-editor", "password": PASSWORD,
                                                    "next": "https://evil.example/", "csrf_token": web.token()})
    assert response.headers["Location"] == "/workspace"


def test_forms_without_the_csrf_token_are_refused(client: Any, staff: Any) -> None:
    response = client.post("/user/login", data={"username": "zhou-editor", "password": PASSWORD})
    assert response.status_code == 400 and "请求有误" in response.get_data(as_text=True)


def test_login_is_rate_limited(catalog: Any, config: Any, staff: Any) -> None:
    from portal.app import create_app

    app = create_app(config, catalog=catalog, TESTING=True, WEB_RATE_LIMITS={"login": (3, 60)})
    client = app.test_client()
    token = csrf_of(client.get("/user/login").get_data(as_text=True))
    codes = [client.post("/user/login", data={"username": "zhou-editor", "password": "x", "csrf_token": token})
             .status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


def test_empty_form_reports_each_missing_field_in_chinese(web: Any, staff: Any) -> None:
    web.sign_in("zhou-editor")
    response = web.post("/dataset/new", {"organization": "cq-sthjj", "element_rows": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "提交未成功" in html
    for field in ("信息资源名称", "信息资源摘要", "共享类型", "开放类型", "更新周期"):
        assert field in html, field
    assert re.search(r'id="f-title"[^>]*aria-invalid="true"', html)


def test_bad_data_element_is_reported_on_its_row(web: Any, staff: Any) -> None:
    web.sign_in("zhou-editor")
    response = web.post("/dataset/new", {**FORM, "data_elements[1].type": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="err-data_elements-1-type"' in html and "信息项第2项" in html


def test_register_then_edit_through_the_form(web: Any, staff: Any, catalog: Any) -> None:
    web.sign_in("zhou-editor")
    created = web.post("/dataset/new", FORM, form_page="/dataset/new")
    assert created.status_code == 302 and created.headers["Location"] == "/dataset/cq-banan-water-daily"
    record = catalog.show_dataset(_root(catalog), "cq-banan-water-daily")
    assert sorted(record["keywords"]) == sorted(["地表水", "水质自动站", "巴南区"])
    assert [e["name"] for e in record["data_elements"]] == ["监测时间", "氨氮"]
    form_html = web.client.get("/dataset/edit/cq-banan-water-daily").get_data(as_text=True)
    assert 'value="巴南区地表水自动监测站水质日数据"' in form_html
    edited = web.post("/dataset/edit/cq-banan-water-daily", {**FORM, "title": "巴南区地表水水质自动监测日数据"})
    assert edited.status_code == 302
    assert catalog.show_dataset(_root(catalog), "cq-banan-water-daily")["title"] == "巴南区地表水水质自动监测日数据"


def _root(catalog: Any) -> Any:
    from catalog.authz import Actor

    return Actor(user_id=None, name="system", sysadmin=True)


def test_other_departments_cannot_edit(web: Any, staff: Any, catalog: Any, people: Any, make_record: Any) -> None:
    catalog.create_dataset(_root(catalog), make_record())
    people.user("wang-water", "cq-slj", "editor", password=PASSWORD)
    web.sign_in("wang-water")
    assert web.client.get("/dataset/edit/cq-air-quality-hourly-yuzhong").status_code == 403


def test_tokens_are_shown_once_work_for_the_api_and_can_be_revoked(web: Any, staff: Any) -> None:
    web.sign_in("zhou-editor")
    html = web.post("/workspace/tokens", {"action": "create", "name": "区县同步脚本"}).get_data(as_text=True)
    token = re.search(r'<code id="new-token">([^<]+)</code>', html).group(1)
    assert web.client.get("/api/v1/datasets", headers={"Authorization": token}).status_code == 200
    token_id = re.search(r'name="token_id" value="([^"]+)"', html).group(1)
    web.post("/workspace/tokens", {"action": "revoke", "token_id": token_id})
    assert web.client.get("/api/v1/datasets", headers={"Authorization": token}).status_code == 401


@pytest.mark.parametrize("who, status", [("li-admin", 200), ("zhou-editor", 403)])
def test_only_department_admins_manage_members(web: Any, staff: Any, who: str, status: int) -> None:
    web.sign_in(who)
    assert web.client.get("/organization/members/cq-sthjj").status_code == status


def test_admin_adds_changes_and_removes_a_member(web: Any, staff: Any, people: Any) -> None:
    people.user("chen-new", fullname="陈新同事")
    web.sign_in("li-admin")
    web.post("/organization/members/cq-sthjj", {"action": "set", "username": "chen-new", "role": "reviewer"})
    page = web.client.get("/organization/members/cq-sthjj").get_data(as_text=True)
    assert "chen-new" in page and "陈新同事" in page
    web.post("/organization/members/cq-sthjj", {"action": "remove", "username": "chen-new"})
    assert "chen-new" not in web.client.get("/organization/members/cq-sthjj").get_data(as_text=True)
