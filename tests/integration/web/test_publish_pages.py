"""Upload with validation report, submission, reviewer preview and approval, released data on the
dataset page, access requests, and harvest sources — through the web pages."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from typing import Any

import pytest

pytest.importorskip("catalog.publication", reason="catalog.publication is not installed yet")

PASSWORD = "重庆-ecodata-2026"
HEADER = "station_code,station_name,district_code,time,pm25,pm10,o3,so2,no2,co,aqi,flag"


def gbk_csv(hours: int = 12) -> bytes:
    end = datetime(2026, 11, 28, 23, 0)
    lines = [HEADER]
    for i in range(hours):
        t = (end - timedelta(hours=hours - 1 - i)).isoformat()
        lines.append(f"1423A,解放碑,500103,{t},{30 + i},{55 + i},41,6,36,0.7,{42 + i},N")
    lines.append(f"1423A,解放碑,500103,{end.isoformat()}Z9,缺测,60,40,6,35,0.7,50,N")
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


@pytest.fixture
def registered(catalog: Any, people: Any, make_record: Any) -> str:
    from catalog.authz import Actor

    people.user("zhou-editor", "cq-sthjj", "editor", password=PASSWORD)
    people.user("sun-reviewer", "cq-sthjj", "reviewer", password=PASSWORD)
    catalog.create_dataset(Actor(name="system", sysadmin=True), make_record(resources=[]))
    return "cq-air-quality-hourly-yuzhong"


def _upload(web: Any, name: str) -> Any:
    return web.post(f"/dataset/{name}/resource/new",
                    {"table_schema": "air_quality_hourly", "file": (io.BytesIO(gbk_csv()), "渝中区小时数据.csv")},
                    content_type="multipart/form-data")


def test_upload_shows_the_validation_report_and_stages_valid_rows(web: Any, registered: str) -> None:
    web.sign_in("zhou-editor")
    html = _upload(web, registered).get_data(as_text=True)
    assert "校验报告" in html and "<code>gbk</code>" in html.lower()
    assert re.search(r"有效行</dt><dd>12</dd>", html) and re.search(r"问题行</dt><dd>1</dd>", html)
    assert "第14行" in html and "已暂存 12 行有效数据" in html
    page = web.client.get(f"/dataset/{registered}").get_data(as_text=True)
    assert "渝中区小时数据.csv" in page


def test_submit_review_approve_then_the_public_page_shows_release_preview_and_chart(
        web: Any, registered: str, client: Any) -> None:
    web.sign_in("zhou-editor")
    _upload(web, registered)
    submitted = web.post(f"/dataset/{registered}/submit", {"comment": "首次发布"})
    assert submitted.status_code == 302
    web.sign_in("sun-reviewer")
    queue = web.client.get("/workspace/review").get_data(as_text=True)
    submission = re.search(r'href="/workspace/review/([0-9a-f-]+)"', queue).group(1)
    detail = web.client.get(f"/workspace/review/{submission}").get_data(as_text=True)
    assert "各受众将获得的内容" in detail and "公众" in detail and "政务用户" in detail
    assert "输入 12 行" in detail
    approved = web.post(f"/workspace/review/{submission}", {"decision": "approve", "comment": "同意发布"})
    assert approved.status_code == 302
    web.post("/user/logout", {}, form_page="/workspace")
    public = web.client.get(f"/dataset/{registered}").get_data(as_text=True)
    assert "发布历史" in public and "签名有效" in public and "第 1 版" in public
    assert "数据预览" in public and 'class="line-chart"' in public
    assert 'class="station"' in public                     # 1423A 解放碑 from the station register


def test_reject_needs_a_comment_and_the_submitter_cannot_review(web: Any, registered: str) -> None:
    web.sign_in("zhou-editor")
    _upload(web, registered)
    web.post(f"/dataset/{registered}/submit", {"comment": ""})
    own = web.client.get("/workspace/review").get_data(as_text=True)
    assert "暂无待审核的发布申请" in own or "本人提交" in own
    web.sign_in("sun-reviewer")
    queue = web.client.get("/workspace/review").get_data(as_text=True)
    submission = re.search(r'href="/workspace/review/([0-9a-f-]+)"', queue).group(1)
    web.post(f"/workspace/review/{submission}", {"decision": "reject", "comment": ""})
    assert "驳回时请填写意见" in web.client.get(f"/workspace/review/{submission}").get_data(as_text=True)
    web.post(f"/workspace/review/{submission}", {"decision": "reject", "comment": "缺少上清寺站数据"})
    assert "缺少上清寺站数据" in web.client.get("/workspace/review").get_data(as_text=True)


def test_access_request_is_decided_in_the_owners_inbox(web: Any, catalog: Any, people: Any,
                                                      make_record: Any) -> None:
    pytest.importorskip("catalog.access", reason="catalog.access is not installed yet")
    from catalog.authz import Actor

    people.user("sun-reviewer", "cq-sthjj", "reviewer", password=PASSWORD)
    people.user("liu-yanjiu", password=PASSWORD, fullname="重庆大学刘研究员")
    catalog.create_dataset(Actor(name="system", sysadmin=True), make_record(
        name="cq-noise-nanan", title="南岸区声环境功能区噪声监测", open_type="有条件开放",
        open_condition="须签订数据利用协议，仅限科研使用。"))
    web.sign_in("liu-yanjiu")
    assert "申请使用数据" in web.client.get("/dataset/cq-noise-nanan").get_data(as_text=True)
    sent = web.post("/dataset/cq-noise-nanan/apply", {"purpose": "城市声环境研究", "period_end": "2027-06-30"})
    assert sent.status_code == 302
    assert "待审核" in web.client.get("/workspace/my-access").get_data(as_text=True)
    web.sign_in("sun-reviewer")
    inbox = web.client.get("/workspace/access-requests").get_data(as_text=True)
    assert "重庆大学刘研究员" in inbox and "城市声环境研究" in inbox
    request_id = re.search(r'name="request_id" value="([^"]+)"', inbox).group(1)
    web.post("/workspace/access-requests", {"request_id": request_id, "decision": "approve", "expires": "2027-06-30"})
    web.sign_in("liu-yanjiu")
    mine = web.client.get("/workspace/my-access").get_data(as_text=True)
    assert "已批准" in mine and "2027-06-30" in mine


def test_harvest_sources_are_registered_with_errors_in_chinese(web: Any, people: Any) -> None:
    pytest.importorskip("harvesters.runner", reason="harvesters are not installed yet")
    people.user("li-admin", "cq-sthjj", "admin", password=PASSWORD)
    web.sign_in("li-admin")
    bad = web.post("/workspace/harvest", {"name": "X 非法", "org": "cq-sthjj", "type": "ckan",
                                          "url": "https://data.example.gov.cn/api/3/action/"})
    assert bad.status_code == 422 and "来源名称" in bad.get_data(as_text=True)
    good = web.post("/workspace/harvest", {"name": "slj-ckan", "title": "市水利局数据开放门户", "org": "cq-sthjj",
                                           "type": "ckan", "url": "https://data.example.gov.cn/api/3/action/",
                                           "schedule": "0 2 * * *"}, form_page="/workspace/harvest")
    assert good.status_code == 302 and good.headers["Location"] == "/workspace/harvest/slj-ckan"
    listing = web.client.get("/workspace/harvest").get_data(as_text=True)
    assert "市水利局数据开放门户" in listing and "0 2 * * *" in listing
    web.sign_in("li-admin")
    assert web.client.get("/workspace/harvest/slj-ckan").status_code == 200
