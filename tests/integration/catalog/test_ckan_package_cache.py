"""package_search reuses rendered package dicts only while nothing they show has changed."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from catalog.models import Organization
from portal.ckan import lookups
from portal.ckan.package_cache import KEY, Rendered, RenderedPackages


def action(client: Any, name: str, data: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
           method: str = "post") -> Any:
    if method == "get":
        return client.get(f"/api/3/action/{name}", query_string=data or {}, headers=headers or {})
    return client.post(f"/api/3/action/{name}", json=data or {}, headers=headers or {})


def search(client: Any, headers: dict[str, str] | None = None, **params: Any) -> list[dict[str, Any]]:
    resp = action(client, "package_search", {"q": "空气质量", **params}, headers, method="get")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["result"]["results"]  # type: ignore[no-any-return]


def created(client: Any, people: Any, make_record: Any) -> dict[str, Any]:
    resp = action(client, "package_create", make_record(), people.auth("editor"))
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["result"]  # type: ignore[no-any-return]


def test_repeated_search_is_answered_alike_from_the_cache(app, client, people, make_record) -> None:
    created(client, people, make_record)
    first = search(client)
    assert len(app.extensions[KEY]) == 1
    assert search(client) == first


def test_a_patched_dataset_is_rendered_again(client, people, make_record) -> None:
    ds = created(client, people, make_record)
    assert search(client)[0]["title"] == ds["title"]
    resp = action(client, "package_patch", {"id": ds["id"], "title": "空气质量逐时数据（修订）"}, people.auth("editor"))
    assert resp.status_code == 200, resp.get_json()
    assert search(client)[0]["title"] == "空气质量逐时数据（修订）"


def test_a_new_resource_shows_in_search(client, people, make_record) -> None:
    ds = created(client, people, make_record)
    before = search(client)[0]["num_resources"]
    resp = action(client, "resource_create", {"package_id": ds["id"], "name": "日报", "url": "https://example.org/d.csv",
                                              "format": "CSV"}, people.auth("editor"))
    assert resp.status_code == 200, resp.get_json()
    found = search(client)[0]
    assert found["num_resources"] == before + 1
    assert found["resources"][-1]["name"] == "日报"


def test_government_and_public_callers_each_get_their_own_view(client, people, make_record) -> None:
    created(client, people, make_record)
    assert search(client, people.auth("water-editor"))[0]["share_type"] == "无条件共享"
    assert "share_type" not in search(client)[0]
    assert search(client, people.auth("water-editor"))[0]["share_type"] == "无条件共享"


def test_a_retitled_department_shows_its_new_title(app, catalog, client, people, make_record) -> None:
    created(client, people, make_record)
    assert search(client)[0]["organization"]["title"] == "重庆市生态环境局"
    with catalog.write() as session:
        session.execute(sa.update(Organization).where(Organization.name == "cq-sthjj").values(title="生态环境局"))
    app.extensions.pop(lookups.KEY, None)  # as if the lookup tables' few seconds had passed
    found = search(client)[0]
    assert found["organization"]["title"] == found["author"] == "生态环境局"


def test_a_deleted_dataset_is_not_served_from_the_cache(client, people, make_record) -> None:
    ds = created(client, people, make_record)
    assert [p["id"] for p in search(client)] == [ds["id"]]
    assert action(client, "package_delete", {"id": ds["id"]}, people.auth("editor")).status_code == 200
    assert search(client) == []


def test_a_private_dataset_cached_for_its_department_stays_hidden_from_others(client, people, make_record) -> None:
    ds = created(client, people, make_record)
    action(client, "package_patch", {"id": ds["id"], "private": True}, people.auth("editor"))
    assert [p["id"] for p in search(client, people.auth("editor"), include_private="true")] == [ds["id"]]
    assert search(client) == []
    assert search(client, people.auth("water-editor"), include_private="true") == []


def _entry(n: int) -> Rendered:
    return Rendered((n,), "org", (), None, (), {"id": str(n)})


def test_the_cache_keeps_the_most_recently_used_entries() -> None:
    cache = RenderedPackages(size=2)
    cache.put(("a", False), _entry(1))
    cache.put(("b", False), _entry(2))
    assert cache.get(("a", False)) is not None  # now the most recent
    cache.put(("c", False), _entry(3))
    assert len(cache) == 2
    assert cache.get(("b", False)) is None
    assert cache.get(("a", False)) is not None and cache.get(("c", False)) is not None


def test_a_repeated_search_asks_the_database_nothing(catalog, client, people, make_record) -> None:
    """The index that chose the hits also says which version of each it holds: when the cached
    renderings match, no statement reaches the database."""
    created(client, people, make_record)
    search(client)
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    sa.event.listen(catalog.db.engine, "before_cursor_execute", record)
    try:
        again = search(client)
        assert statements == []
        action(client, "package_patch", {"id": again[0]["id"], "title": "空气质量小时数据（修订）"}, people.auth("editor"))
        statements.clear()
        assert search(client)[0]["title"] == "空气质量小时数据（修订）"
        assert statements                                 # a changed dataset is read and rendered again
    finally:
        sa.event.remove(catalog.db.engine, "before_cursor_execute", record)
