"""The data API and CKAN datastore_search over released resources."""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from catalog import publication_demo as demo


def rows_url(name: str, rid: str) -> str:
    return f"/api/v1/datasets/{name}/resources/{rid}/rows"


def all_rows(client: Any, name: str, rid: str, **params: Any) -> list[dict[str, Any]]:
    """Every row through cursor paging."""
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        page = client.get(rows_url(name, rid), query_string=query)
        assert page.status_code == 200, page.get_json()
        body = page.get_json()
        out += body["rows"]
        cursor = body["next_cursor"]
        if cursor is None:
            assert len(out) == body["total"]
            return out


def test_station_and_time_window_filter(client: Any, delivered: Any) -> None:
    name, rid = delivered.gbk, delivered.resources[delivered.gbk]
    everything = all_rows(client, name, rid, limit=50)
    times = sorted(r["time"] for r in everything)
    start, end = times[10], times[40]
    got = all_rows(client, name, rid, station="1681A", start=start, end=end, limit=7)
    expected = [r for r in everything if r["station_code"] == "1681A" and start <= r["time"] < end]
    assert got == expected and got
    assert {r["station_name"] for r in got} == {"新山村"}


def test_filters_sort_fields_and_formats(client: Any, delivered: Any) -> None:
    name, rid = delivered.gbk, delivered.resources[delivered.gbk]
    everything = all_rows(client, name, rid, limit=1000)
    params = {"filter": ["station_code:in:1665A|3227A", "pm25:gte:40"], "sort": "-pm25,station_code",
              "fields": "station_code,time,pm25", "limit": 1000}
    body = client.get(rows_url(name, rid), query_string=params).get_json()
    expected = sorted(({"station_code": r["station_code"], "time": r["time"], "pm25": r["pm25"]} for r in everything
                       if r["station_code"] in ("1665A", "3227A") and r["pm25"] >= 40),
                      key=lambda r: (-r["pm25"], r["station_code"]))
    assert [(r["pm25"], r["station_code"]) for r in body["rows"]] == \
        [(r["pm25"], r["station_code"]) for r in expected]
    assert [f["name"] for f in body["fields"]] == ["station_code", "time", "pm25"]
    as_csv = client.get(rows_url(name, rid), query_string={**params, "format": "csv"})
    as_parquet = client.get(rows_url(name, rid), query_string={**params, "format": "parquet"})
    assert pacsv.read_csv(io.BytesIO(as_csv.data)).column("pm25").to_pylist() == [r["pm25"] for r in expected]
    assert pq.read_table(io.BytesIO(as_parquet.data)).column("pm25").to_pylist() == [r["pm25"] for r in expected]


def test_group_by_station_and_day(client: Any, delivered: Any) -> None:
    name, rid = delivered.gbk, delivered.resources[delivered.gbk]
    everything = all_rows(client, name, rid, limit=1000)
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in everything:
        groups[(r["station_code"], r["time"][:10])].append(r["pm25"])
    body = client.get(rows_url(name, rid), query_string={"group_by": "station,day",
                                                         "agg": "mean:pm25,max:pm25,min:pm25,count"}).get_json()
    got = {(r["station_code"], r["day"]): r for r in body["rows"]}
    assert set(got) == set(groups)
    for key, values in groups.items():
        assert got[key]["count"] == len(values)
        assert got[key]["max_pm25"] == max(values) and got[key]["min_pm25"] == min(values)
        assert abs(got[key]["mean_pm25"] - sum(values) / len(values)) < 1e-9


def test_errors_are_clear_and_never_leak(client: Any, delivered: Any) -> None:
    name, rid = demo.POLLUTION, delivered.resources[demo.POLLUTION]
    withheld = client.get(rows_url(name, rid), query_string={"fields": "enterprise_name,contact_phone"})
    assert withheld.status_code == 409
    assert withheld.get_json()["error"]["code"] == "unknown_field"
    too_big = client.get(rows_url(name, rid), query_string={"limit": 10_001})
    assert too_big.status_code == 413 and too_big.get_json()["error"]["code"] == "query_too_large"
    bad_cursor = client.get(rows_url(name, rid), query_string={"cursor": "eyJvIjo1fQ"})
    assert bad_cursor.get_json()["error"]["code"] == "invalid_cursor"
    bad_value = client.get(rows_url(name, rid), query_string={"filter": "time:gte:昨天"})
    assert bad_value.status_code == 409 and bad_value.get_json()["error"]["code"] == "bad_filter_value"
    assert client.get(rows_url(name, "nope")).status_code == 404
    assert client.get(rows_url("nope", rid)).status_code == 404


def test_cursor_is_bound_to_its_query(client: Any, delivered: Any) -> None:
    name, rid = delivered.gbk, delivered.resources[delivered.gbk]
    first = client.get(rows_url(name, rid), query_string={"limit": 5}).get_json()
    other = client.get(rows_url(name, rid), query_string={"limit": 5, "station": "1665A",
                                                          "cursor": first["next_cursor"]})
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "invalid_cursor"


def test_rows_api_is_in_the_openapi_document(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    path = spec["paths"]["/api/v1/datasets/{name}/resources/{resource_id}/rows"]["get"]
    assert {p["name"] for p in path["parameters"]} >= {"filter", "station", "start", "end", "cursor", "group_by",
                                                        "agg", "format", "fields", "sort", "limit"}


def datastore(client: Any, **params: Any) -> Any:
    return client.post("/api/3/action/datastore_search", json=params)


def test_datastore_search_subset(client: Any, delivered: Any) -> None:
    rid = delivered.resources[delivered.gbk]
    body = datastore(client, resource_id=rid, filters={"station_code": "3227A"}, sort="time desc",
                     fields=["station_code", "station_name", "time"], limit=5, offset=5).get_json()
    assert body["success"] is True
    result = body["result"]
    assert result["total"] == 24 and len(result["records"]) == 5
    assert [r["_id"] for r in result["records"]] == [6, 7, 8, 9, 10]
    assert {r["station_name"] for r in result["records"]} == {"涪陵区环保局"}
    times = [r["time"] for r in result["records"]]
    assert times == sorted(times, reverse=True)
    assert [f["id"] for f in result["fields"]] == ["_id", "station_code", "station_name", "time"]
    assert result["fields"][3]["type"] == "timestamp"


def test_datastore_search_refusals(client: Any, delivered: Any) -> None:
    rid = delivered.resources[delivered.gbk]
    missing = datastore(client, resource_id="no-such-resource")
    assert missing.status_code == 404 and missing.get_json()["success"] is False
    q = datastore(client, resource_id=rid, q="解放碑")
    assert q.status_code == 409 and "filters" in q.get_json()["error"]["message"]
    withheld = datastore(client, resource_id=delivered.resources[demo.POLLUTION], fields=["contact_person"])
    assert withheld.get_json()["success"] is False
