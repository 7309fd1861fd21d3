"""package_search speaks the Solr syntax CKAN clients send: boolean fq, exclusions, time ranges,
owner_org ids and the sorts the CKAN harvester pages with.  On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

STATIONS = [("yuzhong", "500103", "cq-sthjj"), ("shapingba", "500106", "cq-sthjj"), ("jiangbei", "500105", "cq-slj"),
            ("beibei", "500109", "cq-slj"), ("banan", "500113", "cq-sthjj")]


def search(client: Any, **params: Any) -> Any:
    return client.get("/api/3/action/package_search", query_string=params)


def names(client: Any, **params: Any) -> list[str]:
    resp = search(client, rows=1000, sort="name asc", **params)
    assert resp.status_code == 200, resp.get_json()
    return [p["name"] for p in resp.get_json()["result"]["results"]]


@pytest.fixture
def catalogue(client, people, make_record) -> dict[str, dict[str, Any]]:
    """Five datasets of two departments, written one after another; name → package dict."""
    made = {}
    for i, (place, district, org) in enumerate(STATIONS):
        record = make_record(name=f"cq-station-{place}", title=f"{place}站空气质量小时数据", districts=[district],
                             organization=org, keywords=["空气质量", "PM2.5"] if i % 2 else ["空气质量", "臭氧"],
                             themes=["air"] if i != 3 else ["surface-water"])
        resp = client.post("/api/3/action/package_create", json=record,
                           headers=people.auth("editor" if org == "cq-sthjj" else "water-editor"))
        assert resp.status_code == 200, resp.get_json()
        made[record["name"]] = resp.get_json()["result"]
    return made


def test_boolean_fq_and_exclusions(client, catalogue) -> None:
    sthjj = sorted(n for n, p in catalogue.items() if p["organization"]["name"] == "cq-sthjj")
    assert names(client, fq="organization:cq-sthjj OR organization:cq-slj") == sorted(catalogue)
    assert names(client, fq="-organization:cq-slj") == sthjj
    assert names(client, fq="organization:cq-sthjj -tags:臭氧") == ["cq-station-shapingba"]
    assert names(client, fq="tags:(PM2.5 OR 臭氧) AND NOT groups:air") == ["cq-station-beibei"]
    assert names(client, fq="(districts:500103 OR districts:500109) +dataset_type:dataset") == [
        "cq-station-beibei", "cq-station-yuzhong"]
    assert names(client, fq="dataset_type:harvest") == []
    assert names(client, fq_list=["organization:cq-slj", "res_format:csv"]) == ["cq-station-beibei", "cq-station-jiangbei"]


def test_owner_org_takes_the_department_id(client, catalogue) -> None:
    org_id = catalogue["cq-station-jiangbei"]["owner_org"]
    assert names(client, fq=f"owner_org:{org_id}") == ["cq-station-beibei", "cq-station-jiangbei"]
    assert names(client, q=f"owner_org:{org_id} 北碚") == ["cq-station-beibei"]


def test_metadata_modified_ranges(client, catalogue) -> None:
    stamps = sorted(p["metadata_modified"] for p in catalogue.values())
    since = stamps[2]
    later = sorted(n for n, p in catalogue.items() if p["metadata_modified"] >= since)
    # As the CKAN harvester writes it: microseconds and a Z.
    assert names(client, fq=f"metadata_modified:[{since}Z TO *]") == later
    assert names(client, fq=f"metadata_modified:{{{since}Z TO *]") == sorted(
        n for n, p in catalogue.items() if p["metadata_modified"] > since)
    assert names(client, fq=f"metadata_modified:[* TO {since}Z}}") == sorted(set(catalogue) - set(later))
    assert names(client, fq="metadata_modified:[NOW-1DAY TO NOW+1MINUTE]") == sorted(catalogue)
    assert names(client, fq="metadata_created:[* TO NOW-1DAY]") == []
    hour_ago = (datetime.fromisoformat(stamps[0]) - timedelta(hours=1)).isoformat()
    assert names(client, fq=f"metadata_modified:[{hour_ago}Z TO *] organization:cq-slj") == [
        "cq-station-beibei", "cq-station-jiangbei"]


def test_the_ckan_harvester_paging_sees_every_dataset_once(client, catalogue) -> None:
    """ckanext-harvest's gather stage: sort by id, pages by start, fq with an organization filter and
    the time of the last harvest, until an empty page."""
    since = (datetime.fromisoformat(min(p["metadata_modified"] for p in catalogue.values()))
             - timedelta(hours=1)).isoformat()
    params = {"rows": "2", "start": "0", "sort": "id asc",
              "fq": f"-organization:cq-no-such-department metadata_modified:[{since}Z TO *]"}
    seen: list[str] = []
    while True:
        page = search(client, **params).get_json()["result"]["results"]
        if not page:
            break
        seen += [p["id"] for p in page]
        params["start"] = str(int(params["start"]) + int(params["rows"]))
    assert seen == sorted(p["id"] for p in catalogue.values())


@pytest.mark.parametrize("sort", ["metadata_created desc", "metadata_created asc", "name desc", "id desc",
                                  "metadata_modified desc"])
def test_more_sorts(client, catalogue, sort: str) -> None:
    key = {"metadata_created": "metadata_created", "name": "name", "id": "id", "metadata_modified": "metadata_modified"}
    field, direction = sort.split()
    expected = [p["name"] for p in sorted(catalogue.values(), key=lambda p: p[key[field]], reverse=direction == "desc")]
    resp = search(client, sort=sort, rows=100)
    assert [p["name"] for p in resp.get_json()["result"]["results"]] == expected


@pytest.mark.parametrize(("params", "field", "says"), [
    ({"fq": "capacity:public"}, "fq", "不能按字段“capacity”筛选"),
    ({"fq": "空气质量"}, "fq", "“空气质量”缺少字段名"),
    ({"fq": "tags:(PM2.5"}, "fq", "查询意外结束"),
    ({"fq": "metadata_modified:[yesterday TO *]"}, "fq", "无法识别的时间：yesterday"),
    ({"fq": "tags:[a TO b]"}, "fq", "不支持范围条件"),
    ({"q": "空气质量 OR tags:臭氧"}, "q", "不能与 OR"),
    ({"q": "nosuchfield:1"}, "q", "nosuchfield"),
    ({"fq_list": ["organization:cq-slj", "bad"]}, "fq_list", "“bad”缺少字段名"),
])
def test_what_cannot_be_read_is_refused_naming_the_parameter(client, catalogue, params, field, says) -> None:
    resp = search(client, **params)
    assert resp.status_code == 409
    error = resp.get_json()["error"]
    assert error["__type"] == "Validation Error"
    assert says in " ".join(error[field])


def test_plain_text_q_keeps_its_characters(client, catalogue) -> None:
    """As in CKAN, a q without a colon is text: brackets and quotes in it are not syntax."""
    assert search(client, q='北碚站 "空气质量').status_code == 200
    assert search(client, q="北碚站 (空气质量]").get_json()["result"]["results"][0]["name"] == "cq-station-beibei"
