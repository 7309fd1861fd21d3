"""A signed-in browser session cannot be used to write through the APIs (no CSRF token there)."""

from __future__ import annotations

from catalog import accounts


def test_session_cookie_reads_but_does_not_write(client, people, make_record) -> None:
    with people.catalog.read() as session:
        editor_id = accounts.get_user(session, "editor").id
    with client.session_transaction() as sess:
        sess["user_id"] = editor_id
    private = client.post("/api/3/action/package_create", json=make_record(private=True),
                          headers=people.auth("editor"))
    assert private.status_code == 200
    # Reads with the cookie see what the user may see ...
    assert client.get("/api/3/action/package_show?id=cq-air-quality-hourly-yuzhong").status_code == 200
    # ... but writes need a token.
    forged = client.post("/api/3/action/package_patch", json={"id": "cq-air-quality-hourly-yuzhong", "title": "篡改"})
    assert forged.status_code == 403
    assert client.post("/api/v1/datasets", json=make_record(name="x-forged")).status_code == 401
