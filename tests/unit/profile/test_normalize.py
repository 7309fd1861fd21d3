"""normalize_record, generate_resource_code and derived_fields."""

from __future__ import annotations

import pytest

from catalog.errors import ValidationFailed
from catalog.profile import derived_fields, generate_resource_code, normalize_record, validate_record


def test_normalize_trims_fills_defaults_and_leaves_the_input_alone() -> None:
    raw = {
        "name": "cq-noise-yuzhong",
        "title": "  渝中区声环境功能区自动监测数据 ",
        "description": "渝中区功能区噪声逐时等效声级。\n",
        "resource_code": "216006/000007",
        "organization": "cq-sthjj",
        "share_type": "无条件共享",
        "open_type": "无条件开放",
        "update_cycle": "实时",
        "themes": ["noise", "noise"],
        "keywords": [" 噪声 ", "噪声", "等效声级"],
        "districts": [500103, "500103"],
        "data_elements": [{"name": " 昼间等效声级 ", "type": "n", "unit": "dB(A)", "description": None}],
        "contact_point": {"name": "渝中区生态环境局", "email": None},
        "title_en": None,
    }
    out = normalize_record(raw)
    assert out["title"] == "渝中区声环境功能区自动监测数据"
    assert out["description"] == "渝中区功能区噪声逐时等效声级。"
    assert out["themes"] == ["noise"] and out["keywords"] == ["噪声", "等效声级"]
    assert out["districts"] == ["500103"]
    assert out["data_elements"] == [{"name": "昼间等效声级", "type": "N", "unit": "dB(A)"}]
    assert out["contact_point"] == {"name": "渝中区生态环境局"}
    assert "title_en" not in out
    assert (out["state"], out["private"], out["language"]) == ("active", False, ["zh"])
    assert out["classification_code"] == "216006"
    assert raw["title"].startswith("  ") and raw["districts"] == [500103, "500103"]
    assert validate_record(out) == []


def test_normalize_keeps_given_values() -> None:
    out = normalize_record({"state": "draft", "private": True, "language": ["zh", "en"]})
    assert (out["state"], out["private"], out["language"]) == ("draft", True, ["zh", "en"])


@pytest.mark.parametrize(("classification", "seq", "expected"), [
    ("216001", 123, "216001/000123"),
    ("3010020101", 1, "3010020101/000001"),
    ("102003", 1234567, "102003/1234567"),
])
def test_resource_codes(classification: str, seq: int, expected: str) -> None:
    assert generate_resource_code(classification, seq) == expected


@pytest.mark.parametrize("classification", ["416001", "21600", "2160a1", ""])
def test_resource_code_rejects_malformed_classification(classification: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        generate_resource_code(classification, 1)
    assert caught.value.problems[0].location.field == "classification_code"
    assert "分类码" in caught.value.problems[0].message


def test_resource_code_rejects_bad_sequence() -> None:
    with pytest.raises(ValueError):
        generate_resource_code("216001", 0)


@pytest.mark.parametrize(("open_type", "cycle", "access", "frequency"), [
    ("无条件开放", "实时", "PUBLIC", "CONT"),
    ("有条件开放", "每日", "RESTRICTED", "DAILY"),
    ("不予开放", "每半年", "NON_PUBLIC", "BIANNUAL"),
    ("无条件开放", "不定期", "PUBLIC", "IRREG"),
])
def test_derived_fields(open_type: str, cycle: str, access: str, frequency: str) -> None:
    derived = derived_fields({"open_type": open_type, "update_cycle": cycle, "publish_date": "2024-05-01"})
    assert derived == {
        "access_rights": f"http://publications.europa.eu/resource/authority/access-right/{access}",
        "accrual_periodicity": f"http://publications.europa.eu/resource/authority/frequency/{frequency}",
        "issued": "2024-05-01",
    }


def test_derived_fields_skip_what_is_unknown() -> None:
    assert derived_fields({"open_type": "向公众开放"}) == {}
