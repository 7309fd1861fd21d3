"""A department's resource list (信息资源目录 spreadsheet, one row per dataset, Chinese headers) → records.

Column names follow the national core metadata (政务信息资源目录编制指南); common variants are accepted.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from catalog.errors import Problem
from harvesters.base import SourceConfig, harvest_extras, problem
from harvesters.common import clip, email_or_none, license_id, texts, to_date, url_or_none
from schemas import load_vocab

COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("信息资源名称", "资源名称", "数据资源名称"),
    "description": ("信息资源摘要", "资源摘要", "摘要", "资源描述"),
    "resource_code": ("信息资源代码", "资源代码"),
    "classification_code": ("分类码", "信息资源分类代码", "信息资源分类"),
    "provider": ("信息资源提供方", "提供方", "提供单位", "数据提供方"),
    "provider_code": ("提供方代码", "信息资源提供方代码"),
    "format": ("信息资源格式", "资源格式"),
    "elements": ("信息项信息", "信息项", "数据项"),
    "share_type": ("共享类型",), "share_condition": ("共享条件",), "share_method": ("共享方式",),
    "share_basis": ("不予共享依据", "共享依据"),
    "open_type": ("开放类型", "开放属性", "是否向社会开放"), "open_condition": ("开放条件",),
    "open_basis": ("不予开放依据", "开放依据"),
    "update_cycle": ("更新周期",), "publish_date": ("发布日期",), "related_codes": ("关联资源代码",),
    "keywords": ("关键词", "关键字"), "themes": ("主题", "主题分类"), "districts": ("行政区划", "区县"),
    "temporal_start": ("起始时间", "数据起始时间", "时间范围起"), "temporal_end": ("截止时间", "数据截止时间", "时间范围止"),
    "contact": ("联系人",), "phone": ("联系电话",), "email": ("电子邮箱", "联系邮箱"),
    "url": ("在线资源链接地址", "访问地址", "数据下载地址"), "license": ("许可协议",),
}
SPLIT = re.compile(r"[,，、;；\s]+")
OPEN_ALIASES = {"向公众开放": "无条件开放", "不向公众开放": "不予开放", "是": "无条件开放", "否": "不予开放",
                "非开放": "不予开放"}
CYCLE_ALIASES = {"其他": "不定期", "每天": "每日", "每小时": "实时", "半年": "每半年", "每年度": "每年"}
FORMAT_CATEGORIES = ("电子文件", "电子表格", "数据库", "图形图像", "流媒体", "自描述格式", "服务接口")
ELEMENT_TYPES = {"字符型": "C", "数值型": "N", "货币型": "Y", "日期型": "D", "日期时间型": "T", "逻辑型": "L",
                 "备注型": "M", "通用型": "G", "双精度型": "B", "整型": "I", "浮点型": "F"}


@cache
def _vocab_by_zh(name: str) -> dict[str, str]:
    return {e["zh"]: e["id"] for e in load_vocab(name)} | {e["id"]: e["id"] for e in load_vocab(name)}


def header_map(header: list[str]) -> dict[str, str]:
    """Our key for each spreadsheet header we recognise."""
    out: dict[str, str] = {}
    for raw in header:
        name = str(raw).strip().replace(" ", "").rstrip("*＊")
        for key, names in COLUMNS.items():
            if name in names and key not in out.values():
                out[str(raw)] = key
    return out


def _elements(text: str) -> list[dict[str, Any]]:
    """'监测时间:日期时间型;PM2.5浓度:数值型(8)' → data elements."""
    out = []
    for part in re.split(r"[;；\n]+", text):
        m = re.match(r"^\s*([^:：(（]+)\s*[:：]?\s*([^(（]*)[(（]?(\d*)", part)
        if not m or not m.group(1).strip():
            continue
        kind = m.group(2).strip()
        el: dict[str, Any] = {"name": m.group(1).strip()[:200],
                              "type": ELEMENT_TYPES.get(kind, kind if kind in ELEMENT_TYPES.values() else "C")}
        if m.group(3):
            el["length"] = int(m.group(3))
        out.append(el)
    return out


def _format(text: str) -> dict[str, str] | None:
    parts = re.split(r"[/／]", text, maxsplit=1)
    category = parts[0].strip()
    kind = parts[1].strip() if len(parts) > 1 else None
    if category not in FORMAT_CATEGORIES:
        return None
    return {"category": category, **({"type": kind} if kind else {})}


def map_row(row: dict[str, Any], remote_id: str, source: SourceConfig) -> tuple[dict[str, Any], list[Problem]]:
    keys = header_map(list(row))
    v = {keys[h]: str(val).strip() for h, val in row.items() if h in keys and str(val).strip()}
    problems = []
    if not v.get("title"):
        problems.append(problem("required", f"第 {remote_id} 行缺少“信息资源名称”",
                                f"row {remote_id}: 信息资源名称 (title) is missing", remote_id, "信息资源名称"))
    themes = [_vocab_by_zh("themes").get(t) for t in SPLIT.split(v.get("themes", "")) if t]
    districts = [_vocab_by_zh("districts").get(d) for d in SPLIT.split(v.get("districts", "")) if d]
    record: dict[str, Any] = {
        "title": clip(v.get("title"), 200), "description": v.get("description") or v.get("title"),
        "resource_code": v.get("resource_code"), "classification_code": v.get("classification_code")
        if re.fullmatch(r"[123]\d{5}\d*", v.get("classification_code", "")) else None,
        "share_type": v.get("share_type"), "share_condition": v.get("share_condition"),
        "share_basis": v.get("share_basis"),
        "open_type": OPEN_ALIASES.get(v.get("open_type", ""), v.get("open_type")),
        "open_condition": v.get("open_condition"), "open_basis": v.get("open_basis"),
        "update_cycle": CYCLE_ALIASES.get(v.get("update_cycle", ""), v.get("update_cycle")),
        "publish_date": to_date(v.get("publish_date")), "related_codes": texts(SPLIT.split(v.get("related_codes", ""))),
        "keywords": texts(SPLIT.split(v.get("keywords", ""))), "themes": [t for t in themes if t],
        "districts": [d for d in districts if d], "temporal_start": to_date(v.get("temporal_start")),
        "temporal_end": to_date(v.get("temporal_end")), "resource_format": _format(v.get("format", "")),
        "data_elements": _elements(v.get("elements", "")), "license_id": license_id(v.get("license")),
        "contact_point": {k: x for k, x in (("name", v.get("contact")), ("phone", v.get("phone")),
                                            ("email", email_or_none(v.get("email")))) if x} or None,
        "resources": [{"name": clip(v.get("title"), 500), "url": url_or_none(v["url"])}]
        if url_or_none(v.get("url")) else None,
    }
    unknown = {h: val for h, val in row.items() if h not in keys and str(val).strip()}
    unmapped = {"provider": v.get("provider"), "provider_code": v.get("provider_code"),
                "share_method": v.get("share_method"), "row": remote_id,
                **{f"column_{h}": val for h, val in unknown.items()}}
    record["extras"] = {k[:100]: val for k, val in harvest_extras(unmapped).items()}
    return {k: x for k, x in record.items() if x not in (None, "", [])}, problems
