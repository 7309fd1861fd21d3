"""Segmentation, normalization, bigrams and synonym expansion (pure functions)."""

from __future__ import annotations

import re

import pytest
import yaml

from catalog.search.analysis import (
    SYNONYMS_PATH,
    cjk_bigrams,
    expand_query,
    index_text,
    normalize,
    query_words,
    segment_normalized,
    segment_pieces,
    synonym_table,
    title_collation,
    tokenize,
)


@pytest.mark.parametrize(("text", "code"), [
    ("渝中区PM2.5浓度月报", "pm2.5"),
    ("污水处理厂出水COD在线监测", "cod"),
    ("因子编码a21026为二氧化硫", "a21026"),
    ("行政区划代码500103（渝中区）", "500103"),
    ("依据GB3095评价达标情况", "gb3095"),
    ("氨氮(NH3-N)小时均值", "nh3-n"),
    ("地表水环境质量标准GB3838-2002", "gb3838-2002"),
])
def test_codes_stay_whole_and_lowercased(text: str, code: str) -> None:
    assert code in tokenize(text)


def test_tokens_are_case_insensitive_and_width_insensitive() -> None:
    assert tokenize("ＰＭ２．５日均值") == tokenize("pm2.5日均值") == tokenize("PM2.5日均值")
    assert "nh3-n" in tokenize("氨氮（NH₃-N）")


def test_search_mode_yields_inner_words() -> None:
    tokens = tokenize("长江干流地表水水质自动监测站")
    assert {"地表水", "水质", "自动监测站", "监测"} <= set(tokens)


def test_punctuation_never_becomes_a_token() -> None:
    tokens = tokenize("水质类别：Ⅱ类、Ⅲ类；“达标”（2025年）……")
    assert tokens and all(re.search(r"[0-9a-z\u4e00-\u9fff]", t) for t in tokens)
    assert "2025" in tokens


def test_index_text_is_the_tokens_joined_by_spaces() -> None:
    text = "重庆市环境空气质量日报，含AQI与PM10。"
    assert set(tokenize(text)) <= set(index_text(text).split())


def test_bigrams_cover_every_adjacent_pair_of_chinese_characters() -> None:
    assert cjk_bigrams("地表水水质") == ["地表", "表水", "水水", "水质"]
    assert cjk_bigrams("PM2.5浓度，水") == ["浓度", "水"]
    assert cjk_bigrams("AQI") == []


def test_normalize_folds_width_case_and_punctuation() -> None:
    assert normalize("ＣＯＤ，氨氮") == "cod 氨氮"
    assert normalize("PM2.5") == "pm2.5"


def test_synonyms_expand_both_ways() -> None:
    assert expand_query("细颗粒物") == [("细颗粒物", "pm2.5", "a34004")]
    assert expand_query("PM2.5")[0][0] == "pm2.5" and "细颗粒物" in expand_query("PM2.5")[0]
    assert set(expand_query("a34004")[0]) == {"a34004", "pm2.5", "细颗粒物"}
    assert set(expand_query("W21003")[0]) == {"w21003", "氨氮", "nh3-n"}
    assert set(expand_query("化学需氧量")[0]) >= {"cod", "w01018"}


def test_synonym_inside_a_longer_query_is_recognised() -> None:
    groups = expand_query("渝中区细颗粒物浓度")
    assert ("细颗粒物", "pm2.5", "a34004") in groups
    assert ("渝中区",) in groups


def test_spellings_of_one_pollutant_make_one_group() -> None:
    assert expand_query("PM2.5 细颗粒物 渝中区 a34004") == [("pm2.5", "细颗粒物", "a34004"), ("渝中区",)]


def test_query_words_drop_stopwords_and_punctuation() -> None:
    assert query_words("重庆市的空气质量，和 水质") == ["重庆市", "空气质量", "水质"]


@pytest.mark.parametrize("q", ["", "   ", "*:*", "*", "，。"])
def test_match_all_queries_expand_to_nothing(q: str) -> None:
    assert expand_query(q) == []


def test_synonym_file_is_consistent() -> None:
    data = yaml.safe_load(SYNONYMS_PATH.read_text(encoding="utf-8"))
    seen: dict[str, str] = {}
    for entry in data["entries"]:
        assert isinstance(entry["id"], str), entry      # YAML reads a bare `no` or `on` as a boolean
        for term in entry["terms"]:
            key = normalize(str(term))
            assert key not in seen, f"{term} is in both {seen.get(key)} and {entry['id']}"
            assert key.split() == [key], f"{term} would not survive normalization as one word"
            seen[key] = entry["id"]
    hj212 = [k for k in seen if re.fullmatch(r"[aw]\d{5}", k)]
    assert {"a34004", "a34002", "a05024", "a21026", "a21004", "a21005", "w01018", "w21003"} <= set(hj212)
    assert set(synonym_table()) == set(seen)


@pytest.mark.parametrize("text", [
    "重庆市中心城区环境空气质量日报，按 HJ 633 计算的日空气质量指数（臭氧为日最大 8 小时滑动平均）。",
    "污水处理厂出水COD、氨氮（NH3-N）、总磷在线监测小时均值\n重庆市生态环境局\ncq-air-daily-0001\n216001/000042",
    "GB3838-2002 地表水环境质量标准  渝中区PM2.5浓度月报 a21026 500103 °C μg/m³ ① Ⅲ类",
    "",
])
def test_segmenting_piece_by_piece_yields_the_same_tokens(text: str) -> None:
    normalized = normalize(text)
    assert segment_pieces(normalized).split() == segment_normalized(normalized).split()
    assert segment_pieces(normalized).split() == segment_normalized(normalized).split()   # from the cache


def test_titles_collate_by_pinyin_reading_heteronyms_read_in_their_word() -> None:
    titles = ["重庆市长江干流水质月报", "长寿区空气质量", "PM2.5浓度年报", "安全生产", "重庆市市长信箱", "綦江区水质",
              "地表水", "城口县空气质量", "重点排污单位名录", "２０２５年报"]
    assert sorted(titles, key=title_collation) == [
        "２０２５年报", "安全生产", "长寿区空气质量", "城口县空气质量", "重庆市长江干流水质月报", "重庆市市长信箱",
        "地表水", "PM2.5浓度年报", "綦江区水质", "重点排污单位名录"]


def test_titles_that_read_alike_still_have_one_order() -> None:
    assert title_collation("市场") != title_collation("试场")
    assert sorted(["试场", "市场"], key=title_collation) == sorted(["市场", "试场"], key=title_collation)
