"""Web-page fixtures: a signed-in test client (real session cookie, real CSRF token)."""

from __future__ import annotations

import re
from typing import Any

import pytest

PASSWORD = "重庆-ecodata-2026"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


class Browser:
    """A test client that signs in through the login form and posts forms with their CSRF token."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def token(self, path: str = "/user/login") -> str:
        return csrf_of(self.client.get(path).get_data(as_text=True))

    def sign_in(self, username: str, password: str = PASSWORD) -> Any:
        return self.client.post("/user/login", data={"username": username, "password": password,
                                                     "csrf_token": self.token()})

    def post(self, path: str, data: dict[str, Any], *, form_page: str | None = None, **kwargs: Any) -> Any:
        return self.client.post(path, data={**data, "csrf_token": self.token(form_page or path)}, **kwargs)


@pytest.fixture
def web(client: Any) -> Browser:
    return Browser(client)


@pytest.fixture
def staff(people: Any) -> Any:
    """Department people who sign in with a password."""
    people.user("zhou-editor", "cq-sthjj", "editor", password=PASSWORD, fullname="周编辑")
    people.user("li-admin", "cq-sthjj", "admin", password=PASSWORD, fullname="李管理员")
    return people
