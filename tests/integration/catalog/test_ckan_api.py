"""The CKAN-compatible Action API, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest


def action(client: Any, name: str, data: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
           method: str = "post") -> Any:
    if method == "get":
        return client.get(f"/api/3/action/{name}", query_string=data or {}, headers=headers or {})
    return client.post(f"/api/3/action/{name}", json=data or {}, headers=headers or {})


def test_package_create_with_editor_token_is_found_by_search_at_once(client, people, make_record) -> None:
    resp = action(client, "package_create", make_record(), people.auth("editor"))
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["success"] is True
    assert body["result"]["organization"]["name"] == "cq-sthjj"
    assert body["result"]["resource_code"].startswith("216001/")
    found = action(client, "package_search", {"q": "空气质量"}, method="get").get_json()["result"]
    assert [p["name"] for p in found["results"]] == ["cq-air-quality-hourly-yuzhong"]


@pytest.mark.parametrize("who", [None, "water-editor", "citizen", "member", "reviewer"])
def test_package_create_refused_without_write_role(client, people, make_record, who) -> None:
    resp = action(client, "package_create", make_record(), people.auth(who) if who else None)
    assert resp.status_code == 403
    body = resp.get_json()
    assert body["success"] is False
    assert body["error"]["__type"] == "Authorization Error"
    assert action(client, "package_list", method="get").get_json()["result"] == []


def test_permission_is_checked_before_the_record(client, people, make_record) -> None:
    """Another department's editor learns they may not write there, not what is wrong with the record."""
    bad = make_record(title="", share_type="随便共享")
    resp = action(client, "package_create", bad, people.auth("water-editor"))
    assert resp.status_code == 403
    assert resp.get_json()["error"]["__type"] == "Authorization Error"
    assert action(client, "package_create", bad, people.auth("editor")).status_code == 409


def test_bad_token_is_refused_not_treated_as_anonymous(client, people) -> None:
    resp = action(client, "package_search", {}, {"Authorization": "eco_" + "0" * 32 + "_forged"}, method="get")
    assert resp.status_code == 403
    assert resp.get_json()["error"]["__type"] == "Authorization Error"


def test_invalid_metadata_names_each_field_and_writes_nothing(client, people, make_record) -> None:
    bad = make_record(title="", districts=["999999"], share_type="随便共享")
    resp = action(client, "package_create", bad, people.auth("editor"))
    assert resp.status_code == 409
    error = resp.get_json()["error"]
    assert error["__type"] == "Validation Error"
    assert {"title", "districts[0]", "share_type"} <= set(error) - {"__type", "message"}
    assert action(client, "package_list", method="get").get_json()["result"] == []


def test_package_show_round_trips_into_package_create(client, people, make_record) -> None:
    created = action(client, "package_create", make_record(), people.auth("editor")).get_json()["result"]
    # A department copies its own dataset (the share attribute is shown to government users only).
    shown = action(client, "package_show", {"id": created["id"]}, people.auth("editor"),
                   method="get").get_json()["result"]
    shown["name"] = "cq-air-quality-hourly-copy"
    shown.pop("resource_code")
    resp = action(client, "package_create", shown, people.auth("editor"))
    assert resp.status_code == 200, resp.get_json()
    copy = resp.get_json()["result"]
    for key in ("title", "notes", "license_id", "share_type", "open_type", "update_cycle", "districts",
                "data_elements", "contact_point"):
        assert copy[key] == shown[key], key
    assert [t["name"] for t in copy["tags"]] == [t["name"] for t in shown["tags"]]
    assert [g["name"] for g in copy["groups"]] == ["air"]
    assert [(r["name"], r["url"], r["format"]) for r in copy["resources"]] == \
        [(r["name"], r["url"], r["format"]) for r in shown["resources"]]


def test_not_found_shape(client) -> None:
    resp = action(client, "package_show", {"id": "no-such-dataset"}, method="get")
    assert resp.status_code == 404
    assert resp.get_json()["error"] == {"__type": "Not Found Error", "message": "数据集不存在：no-such-dataset"}


def test_private_dataset_is_invisible_to_others(client, people, make_record) -> None:
    action(client, "package_create", make_record(private=True), people.auth("editor"))
    for who in (None, "citizen", "water-editor"):
        headers = people.auth(who) if who else None
        assert action(client, "package_show", {"id": "cq-air-quality-hourly-yuzhong"}, headers,
                      method="get").status_code == 404
        found = action(client, "package_search", {"include_private": "true",
                                                  "facet.field": '["organization"]'}, headers,
                       method="get").get_json()["result"]
        assert found["count"] == 0 and found["facets"]["organization"] == {}
    mine = action(client, "package_search", {"include_private": "true"}, people.auth("member"),
                  method="get").get_json()["result"]
    assert mine["count"] == 1


def test_update_patch_delete(client, people, make_record) -> None:
    created = action(client, "package_create", make_record(), people.auth("editor")).get_json()["result"]
    patched = action(client, "package_patch", {"id": created["id"], "title": "渝中区空气质量小时数据（修订）"},
                     people.auth("editor")).get_json()["result"]
    assert patched["title"] == "渝中区空气质量小时数据（修订）"
    assert patched["notes"] == created["notes"]
    assert action(client, "package_patch", {"id": created["id"], "title": "x"},
                  people.auth("water-editor")).status_code == 403
    hits = action(client, "package_search", {"q": "修订"}, method="get").get_json()["result"]
    assert hits["count"] == 1
    assert action(client, "package_delete", {"id": created["id"]}, people.auth("editor")).status_code == 200
    assert action(client, "package_show", {"id": created["id"]}, method="get").status_code == 404
    assert action(client, "package_search", {"q": "修订"}, method="get").get_json()["result"]["count"] == 0


def test_resource_actions(client, people, make_record) -> None:
    created = action(client, "package_create", make_record(), people.auth("editor")).get_json()["result"]
    res = action(client, "resource_create", {"package_id": created["id"], "name": "日均值 JSON",
                                             "url": "http://127.0.0.1:5000/files/daily.json", "format": "JSON"},
                 people.auth("editor")).get_json()["result"]
    assert res["format"] == "JSON" and res["package_id"] == created["id"]
    shown = action(client, "resource_show", {"id": res["id"]}, method="get").get_json()["result"]
    assert shown["name"] == "日均值 JSON"
    updated = action(client, "resource_update", {"id": res["id"], "name": "日均值", "url": shown["url"],
                                                 "format": "JSON"}, people.auth("editor")).get_json()["result"]
    assert updated["name"] == "日均值"
    assert action(client, "resource_delete", {"id": res["id"]}, people.auth("editor")).status_code == 200
    assert action(client, "resource_show", {"id": res["id"]}, method="get").status_code == 404


def test_organization_group_and_tag_lists(client, people, make_record) -> None:
    action(client, "package_create", make_record(), people.auth("editor"))
    orgs = action(client, "organization_list", {"all_fields": "true"}, method="get").get_json()["result"]
    by_name = {o["name"]: o for o in orgs}
    assert by_name["cq-sthjj"]["package_count"] == 1 and by_name["cq-slj"]["package_count"] == 0
    assert by_name["cq-sthjj"]["title"] == "重庆市生态环境局"
    assert action(client, "group_list", method="get").get_json()["result"] == ["air"]
    assert "PM2.5" in action(client, "tag_list", method="get").get_json()["result"]
    org = action(client, "organization_show", {"id": "cq-sthjj", "include_datasets": "true"},
                 method="get").get_json()["result"]
    assert [p["name"] for p in org["packages"]] == ["cq-air-quality-hourly-yuzhong"]


def test_fq_filters_and_facets(client, people, make_record) -> None:
    action(client, "package_create", make_record(), people.auth("editor"))
    action(client, "package_create", make_record(
        name="cq-air-quality-hourly-shapingba", title="沙坪坝区空气质量自动监测站小时数据", districts=["500106"]),
        people.auth("editor"))
    action(client, "package_create", make_record(
        name="jialing-water-quality", title="嘉陵江重庆段地表水水质自动监测数据", themes=["surface-water"],
        keywords=["水质", "COD", "氨氮"], districts=["500106"], organization="cq-slj",
        description="嘉陵江干流重庆段水质自动站高锰酸盐指数、氨氮、总磷、溶解氧监测数据。"),
        people.auth("water-editor"))
    result = action(client, "package_search", {"q": "", "fq": "districts:500106",
                                               "facet.field": '["organization","groups","res_format"]'},
                    method="get").get_json()["result"]
    assert result["count"] == 2
    assert result["facets"]["organization"] == {"cq-sthjj": 1, "cq-slj": 1}
    assert result["facets"]["groups"] == {"air": 1, "surface-water": 1}
    titles = {i["name"]: i["display_name"] for i in result["search_facets"]["organization"]["items"]}
    assert titles["cq-slj"] == "重庆市水利局"
    districts = action(client, "package_search", {"facet.field": '["districts","license_id"]'},
                       method="get").get_json()["result"]["search_facets"]
    assert {i["name"]: i["display_name"] for i in districts["districts"]["items"]} == {
        "500106": "沙坪坝区", "500103": "渝中区"}
    assert [i["display_name"] for i in districts["license_id"]["items"]] == ["知识共享署名 4.0 国际"]
    water = action(client, "package_search", {"q": "水质"}, method="get").get_json()["result"]
    assert water["results"][0]["name"] == "jialing-water-quality"
    by_org = action(client, "package_search", {"fq": "organization:cq-sthjj tags:PM2.5"},
                    method="get").get_json()["result"]
    assert by_org["count"] == 2
    assert action(client, "package_search", {"sort": "bogus desc"}, method="get").status_code == 409


def test_share_attribute_is_for_government_only(client, people, make_record) -> None:
    action(client, "package_create", make_record(), people.auth("editor"))
    public = action(client, "package_show", {"id": "cq-air-quality-hourly-yuzhong"}, method="get").get_json()
    assert "share_type" not in public["result"] and public["result"]["open_type"] == "无条件开放"
    found = action(client, "package_search", {"q": "空气质量"}, method="get").get_json()["result"]["results"][0]
    assert "share_type" not in found
    rest = client.get("/api/v1/datasets/cq-air-quality-hourly-yuzhong").get_json()
    assert "share_type" not in rest
    gov = action(client, "package_show", {"id": "cq-air-quality-hourly-yuzhong"}, people.auth("water-editor"),
                 method="get").get_json()["result"]
    assert gov["share_type"] == "无条件共享"
