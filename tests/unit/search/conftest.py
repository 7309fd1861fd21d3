"""A small, realistic catalogue of Chongqing monitoring datasets, and an index built from it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from catalog.search.tantivy_index import TantivyIndex

CST = timezone(timedelta(hours=8))

# (id, title, description, keywords, theme, org, districts, formats, readers)
ROWS = [
    ("air-daily", "重庆市环境空气质量日报", "全市环境空气质量状况，包括AQI、首要污染物和六项污染物日均浓度。",
     ["空气质量", "AQI"], "air", "cq-sthjj", ["500000"], ["CSV", "JSON"], ["public"]),
    ("air-hourly", "主城区空气质量自动监测站小时数据", "主城区国控空气自动站逐时监测的SO2、NO2、CO、O3浓度。",
     ["空气质量", "自动监测站"], "air", "cq-hjjczx", ["500103", "500105"], ["API"], ["public"]),
    ("pm25-monthly", "渝中区细颗粒物（PM2.5）浓度月报", "渝中区各站点细颗粒物月均浓度及同比变化。",
     ["颗粒物"], "air", "cq-500103-sthj", ["500103"], ["XLSX"], ["public"]),
    ("pm-annual", "PM10与PM2.5浓度年度统计", "全市可吸入颗粒物和细颗粒物年均浓度统计表。",
     ["颗粒物", "年报"], "air", "cq-sthjj", ["500000"], ["XLSX", "PDF"], ["public"]),
    ("o3-8h", "臭氧8小时滑动平均浓度", "臭氧（O3）日最大8小时滑动平均值，用于评价臭氧污染。",
     ["臭氧污染"], "air", "cq-hjjczx", ["500000"], ["CSV"], ["public"]),
    ("so2-stack", "重点工业企业废气排放口二氧化硫在线监测", "废气排放口SO2、氮氧化物和烟尘排放浓度，因子编码a21026。",
     ["污染源", "在线监测"], "pollution-source", "cq-sthjj", ["500102"], ["API"], ["gov"]),
    ("yangtze-wq", "长江干流国控断面地表水水质月报", "长江干流寸滩、朱沱等国控断面水质类别和主要超标指标。",
     ["地表水", "水质"], "surface-water", "cq-hjjczx", ["500000"], ["PDF", "CSV"], ["public"]),
    ("jialing-auto", "嘉陵江水质自动监测站实时数据", "嘉陵江北温泉、大溪沟水质自动站溶解氧、高锰酸盐指数、氨氮、总磷。",
     ["地表水", "自动监测站"], "surface-water", "cq-hjjczx", ["500106", "500109"], ["API", "CSV"], ["public"]),
    ("drink-source", "集中式饮用水水源地水质状况", "县级以上集中式饮用水水源地水质达标情况及超标项目。",
     ["饮用水", "水源地"], "drinking-water", "cq-sthjj", ["500000"], ["PDF"], ["public"]),
    ("groundwater", "地下水环境质量监测", "地下水监测井水位埋深、总硬度、硝酸盐氮，评价水质类别。",
     ["地下水"], "groundwater", "cq-sthjj", ["500116"], ["XLSX"], ["gov", "org:cq-sthjj"]),
    ("wwtp-online", "污水处理厂出水在线监测", "城镇污水处理厂出水COD、氨氮（NH3-N）、总磷在线监测小时均值。",
     ["污染源", "在线监测"], "pollution-source", "cq-500112-sthj", ["500112"], ["API"], ["org:cq-500112-sthj"]),
    ("wujiang-annual", "乌江流域水质类别评价年报", "乌江干支流断面水质类别比例与变化趋势。",
     ["地表水", "年报"], "surface-water", "cq-500102-sthj", ["500102"], ["PDF"], ["public"]),
    ("noise-zone", "区域声环境质量昼间监测", "城市区域声环境昼间等效声级网格监测结果。",
     ["噪声"], "noise", "cq-hjjczx", ["500000"], ["XLSX"], ["public"]),
    ("soil-metal", "农用地土壤重金属监测点位数据", "农用地土壤镉、汞、砷、铅、铬监测结果，附周边地下水水质说明。",
     ["土壤", "重金属"], "soil", "cq-sthjj", ["500151", "500117"], ["SHP", "CSV"], ["gov"]),
    ("radiation", "辐射环境自动监测站空气吸收剂量率", "辐射环境自动站γ辐射空气吸收剂量率小时值。",
     ["辐射"], "radiation", "cq-sthjj", ["500000"], ["CSV"], ["public"]),
    ("biodiversity", "生物多样性观测样区物种名录", "缙云山、金佛山等观测样区鸟类和植物物种名录。",
     ["生态", "生物多样性"], "ecology", "cq-sthjj", ["500109", "500119"], ["XLSX"], ["public"]),
    ("weather", "城市气象观测站逐时数据", "气温、相对湿度、风速、风向和降水量，用于分析空气质量的气象条件。",
     ["气象"], "meteorology", "cq-qxj", ["500000"], ["CSV"], ["public"]),
    ("river-chief", "河长制河流水质考核断面数据", "区县河长制考核断面COD、氨氮、总磷监测值。",
     ["河长制", "水质"], "surface-water", "cq-500112-sthj", ["500112"], ["XLSX"], ["public"]),
    ("aqi-ranking", "区县空气质量排名", "各区县环境空气质量综合指数和优良天数比例排名。",
     ["排名"], "air", "cq-sthjj", ["500000"], ["PDF"], ["public"]),
    ("draft-plan", "空气质量达标规划编制数据", "空气质量限期达标规划的基础数据，尚在编制中。",
     ["规划"], "air", "cq-sthjj", ["500000"], ["DOCX"], ["org:cq-sthjj"]),
]


def make_doc(i: int, row: tuple) -> dict:
    doc_id, title, description, keywords, theme, org, districts, formats, readers = row
    modified = datetime(2025, 1, 1, 8, tzinfo=CST) + timedelta(days=7 * i, hours=i)
    return {
        "id": doc_id, "name": f"cq-{doc_id}", "title": title, "title_en": "", "description": description,
        "keywords": keywords, "org": org, "org_title": "重庆市生态环境局", "themes": [theme],
        "tags": keywords, "formats": formats, "districts": districts,
        "update_cycle": ["每日", "每月", "实时", "每年"][i % 4], "open_type": "无条件开放" if "public" in readers
        else "有条件开放", "license_id": "cn-gov-open-1.0" if i % 3 else "cc-by-4.0",
        "state": "draft" if doc_id == "draft-plan" else "active", "readers": readers,
        "modified": modified, "created": modified - timedelta(days=30),
        "resource_code": f"2160{i % 9 + 1:02d}/{i:06d}", "elements": ["监测时间", "站点名称"],
    }


@pytest.fixture(scope="session")
def corpus() -> list[dict]:
    return [make_doc(i, row) for i, row in enumerate(ROWS)]


@pytest.fixture
def index(tmp_path: Path, corpus: list[dict]) -> TantivyIndex:
    idx = TantivyIndex(tmp_path / "search", writer_heap_mb=20, writer_threads=1)
    idx.upsert(corpus)
    idx.commit(42)
    yield idx
    idx.close()


@pytest.fixture(scope="session")
def shared_index(tmp_path_factory: pytest.TempPathFactory, corpus: list[dict]) -> TantivyIndex:
    """Read-only tests share one index (building costs a writer start and a commit)."""
    idx = TantivyIndex(tmp_path_factory.mktemp("search"), writer_heap_mb=20, writer_threads=1)
    idx.upsert(corpus)
    idx.commit(1)
    return idx


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)
