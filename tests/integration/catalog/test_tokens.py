"""API tokens: checked on every request, their last use recorded without a write per request."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from catalog import accounts
from catalog.errors import Unauthorized
from catalog.models import ApiToken, User
from catalog.service import Catalog


def _issue(catalog: Catalog, name: str = "editor") -> tuple[str, str]:
    with catalog.write() as session:
        user = session.query(User).filter_by(name=name).one()
        issued = accounts.create_token(session, user, "测试令牌")
        return issued.token, issued.record.id


def _last_used(catalog: Catalog, token_id: str) -> Any:
    with catalog.read() as session:
        return session.get(ApiToken, token_id).last_used  # type: ignore[union-attr]


def test_last_use_is_recorded_to_the_minute(catalog: Catalog, people: Any) -> None:
    token, token_id = _issue(catalog)
    with catalog.write() as session:
        first = accounts.authenticate_token(session, token)[1].last_used
    assert first is not None
    with catalog.write() as session:
        accounts.authenticate_token(session, token, now=first + timedelta(seconds=50))
        assert not session.dirty  # nothing to write: a read request stays a read
    assert _last_used(catalog, token_id) == first
    later = first + accounts.LAST_USED_RESOLUTION + timedelta(seconds=1)
    with catalog.write() as session:
        accounts.authenticate_token(session, token, now=later)
    assert _last_used(catalog, token_id) == later


def test_revoked_expired_and_wrong_tokens_are_refused_at_once(catalog: Catalog, people: Any) -> None:
    token, token_id = _issue(catalog)
    with catalog.write() as session:
        accounts.authenticate_token(session, token)
    with catalog.write() as session:
        accounts.revoke_token(session, token_id)
    with catalog.write() as session, pytest.raises(Unauthorized, match="revoked"):
        accounts.authenticate_token(session, token)
    with catalog.write() as session, pytest.raises(Unauthorized, match="Invalid"):
        accounts.authenticate_token(session, token[:-2] + "xx")
    with catalog.write() as session:
        user = session.query(User).filter_by(name="editor").one()
        short = accounts.create_token(session, user, "短期", expires_in=timedelta(minutes=5)).token
    with catalog.write() as session, pytest.raises(Unauthorized, match="expired"):
        accounts.authenticate_token(session, short, now=accounts.utcnow() + timedelta(minutes=6))
