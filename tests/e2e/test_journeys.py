"""The four journeys of the portal, in a real browser against the real server.

1. A member of the public searches 空气质量, filters by a district, opens a dataset, sees the chart
   and the station map, and downloads CSV.
2. A department editor registers a dataset, uploads a GBK CSV, reads the validation report, submits.
3. A reviewer reads the per-audience preview and approves; the data appears publicly.
4. A user applies for a conditional dataset, the owning department approves, the user downloads.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
import requests
from e2e_support import APPLICANT, Portal, assert_accessible, new_page, screenshot, sign_in
from gbk_data import write_gbk_csv

pytestmark = pytest.mark.e2e

DATASET = "cq-yuzhong-air-hourly-station"
TITLE = "渝中区环境空气质量自动监测小时数据"
CONDITIONAL = "cq-radiation-dose-rate-release"


def need_module(name: str) -> None:
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"{name} is not installed yet: this journey needs it")


def register_dataset(page: Any) -> None:
    page.goto("/dataset/new")
    page.get_by_role("button", name="保存登记").click()
    summary = page.locator("#error-summary")
    assert "信息资源名称" in summary.inner_text(), "the error summary names the missing field in Chinese"
    assert page.locator('form.profile-form [name="title"][aria-invalid="true"]').count() == 1
    page.fill('form.profile-form [name="title"]', TITLE)
    page.fill('form.profile-form [name="name"]', DATASET)
    page.fill('form.profile-form [name="description"]', "渝中区解放碑、上清寺国控空气质量自动监测站逐小时 PM2.5、PM10、臭氧等六项污染物浓度和空气质量指数。")
    page.select_option('form.profile-form [name="organization"]', "cq-sthjj")
    page.check('input[name="themes"][value="air"]')
    page.fill('form.profile-form [name="keywords"]', "空气质量，PM2.5，渝中区")
    page.check('input[name="districts"][value="500103"]')
    page.select_option('form.profile-form [name="update_cycle"]', "实时")
    page.select_option('form.profile-form [name="share_type"]', "无条件共享")
    page.select_option('form.profile-form [name="open_type"]', "无条件开放")
    page.select_option('form.profile-form [name="license_id"]', "cc-by-4.0")
    page.fill('form.profile-form [name="contact_point.name"]', "渝中区生态环境监测站")
    page.fill('form.profile-form [name="contact_point.email"]', "jcz@yzq.cq.gov.cn")
    for i, (name, en, kind, unit) in enumerate([("站点编码", "station_code", "C", ""), ("监测时间", "time", "T", ""),
                                                ("PM2.5浓度", "pm25", "N", "μg/m³")]):
        page.fill(f'form.profile-form [name="data_elements[{i}].name"]', name)
        page.fill(f'form.profile-form [name="data_elements[{i}].name_en"]', en)
        page.select_option(f'form.profile-form [name="data_elements[{i}].type"]', kind)
        page.fill(f'form.profile-form [name="data_elements[{i}].unit"]', unit)
    page.get_by_role("button", name="保存登记").click()
    page.wait_for_url(f"**/dataset/{DATASET}")
    assert page.get_by_role("heading", name=TITLE).is_visible()


def upload_and_submit(page: Any, tmp_path: Path) -> None:
    csv_path = write_gbk_csv(tmp_path / "渝中区小时数据.csv")
    page.get_by_role("link", name="上传数据文件").click()
    page.set_input_files("#file", str(csv_path))
    page.select_option("#table_schema", "air_quality_hourly")
    page.get_by_role("button", name="上传并校验").click()
    report = page.locator(".report")
    report.wait_for()
    text = report.inner_text()
    assert "gbk" in text.lower() or "gb18030" in text.lower(), text
    assert "48" in text and "第50行" in text, text
    assert_accessible(page)
    page.get_by_role("link", name="提交发布").click()
    page.fill("#comment", "首次发布渝中区两个国控站点的小时数据")
    page.get_by_role("button", name="确认提交").click()
    page.wait_for_url(f"**/dataset/{DATASET}")
    assert "已提交发布申请" in page.locator(".flashes").inner_text()


def approve_submission(page: Any) -> None:
    page.goto("/workspace/review")
    assert_accessible(page)
    screenshot(page, "reviewer-queue")
    page.locator("article", has_text=TITLE).get_by_role("link", name="查看预览并审核").click()
    page.get_by_role("heading", name="各受众将获得的内容").wait_for()
    assert page.get_by_role("heading", name="公众").count() >= 1
    assert_accessible(page)
    screenshot(page, "reviewer-preview")
    page.fill("#comment", "数据完整，同意发布")
    page.get_by_role("button", name="批准发布").click()
    page.wait_for_url("**/workspace/review")
    assert "已批准" in page.locator(".flashes").inner_text()


def ensure_published(browser: Any, portal: Portal, tmp_path: Path) -> None:
    """Whatever of journeys 2 and 3 has not yet run against this server (tests may run alone)."""
    shown = requests.get(f"{portal.url}/dataset/{DATASET}", timeout=30)
    if shown.status_code == 200 and "发布历史" in shown.text:
        return
    # Before its first release a dataset that carries data is seen only by its own department.
    editor = new_page(browser, portal)
    sign_in(editor, "sthjj-editor")
    seen = editor.goto(f"/dataset/{DATASET}")
    if seen is None or seen.status == 404:
        register_dataset(editor)
        upload_and_submit(editor, tmp_path)
    editor.context.close()
    reviewer = new_page(browser, portal)
    sign_in(reviewer, "sthjj-reviewer")
    approve_submission(reviewer)
    reviewer.context.close()


def test_editor_registers_uploads_gbk_and_submits(browser: Any, portal: Portal, tmp_path: Path) -> None:
    need_module("catalog.publication")
    page = new_page(browser, portal)
    sign_in(page, "sthjj-editor")
    assert_accessible(page)
    screenshot(page, "workspace")
    register_dataset(page)
    upload_and_submit(page, tmp_path)
    page.context.close()


def test_reviewer_approves_and_dataset_appears_publicly(browser: Any, portal: Portal, tmp_path: Path) -> None:
    need_module("catalog.publication")
    ensure_published(browser, portal, tmp_path)
    public = new_page(browser, portal)
    public.goto(f"/dataset/{DATASET}")
    history = public.locator("#history").locator("xpath=..")
    assert "第 1 版" in history.inner_text() and "签名有效" in history.inner_text()
    public.context.close()


def test_public_searches_filters_opens_sees_chart_and_map_downloads_csv(browser: Any, portal: Portal,
                                                                        page: Any, tmp_path: Path) -> None:
    need_module("catalog.releases")
    need_module("portal.data")
    ensure_published(browser, portal, tmp_path)
    page.goto("/")
    assert_accessible(page)
    screenshot(page, "home")
    page.fill("#q-big", "空气质量")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**/dataset?q=*")
    page.locator(".facet", has_text="区县").get_by_role("link", name="渝中区").click()
    chips = page.get_by_role("list", name="已选条件")
    assert "区县：渝中区" in chips.inner_text()
    api = requests.get(f"{portal.url}/api/v1/datasets", params={"q": "空气质量", "district": "500103"}, timeout=30)
    assert page.locator(".result-count strong").inner_text() == str(api.json()["count"])
    assert_accessible(page)
    screenshot(page, "search")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"**/dataset/{DATASET}")
    assert page.locator("svg.line-chart polyline.series").is_visible()
    assert page.locator("#stations").is_visible()
    assert page.locator("svg.district-map circle.station").count() == 2
    assert_accessible(page)
    screenshot(page, "dataset")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 CSV").first.click()
    content = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert content.splitlines()[0].replace('"', "").startswith("station_code,station_name") and "解放碑" in content
    assert len(content.splitlines()) == 49   # header + 48 valid rows; the broken row never went out


def test_user_applies_owner_approves_user_downloads(browser: Any, portal: Portal) -> None:
    need_module("catalog.access")
    need_module("portal.data")
    applicant = new_page(browser, portal)
    sign_in(applicant, APPLICANT)
    applicant.goto(f"/dataset/{CONDITIONAL}")
    assert applicant.get_by_role("link", name="下载 CSV").count() == 0, "no data before a grant"
    applicant.get_by_role("link", name="申请使用数据").click()
    applicant.fill("#purpose", "研究重庆主城区环境γ辐射空气吸收剂量率的季节变化（西南大学资源环境学院课题）")
    assert_accessible(applicant)
    applicant.get_by_role("button", name="提交申请").click()
    applicant.wait_for_url("**/workspace/my-access")
    assert "待审核" in applicant.locator("main").inner_text()

    owner = new_page(browser, portal)
    sign_in(owner, "sthjj-reviewer")
    owner.goto("/workspace/access-requests")
    card = owner.locator("article.card", has_text="西南大学资源环境学院张研究员")
    card.get_by_role("textbox", name="意见").fill("同意，限科研使用，不得公开发布")
    assert_accessible(owner)
    card.get_by_role("button", name="批准").click()
    owner.wait_for_url("**/workspace/access-requests")
    assert "已批准" in owner.locator(".flashes").inner_text()
    owner.context.close()

    applicant.goto(f"/dataset/{CONDITIONAL}")
    with applicant.expect_download() as info:
        applicant.get_by_role("link", name="下载 CSV").first.click()
    lines = Path(info.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) > 1
    applicant.context.close()
