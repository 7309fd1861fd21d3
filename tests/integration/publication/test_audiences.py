"""Each demo scenario as each audience sees it, through the REST API and the CKAN API."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from catalog import publication_demo as demo
from catalog.materialize import BEIJING

AUDIENCES = {"anonymous": None, "government": "water-editor", "grant": "researcher", "owner": "member"}


def get(client: Any, people: Any, who: str | None, url: str) -> Any:
    return client.get(url, headers=people.auth(who) if who else {})


def rows(client: Any, people: Any, who: str | None, released: Any, name: str) -> Any:
    return get(client, people, who, f"/api/v1/publication/datasets/{name}/resources/"
                                    f"{released.resources[name]}/rows?limit=1000")


def cutoff(released: Any) -> datetime:
    return (released.now.astimezone(BEIJING) - timedelta(hours=1)).replace(tzinfo=None)


def test_air_hourly_is_one_hour_late_and_public_sees_normal_flags_only(released, client, people) -> None:
    by = {k: rows(client, people, who, released, demo.AIR).get_json() for k, who in AUDIENCES.items()}
    source = demo.rows_for(demo.AIR, released.now)
    late = [r for r in source if datetime.fromisoformat(r["time"]) <= cutoff(released)]
    assert by["owner"]["total"] == len(source)
    assert by["government"]["total"] == len(late) < len(source)
    assert by["anonymous"]["total"] == len([r for r in late if r["flag"] == "N"]) < len(late)
    assert {r["flag"] for r in by["anonymous"]["rows"]} == {"N"}
    assert max(datetime.fromisoformat(r["time"]) for r in by["anonymous"]["rows"]) <= cutoff(released)
    assert by["grant"]["total"] == by["anonymous"]["total"]  # the grant covers radiation only


def test_pollution_source_is_daily_statistics_without_contacts(released, client, people) -> None:
    public = rows(client, people, None, released, demo.POLLUTION).get_json()
    government = rows(client, people, "water-editor", released, demo.POLLUTION).get_json()
    owner = rows(client, people, "member", released, demo.POLLUTION).get_json()
    days = {datetime.fromisoformat(r["time"]).date() for r in demo.rows_for(demo.POLLUTION, released.now)}
    assert public["total"] == len(days)
    assert "avg_mean" in public["fields"] and "avg" not in public["fields"]
    for shown in (public, government):
        assert not {"contact_person", "contact_phone"} & set(shown["fields"])
        assert demo.SECRET_PHONE not in str(shown) and demo.SECRET_CONTACT not in str(shown)
    assert government["total"] == owner["total"] == 30
    assert {r["contact_phone"] for r in owner["rows"]} == {demo.SECRET_PHONE}


def test_radiation_is_conditional_and_rounded_for_grant_holders(released, client, people) -> None:
    anonymous = get(client, people, None, f"/api/v1/publication/datasets/{demo.RADIATION}/release").get_json()
    assert anonymous["files"] == [] and anonymous["public_outcome"] == "metadata_only"
    assert rows(client, people, None, released, demo.RADIATION).status_code == 404
    shown = {k: rows(client, people, AUDIENCES[k], released, demo.RADIATION).get_json()["rows"]
             for k in ("grant", "government", "owner")}
    assert {r["lon"] for r in shown["grant"]} == {round(demo.PRECISE_LON, 2)}
    assert {r["lat"] for r in shown["grant"]} == {round(demo.PRECISE_LAT, 2)}
    assert {r["lon"] for r in shown["government"]} == {round(demo.PRECISE_LON, 4)}
    assert {r["lon"] for r in shown["owner"]} == {demo.PRECISE_LON}


def test_health_department_dataset_reaches_no_one_outside_it(released, client, people) -> None:
    for who in AUDIENCES.values():
        assert get(client, people, who, f"/api/v1/datasets/{demo.HEALTH}").status_code == 404
        assert rows(client, people, who, released, demo.HEALTH).status_code == 404
    own = rows(client, people, "health-editor", released, demo.HEALTH).get_json()
    assert own["total"] == 2


def test_ckan_api_shows_each_audience_the_same_visibility(released, client, people) -> None:
    for who in AUDIENCES.values():
        show = get(client, people, who, f"/api/3/action/package_show?id={demo.HEALTH}")
        assert show.status_code == 404
        names = get(client, people, who, "/api/3/action/package_list").get_json()["result"]
        assert demo.HEALTH not in names and demo.RADIATION in names and demo.AIR in names
        found = get(client, people, who, "/api/3/action/package_search?q=发布演示&rows=50").get_json()["result"]
        assert demo.HEALTH not in {p["name"] for p in found["results"]}
    owner = get(client, people, "health-editor", "/api/3/action/package_search?q=发布演示&include_private=true")
    assert demo.HEALTH in {p["name"] for p in owner.get_json()["result"]["results"]}
    assert get(client, people, "health-editor", f"/api/3/action/package_show?id={demo.HEALTH}").status_code == 200


def test_withdrawn_release_stops_being_served_and_stays_in_history(released, client, people) -> None:
    rid = released.releases[demo.AIR]
    out = client.post(f"/api/v1/publication/releases/{rid}/withdraw", json={"reason": "发现校准数据混入"},
                      headers=people.auth("reviewer"))
    assert out.status_code == 200 and out.get_json()["state"] == "withdrawn"
    assert rows(client, people, None, released, demo.AIR).status_code == 404
    assert get(client, people, None, f"/api/v1/datasets/{demo.AIR}").status_code == 404
    history = get(client, people, "member", f"/api/v1/publication/datasets/{demo.AIR}/releases").get_json()
    assert [(r["number"], r["state"]) for r in history] == [(1, "withdrawn")]
