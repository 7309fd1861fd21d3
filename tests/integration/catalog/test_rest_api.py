"""REST API v1: OpenAPI document, offline docs, one error shape, tokens."""

from __future__ import annotations

from openapi_spec_validator import validate


def test_openapi_document_validates(client) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    validate(spec)
    assert "/api/v1/datasets" in spec["paths"] and "/api/v1/tokens" in spec["paths"]


def test_docs_page_uses_local_assets_only(client) -> None:
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in page
    assert "//cdn" not in page and "unpkg" not in page and "jsdelivr" not in page
    asset = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000
    asset.close()


def _assert_error_shape(resp, status: int) -> dict:
    assert resp.status_code == status
    body = resp.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "message_en", "status", "problems"}
    assert body["error"]["status"] == status
    return body["error"]


def test_one_error_shape_for_every_failure(client, people, make_record) -> None:
    _assert_error_shape(client.get("/api/v1/datasets/nope"), 404)
    _assert_error_shape(client.get("/api/v1/no-such-route"), 404)
    _assert_error_shape(client.post("/api/v1/datasets", json=make_record()), 401)
    _assert_error_shape(client.post("/api/v1/datasets", json=make_record(), headers=people.auth("citizen")), 403)
    err = _assert_error_shape(client.get("/api/v1/datasets?per_page=-1"), 422)
    assert err["problems"][0]["location"]["field"] == "per_page"
    err = _assert_error_shape(client.post("/api/v1/datasets", json=make_record(title="", update_cycle="每天"),
                                          headers=people.auth("editor")), 409)
    assert {p["location"]["field"] for p in err["problems"]} >= {"title", "update_cycle"}
    _assert_error_shape(client.delete("/api/v1/datasets", headers=people.auth("editor")), 405)


def test_create_search_and_read(client, people, make_record) -> None:
    resp = client.post("/api/v1/datasets", json=make_record(), headers=people.auth("editor"))
    assert resp.status_code == 201, resp.get_json()
    found = client.get("/api/v1/datasets?q=细颗粒物&district=500103").get_json()
    assert found["count"] == 1
    assert found["results"][0]["name"] == "cq-air-quality-hourly-yuzhong"
    assert {"value": "cq-sthjj", "count": 1} in found["facets"]["org"]
    assert client.get("/api/v1/datasets?district=500106").get_json()["count"] == 0
    one = client.get("/api/v1/datasets/cq-air-quality-hourly-yuzhong").get_json()
    assert one["districts"] == ["500103"]
    # every profile property comes back, not only the ones the schema names explicitly
    assert one["contact_point"]["name"] == "市生态环境监测中心" and one["language"] == ["zh"]


def test_tokens_are_shown_once_and_revocable(client, people) -> None:
    created = client.post("/api/v1/tokens", json={"name": "脚本", "expires_days": 30},
                          headers=people.auth("editor")).get_json()
    token = created["token"]
    listed = client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert all("token" not in t for t in listed)
    assert client.delete(f"/api/v1/tokens/{created['id']}", headers=people.auth("editor")).status_code == 204
    _assert_error_shape(client.get("/api/v1/tokens", headers={"Authorization": token}), 401)


def test_search_by_modified_time_and_sort(client, people, make_record) -> None:
    made = []
    for place in ("yuzhong", "beibei", "banan"):
        resp = client.post("/api/v1/datasets", json=make_record(name=f"cq-air-{place}"), headers=people.auth("editor"))
        assert resp.status_code == 201, resp.get_json()
        made.append(resp.get_json())
    second = made[1]["metadata_modified"]
    later = client.get("/api/v1/datasets", query_string={"modified_since": second, "sort": "modified asc"}).get_json()
    assert [r["name"] for r in later["results"]] == ["cq-air-beibei", "cq-air-banan"]
    earlier = client.get("/api/v1/datasets", query_string={"modified_before": second}).get_json()
    assert [r["name"] for r in earlier["results"]] == ["cq-air-yuzhong"]
    by_name = client.get("/api/v1/datasets", query_string={"sort": "name desc"}).get_json()
    assert [r["name"] for r in by_name["results"]] == ["cq-air-yuzhong", "cq-air-beibei", "cq-air-banan"]
    err = _assert_error_shape(client.get("/api/v1/datasets", query_string={"modified_since": "2026-11-30T08:00:00"}), 422)
    assert err["problems"][0]["location"]["field"] == "modified_since"
