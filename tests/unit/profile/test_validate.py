"""validate_record: one Problem per bad field, with a stable code and messages a clerk can act on."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from catalog.errors import ValidationFailed
from catalog.profile import PROBLEM_CODES, check_record, field_labels, validate_record, validator


def base_record() -> dict[str, Any]:
    return {
        "name": "cq-yangtze-cuntan-monthly",
        "title": "长江寸滩断面地表水水质月报",
        "title_en": "Monthly surface-water quality at the Cuntan section of the Yangtze",
        "description": "长江寸滩国控断面每月一次的水质监测结果，按 GB 3838-2002 单因子评价。",
        "classification_code": "216002",
        "organization": "cq-sthjjczx",
        "resource_format": {"category": "电子表格", "type": "CSV"},
        "data_elements": [
            {"name": "断面名称", "type": "C", "length": 50},
            {"name": "监测日期", "type": "D"},
            {"name": "化学需氧量", "type": "N", "length": 6, "unit": "mg/L"},
            {"name": "氨氮", "type": "N", "length": 6, "unit": "mg/L"},
        ],
        "share_type": "无条件共享",
        "share_method": {"category": "共享平台方式", "type": "文件下载"},
        "open_type": "无条件开放",
        "update_cycle": "每月",
        "publish_date": "2024-03-15",
        "themes": ["surface-water"],
        "keywords": ["长江", "寸滩", "COD", "氨氮"],
        "districts": ["500105"],
        "temporal_start": "2018-01-01",
        "temporal_end": "2024-12-31",
        "license_id": "cn-gov-open-1.0",
        "contact_point": {"name": "重庆市生态环境监测中心", "email": "sjkf@example.cn", "phone": "023-89181234"},
        "resources": [{"name": "2024年寸滩断面水质", "url": "https://ecodata.example/files/cuntan-2024.csv",
                       "format": "CSV", "media_type": "text/csv", "license_id": "cn-gov-open-1.0"}],
    }


def test_the_base_record_is_valid() -> None:
    assert validate_record(base_record()) == []


def _set(path: list[str | int], value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(record: dict[str, Any]) -> None:
        target: Any = record
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return apply


def _drop(*path: str | int) -> Callable[[dict[str, Any]], None]:
    def apply(record: dict[str, Any]) -> None:
        target: Any = record
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return apply


CASES = [
    # (id, change, code, field, words the Chinese message must contain)
    ("missing-title", _drop("title"), "required", "title", ["信息资源名称"]),
    ("empty-title", _set(["title"], ""), "empty", "title", ["信息资源名称", "不能为空"]),
    ("missing-description", _drop("description"), "required", "description", ["信息资源摘要"]),
    ("missing-themes", _drop("themes"), "required", "themes", ["主题"]),
    ("no-themes", _set(["themes"], []), "min_items", "themes", ["主题", "至少"]),
    ("missing-classification", _drop("classification_code"), "required", "classification_code", ["分类码"]),
    ("unknown-district", _set(["districts"], ["500105", "500232"]), "unknown_district", "districts[1]",
     ["行政区划第2项", "500232"]),
    ("malformed-district", _set(["districts"], ["510105"]), "pattern", "districts[0]", ["行政区划", "GB/T 2260"]),
    ("unknown-theme", _set(["themes"], ["water"]), "unknown_theme", "themes[0]", ["主题", "surface-water（地表水）"]),
    ("bad-share-type", _set(["share_type"], "部分共享"), "enum", "share_type", ["共享类型", "有条件共享"]),
    ("bad-open-type", _set(["open_type"], "向公众开放"), "enum", "open_type", ["开放类型", "无条件开放"]),
    ("bad-share-method", _set(["share_method", "type"], "光盘"), "enum", "share_method.type", ["共享方式类型", "接口"]),
    ("missing-share-condition", _set(["share_type"], "有条件共享"), "condition_required", "share_condition",
     ["有条件共享", "共享条件"]),
    ("missing-share-basis", _set(["share_type"], "不予共享"), "condition_required", "share_basis",
     ["不予共享", "不予共享依据"]),
    ("missing-open-condition", _set(["open_type"], "有条件开放"), "condition_required", "open_condition",
     ["有条件开放", "开放条件"]),
    ("missing-open-basis", _set(["open_type"], "不予开放"), "condition_required", "open_basis",
     ["不予开放", "不予开放依据"]),
    ("bad-element-type", _set(["data_elements", 2, "type"], "X"), "enum", "data_elements[2].type",
     ["信息项第3项", "数据类型", "C（字符型）"]),
    ("missing-element-name", _drop("data_elements", 1, "name"), "required", "data_elements[1].name",
     ["信息项第2项", "信息项名称"]),
    ("bad-element-length", _set(["data_elements", 0, "length"], "五十"), "type", "data_elements[0].length",
     ["数据长度", "整数"]),
    ("bad-resource-code", _set(["resource_code"], "216002-000001"), "pattern", "resource_code",
     ["信息资源代码", "216001/000123"]),
    ("code-mismatch", _set(["resource_code"], "216001/000001"), "code_mismatch", "resource_code", ["不一致"]),
    ("bad-name", _set(["name"], "长江水质"), "pattern", "name", ["数据集标识", "小写字母"]),
    ("bad-update-cycle", _set(["update_cycle"], "每小时"), "enum", "update_cycle", ["更新周期", "实时"]),
    ("bad-date", _set(["publish_date"], "2024-02-30"), "format", "publish_date", ["发布日期", "日期"]),
    ("bad-date-shape", _set(["publish_date"], "2024/03/15"), "pattern", "publish_date", ["发布日期", "YYYY-MM-DD"]),
    ("dates-reversed", _set(["temporal_end"], "2017-12-31"), "date_order", "temporal_end", ["时间范围止"]),
    ("unknown-licence", _set(["license_id"], "gpl-3.0"), "unknown_license", "license_id", ["许可协议", "cc-by-4.0"]),
    ("unknown-resource-licence", _set(["resources", 0, "license_id"], "cc-by-nc-4.0"), "unknown_license",
     "resources[0].license_id", ["数据资源第1项", "许可协议"]),
    ("resource-without-url", _drop("resources", 0, "url"), "condition_required", "resources[0].url",
     ["数据资源第1项", "访问地址"]),
    ("resource-bad-url", _set(["resources", 0, "url"], "ecodata/files/a.csv"), "pattern", "resources[0].url",
     ["访问地址", "https://"]),
    ("bad-format-category", _set(["resource_format", "category"], "表格"), "enum", "resource_format.category",
     ["格式分类", "电子表格"]),
    ("bad-email", _set(["contact_point", "email"], "sjkf.example.cn"), "pattern", "contact_point.email",
     ["电子邮箱"]),
    ("unknown-field", _set(["owner"], "张三"), "unknown_field", "owner", ["owner", "extras"]),
    ("derived-field", _set(["access_rights"], "PUBLIC"), "derived_field", "access_rights", ["系统", "生成"]),
    ("duplicate-keywords", _set(["keywords"], ["长江", "长江"]), "duplicate", "keywords", ["关键词", "重复"]),
    ("bad-state", _set(["state"], "deleted"), "enum", "state", ["状态", "draft"]),
    ("bad-extras", _set(["extras"], {"harvest": {"nested": 1}}), "type", "extras.harvest", ["扩展属性"]),
]


@pytest.mark.parametrize(("change", "code", "field", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_yields_one_problem_naming_the_field(change: Callable[[dict[str, Any]], None], code: str,
                                                       field: str, words: list[str]) -> None:
    record = base_record()
    change(record)
    problems = validate_record(record)
    assert [(p.code, p.location.field) for p in problems] == [(code, field)], [p.as_dict() for p in problems]
    problem = problems[0]
    for word in words:
        assert word in problem.message, problem.message
    top = field.split(".")[0].split("[")[0]
    assert field_labels().get(top, (top, top))[1] in problem.message_en, problem.message_en
    assert problem.location.record == record.get("name")


def test_english_messages_name_the_field_in_english() -> None:
    record = base_record()
    record["data_elements"][2]["type"] = "X"
    record["share_type"] = "有条件共享"
    messages = {p.location.field: p.message_en for p in validate_record(record)}
    assert messages["data_elements[2].type"].startswith("Data elements #3 › Data type")
    assert "Share condition is required when Share type is '有条件共享'" in messages["share_condition"]


def test_several_bad_fields_give_one_problem_each() -> None:
    record = base_record()
    del record["title"]
    record["districts"] = ["500999"]
    record["data_elements"][0]["type"] = "Z"
    record["open_type"] = "不予开放"
    fields = sorted(p.location.field or "" for p in validate_record(record))
    assert fields == ["data_elements[0].type", "districts[0]", "open_basis", "title"]


def test_conditions_are_satisfied_by_their_text() -> None:
    record = base_record()
    record.update(share_type="有条件共享", share_condition="仅向生态环境执法部门共享，用于执法检查。",
                  open_type="不予开放", open_basis="涉及国家秘密，依据《中华人民共和国保守国家秘密法》不予开放。")
    assert validate_record(record) == []


def test_an_uploaded_resource_needs_no_url() -> None:
    record = base_record()
    record["resources"] = [{"id": "9b1f0c5e", "name": "上传的数据文件", "format": "CSV"}]
    assert validate_record(record) == []


def test_resource_code_alone_stands_for_the_classification() -> None:
    record = base_record()
    del record["classification_code"]
    record["resource_code"] = "216002/000042"
    assert validate_record(record) == []


def test_partial_skips_missing_fields_but_checks_present_ones() -> None:
    assert validate_record({"title": "嘉陵江北温泉断面水质"}, partial=True) == []
    assert validate_record({"share_type": "有条件共享"}, partial=True) == []
    problems = validate_record({"districts": ["500232"], "data_elements": [{"type": "C"}]}, partial=True)
    assert {(p.code, p.location.field) for p in problems} == {
        ("unknown_district", "districts[0]"), ("required", "data_elements[0].name")}


def test_known_organizations_are_enforced_only_when_given() -> None:
    record = base_record()
    record["organization"] = "cq-hbj"
    assert validate_record(record) == []
    problems = validate_record(record, organizations={"cq-sthjj", "cq-sthjjczx"})
    assert [(p.code, p.location.field) for p in problems] == [("unknown_organization", "organization")]


def test_not_an_object() -> None:
    problems = validate_record(["title"])  # type: ignore[arg-type]
    assert [p.code for p in problems] == ["type"]


def test_check_record_raises_with_every_problem() -> None:
    record = base_record()
    record["title"] = ""
    record["themes"] = ["water"]
    with pytest.raises(ValidationFailed) as caught:
        check_record(record)
    assert caught.value.code == "validation_error"
    assert {p.location.field for p in caught.value.problems} == {"title", "themes[0]"}
    check_record(base_record())


@pytest.mark.parametrize(("change", "code", "field", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_detailed_pass_agrees_with_the_fast_path(change: Callable[[dict[str, Any]], None], code: str,
                                                     field: str, words: list[str]) -> None:
    record = base_record()
    change(record)
    schema_errors = list(validator().iter_errors(record))
    beyond_schema = {"unknown_district", "unknown_theme", "unknown_license", "code_mismatch", "date_order"}
    assert bool(schema_errors) == (code not in beyond_schema)


def test_labels_cover_nested_fields() -> None:
    labels = field_labels()
    assert labels["title"] == ("信息资源名称", "Title")
    assert labels["data_elements[].type"][0] == "数据类型"
    assert labels["resources[].checksum.value"][0] == "校验值"


def test_validation_does_not_change_the_record() -> None:
    record = base_record()
    record["districts"] = ["500232"]
    before = copy.deepcopy(record)
    validate_record(record)
    assert record == before


def test_every_problem_code_the_validator_can_emit_is_documented() -> None:
    import inspect
    import re

    from catalog import profile, profile_errors
    source = inspect.getsource(profile) + inspect.getsource(profile_errors)
    emitted = set(re.findall(r'[pP]roblem\("([a-z_]+)"', source)) | set(re.findall(r'\("([a-z_]+)", f"', source))
    assert emitted and emitted <= set(PROBLEM_CODES), emitted - set(PROBLEM_CODES)
    assert {c[2] for c in CASES} <= set(PROBLEM_CODES)


def test_python_objects_that_are_not_json_are_reported_not_raised() -> None:
    import datetime

    record = base_record()
    record["publish_date"] = datetime.date(2024, 3, 15)
    record[7] = "x"  # type: ignore[index]
    assert {(p.code, p.location.field) for p in validate_record(record)} == {
        ("type", "publish_date"), ("unknown_field", "7")}
