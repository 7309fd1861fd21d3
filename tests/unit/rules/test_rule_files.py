"""Malformed rule files: every problem names its file, line and rule id."""

from __future__ import annotations

from pathlib import Path

import pytest

from publish_rules import RuleFileError, check_rules, load_ruleset

GOOD_HEAD = """\
# 测试规则文件
rules:
  - id: base
    description: 跟随数据集属性
    open: dataset
"""


def write(tmp_path: Path, text: str, name: str = "rules.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def only(problems: list) -> object:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_bad_yaml_names_file_and_line(tmp_path) -> None:
    path = write(tmp_path, GOOD_HEAD + "  - id: broken\n    description: [未闭合\n    open: none\n")
    problem = only(check_rules(path))
    assert problem.code == "rule_yaml_syntax"
    assert problem.file == str(path)
    assert problem.line in (7, 8)


@pytest.mark.parametrize(("tail", "code", "line", "needle"), [
    ("  - id: air-delay\n    description: 延迟\n    delai: 1h\n", "rule_unknown_key", 8, "delai"),
    ("  - id: air-delay\n    description: 延迟\n    match:\n      themez: [air]\n    delay: 1h\n",
     "rule_unknown_key", 9, "themez"),
    ("  - id: blur-names\n    description: 模糊\n    fields:\n      - tag: personal\n        action: blur\n",
     "rule_bad_value", 10, "blur"),
    ("  - id: air-delay\n    description: 延迟\n    delay: one hour\n", "rule_bad_value", 8, "one hour"),
    ("  - id: bad-open\n    description: 开放\n    open: publik\n", "rule_bad_value", 8, "publik"),
    ("  - id: no-decimals\n    description: 取舍\n    fields:\n      - tag: precise-location\n"
     "        action: round\n", "rule_missing_key", 9, "decimals"),
    ("  - id: stray-param\n    description: 删除\n    fields:\n      - tag: personal\n        action: drop\n"
     "        decimals: 2\n", "rule_bad_action_param", 8, "decimals"),
    ("  - id: bad-regex\n    description: 过滤\n    row_filter:\n      - field: station_name\n"
     "        drop_if_matches: '([测试'\n", "rule_bad_pattern", 8, "正则"),
    ("  - id: base\n    description: 重复\n    open: none\n", "rule_duplicate_id", 6, "base"),
    ("  - id: twice\n    description: 一\n    description: 二\n", "rule_duplicate_key", 8, "description"),
    ("  - id: owner-rule\n    description: 受众\n    audiences: [owner]\n    open: none\n",
     "rule_bad_value", 8, "owner"),
])
def test_problem_names_file_line_and_rule(tmp_path, tail, code, line, needle) -> None:
    path = write(tmp_path, GOOD_HEAD + tail)
    problem = only(check_rules(path))
    rule_id = tail.split("id: ")[1].split("\n")[0]
    assert (problem.code, problem.file, problem.line, problem.rule_id) == (code, str(path), line, rule_id)
    assert needle in problem.message + problem.message_en
    assert problem.message and problem.message_en


def test_missing_description_is_reported_at_the_rule(tmp_path) -> None:
    path = write(tmp_path, GOOD_HEAD + "  - id: nameless\n    open: none\n")
    problem = only(check_rules(path))
    assert (problem.code, problem.line, problem.rule_id) == ("rule_missing_key", 6, "nameless")
    assert "description" in problem.message


def test_load_raises_with_every_problem_across_files(tmp_path) -> None:
    write(tmp_path, GOOD_HEAD + "  - id: a\n    description: 一\n    delay: soon\n", "10-a.yaml")
    write(tmp_path, "rules:\n  - id: b\n    description: 二\n    chanels: [portal]\n", "20-b.yaml")
    write(tmp_path, "rules: [\n", "30-c.yaml")
    with pytest.raises(RuleFileError) as caught:
        load_ruleset(tmp_path)
    problems = caught.value.problems
    assert {(Path(p.file).name, p.code) for p in problems} == {
        ("10-a.yaml", "rule_bad_value"), ("20-b.yaml", "rule_unknown_key"), ("30-c.yaml", "rule_yaml_syntax")}
    shape = caught.value.as_dict()
    assert shape["code"] == "rule_file_invalid"
    assert all({"file", "line"} <= set(p["location"]) for p in shape["problems"])
    assert "20-b.yaml:4 [b]" in str(caught.value)


def test_empty_file_and_empty_folder_are_problems(tmp_path) -> None:
    assert only(check_rules(tmp_path)).code == "rule_dir_empty"
    assert only(check_rules(write(tmp_path, "# 只有注释\n"))).code == "rule_file_empty"


def test_top_level_must_be_a_mapping_with_rules(tmp_path) -> None:
    problem = only(check_rules(write(tmp_path, "- id: x\n  description: 列表\n")))
    assert problem.code == "rule_bad_type" and problem.line == 1


@pytest.mark.parametrize(("item", "code", "needle"), [
    ("      - field: flag\n        keep_if_in: [N]\n        drop_if_in: [D]\n", "rule_conflicting_keys", "drop_if_in"),
    ("      - field: flag\n", "rule_missing_key", "keep_if_in"),
    ("      - field: flag\n        tag: quality-flag\n        drop_if_null: true\n", "rule_missing_key", "tag"),
])
def test_row_filter_shape_problems(tmp_path, item, code, needle) -> None:
    text = GOOD_HEAD + "  - id: flags\n    description: 标记\n    row_filter:\n" + item
    problem = only(check_rules(write(tmp_path, text)))
    assert (problem.code, problem.line, problem.rule_id) == (code, 9, "flags")
    assert needle in problem.message


def test_an_empty_iso_duration_passes_the_schema_but_not_the_delay_check(tmp_path) -> None:
    path = write(tmp_path, GOOD_HEAD + "  - id: empty-delay\n    description: 空延迟\n    delay: PT\n")
    problem = only(check_rules(path))
    assert (problem.code, problem.line, problem.rule_id) == ("rule_bad_delay", 8, "empty-delay")
