"""Public pages rendered by the server: home, search (counts equal the API's), dataset, departments."""

from __future__ import annotations

import json
import re
from typing import Any


def _publish(catalog: Any, people: Any, make_record: Any) -> None:
    from catalog.accounts import get_user
    from catalog.authz import actor_for

    with catalog.read() as session:
        editor = actor_for(session, get_user(session, "editor"))
    catalog.create_dataset(editor, make_record())
    catalog.create_dataset(editor, make_record(
        name="cq-surface-water-jialing", title="嘉陵江国控断面地表水水质月报", themes=["surface-water"],
        keywords=["地表水", "嘉陵江"], districts=["500106", "500109"], update_cycle="每月",
        resources=[{"name": "月报 XLSX", "url": "http://127.0.0.1:5000/files/water.xlsx", "format": "XLSX"}]))
    catalog.create_dataset(editor, make_record(
        name="cq-noise-nanan", title="南岸区声环境功能区噪声监测", themes=["noise"], keywords=["噪声"],
        districts=["500108"], open_type="有条件开放", open_condition="须签订数据利用协议，仅限科研使用。"))


def test_home_shows_search_themes_departments_and_figures(client: Any, catalog: Any, people: Any,
                                                          make_record: Any) -> None:
    _publish(catalog, people, make_record)
    html = client.get("/").get_data(as_text=True)
    assert 'role="search"' in html and 'name="q"' in html
    assert re.search(r"开放数据集</dt><dd>3</dd>", html)
    assert 'href="/dataset?groups=surface-water"' in html and "地表水" in html
    assert 'href="/organization/cq-sthjj"' in html
    assert "嘉陵江国控断面地表水水质月报" in html


def test_search_counts_match_the_api_for_the_same_filters(client: Any, catalog: Any, people: Any,
                                                          make_record: Any) -> None:
    _publish(catalog, people, make_record)
    cases = [("", {}, {}), ("水质", {}, {}), ("", {"districts": "500106"}, {"district": "500106"}),
             ("", {"groups": "noise", "organization": "cq-sthjj"}, {"theme": "noise", "org": "cq-sthjj"})]
    for q, page_params, api_params in cases:
        page = client.get("/dataset", query_string={"q": q, **page_params}).get_data(as_text=True)
        api = client.get("/api/v1/datasets", query_string={"q": q, **api_params}).get_json()
        shown = re.search(r'<p class="result-count" role="status"><strong>(\d+)</strong>', page)
        assert shown and int(shown.group(1)) == api["count"], (q, page_params)


def test_active_filters_are_chips_that_remove_themselves(client: Any, catalog: Any, people: Any,
                                                         make_record: Any) -> None:
    _publish(catalog, people, make_record)
    html = client.get("/dataset?districts=500106&groups=surface-water").get_data(as_text=True)
    assert "区县：沙坪坝区" in html and "主题：地表水" in html
    assert 'href="/dataset?groups=surface-water"' in html      # the chip dropping 沙坪坝区
    assert "嘉陵江国控断面地表水水质月报" in html and "南岸区声环境" not in html


def test_dataset_page_has_catalogue_metadata_elements_resources_snippets_and_schema_org(
        client: Any, catalog: Any, people: Any, make_record: Any) -> None:
    _publish(catalog, people, make_record)
    response = client.get("/dataset/cq-air-quality-hourly-yuzhong")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "共享类型" not in html  # the share attribute is for government departments only
    for text in ("信息资源代码", "216001/", "无条件开放", "dct:accessRights", "PUBLIC", "监测站点编码", "μg/m³",
                 "小时数据 CSV", "curl 'http://127.0.0.1:5000/api/v1/datasets/cq-air-quality-hourly-yuzhong'",
                 "RemoteCKAN", "渝中区"):
        assert text in html, text
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert ld["@type"] == "Dataset" and ld["name"] == "渝中区空气质量自动监测站小时数据"
    assert ld["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert ld["distribution"][0]["encodingFormat"] == "CSV"


def test_department_pages_list_their_datasets(client: Any, catalog: Any, people: Any, make_record: Any) -> None:
    _publish(catalog, people, make_record)
    listing = client.get("/organization").get_data(as_text=True)
    assert "重庆市生态环境局" in listing and "重庆市水利局" in listing
    page = client.get("/organization/cq-sthjj").get_data(as_text=True)
    assert "部门：重庆市生态环境局" in page and "嘉陵江国控断面地表水水质月报" in page
    assert client.get("/organization/cq-no-such").status_code == 404


def test_english_switch_translates_the_chrome_and_picks_english_titles(client: Any, catalog: Any, people: Any,
                                                                        make_record: Any) -> None:
    _publish(catalog, people, make_record)
    html = client.get("/dataset/cq-air-quality-hourly-yuzhong?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Hourly air quality of Yuzhong District monitoring stations" in html
    assert "Data resources" in html
    assert "lang=en" in client.get("/?lang=en").headers["Set-Cookie"]
    assert '<html lang="en">' in client.get("/organization").get_data(as_text=True), "the choice is remembered"
    assert '<html lang="zh-CN">' in client.get("/organization?lang=zh").get_data(as_text=True)


def test_robots_sitemap_and_friendly_errors(client: Any, catalog: Any, people: Any, make_record: Any) -> None:
    _publish(catalog, people, make_record)
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /workspace" in robots and "Sitemap: http://127.0.0.1:5000/sitemap.xml" in robots
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert "<loc>http://127.0.0.1:5000/dataset/cq-air-quality-hourly-yuzhong</loc>" in sitemap
    missing = client.get("/dataset/cq-does-not-exist")
    assert missing.status_code == 404 and "页面不存在" in missing.get_data(as_text=True)
    assert client.get("/api/v1/datasets/cq-does-not-exist").get_json()["error"]["status"] == 404


def test_private_datasets_are_not_shown_to_the_public(client: Any, catalog: Any, people: Any,
                                                      make_record: Any) -> None:
    _publish(catalog, people, make_record)
    from catalog.accounts import get_user
    from catalog.authz import actor_for

    with catalog.read() as session:
        editor = actor_for(session, get_user(session, "editor"))
    catalog.create_dataset(editor, make_record(name="cq-internal-draft", title="内部核查用监测数据", private=True))
    assert client.get("/dataset/cq-internal-draft").status_code == 404
    assert "内部核查用监测数据" not in client.get("/dataset").get_data(as_text=True)
    assert "cq-internal-draft" not in client.get("/sitemap.xml").get_data(as_text=True)
