"""Every page passes axe-core (no serious or critical violations), works without JavaScript, and
fits a phone-width screen."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from e2e_support import Portal, assert_accessible, new_page, screenshot, sign_in

pytestmark = pytest.mark.e2e

PUBLIC_PAGES = ["/", "/?lang=en", "/dataset", "/dataset?q=空气质量&groups=air&districts=500103",
                "/dataset?q=不存在的关键词xyz", "/dataset/cq-air-station-hourly", "/organization",
                "/organization/cq-sthjj", "/about/api", "/user/login", "/no-such-page"]
RELEASED = ["/dataset/cq-air-hourly-yuzhong-release", "/dataset/cq-radiation-dose-rate-release"]
WORKSPACE_PAGES = ["/workspace", "/dataset/new", "/dataset/edit/cq-air-district-monthly-dazu", "/workspace/tokens",
                   "/organization/members/cq-sthjj"]
OPTIONAL_WORKSPACE = ["/workspace/review", "/workspace/access-requests", "/workspace/my-access",
                      "/dataset/cq-air-district-monthly-dazu/resource/new", "/dataset/cq-air-district-monthly-dazu/submit",
                      "/dataset/cq-radiation-dose-rate-release/apply", "/workspace/harvest"]


def _existing(portal: Portal, paths: list[str]) -> list[str]:
    return [p for p in paths if requests.get(portal.url + p, timeout=30, allow_redirects=False).status_code != 404]


@pytest.mark.parametrize("path", PUBLIC_PAGES + RELEASED)
def test_public_page_is_accessible(page: Any, portal: Portal, path: str) -> None:
    response = page.goto(path)
    if path in RELEASED and response.status == 404:
        pytest.skip(f"{path} needs the publication demo (ecodata publish demo)")
    assert response.status == (404 if path == "/no-such-page" else 200)
    assert_accessible(page)


def test_workspace_pages_are_accessible(browser: Any, portal: Portal) -> None:
    page = new_page(browser, portal)
    sign_in(page, "sthjj-admin")
    for path in WORKSPACE_PAGES + _existing(portal, OPTIONAL_WORKSPACE):
        assert page.goto(path).status == 200, path
        assert_accessible(page)
    page.goto("/dataset/new")
    page.get_by_role("button", name="保存登记").click()
    assert page.locator("#error-summary").is_visible()
    assert_accessible(page)
    page.context.close()


def test_without_javascript_search_dataset_and_download_work(browser: Any, portal: Portal) -> None:
    page = new_page(browser, portal, java_script_enabled=False)
    page.goto("/dataset")
    page.fill("#q", "空气质量")
    page.get_by_role("button", name="搜索").click()
    page.locator(".facet", has_text="主题").get_by_role("link", name="大气").click()
    assert "主题：大气" in page.get_by_role("list", name="已选条件").inner_text()
    page.select_option("#sort", "metadata_modified desc")
    page.get_by_role("button", name="应用").click()
    assert "sort=metadata_modified+desc" in page.url
    first = page.locator("article.dataset-card h2 a").first
    title = first.inner_text()
    first.click()
    assert page.get_by_role("heading", level=1).inner_text() == title
    download = page.get_by_role("link", name="下载 CSV")
    if download.count():
        href = download.first.get_attribute("href")
        assert requests.get(portal.url + href, timeout=30).status_code == 200
    page.context.close()


@pytest.mark.parametrize("path", ["/", "/dataset?q=空气质量", "/dataset/cq-air-station-hourly", "/about/api",
                                  "/dataset/cq-air-hourly-yuzhong-release"])
def test_phone_width_has_no_horizontal_scroll(browser: Any, portal: Portal, path: str) -> None:
    page = new_page(browser, portal, viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    if page.goto(path).status == 404:
        pytest.skip(f"{path} needs the publication demo")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
    screenshot(page, f"phone-{name}")
    page.context.close()


def test_keyboard_skip_link_leads_to_the_search_box(page: Any) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到主要内容"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q-big"
