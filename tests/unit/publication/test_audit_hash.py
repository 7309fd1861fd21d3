"""Audit entry hashes cover every column and the previous hash."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from catalog.audit import GENESIS, entry_hash

AT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
BASE = dict(seq=7, prev_hash=GENESIS, actor="user:u1", action="release.created", object_type="release",
            object_id="r1", payload={"dataset": "cq-air-hourly-yuzhong", "number": 1}, at=AT)


@pytest.mark.parametrize(("column", "value"), [
    ("seq", 8), ("prev_hash", "1" * 64), ("actor", "user:u2"), ("action", "release.withdrawn"),
    ("object_type", "grant"), ("object_id", "r2"), ("payload", {"dataset": "cq-air-hourly-yuzhong", "number": 2}),
    ("at", datetime(2026, 11, 30, 8, 0, 1, tzinfo=UTC)),
])
def test_every_column_changes_the_hash(column, value) -> None:
    assert entry_hash(**{**BASE, column: value}) != entry_hash(**BASE)


def test_hash_does_not_depend_on_key_order_or_time_zone() -> None:
    from datetime import timedelta, timezone

    shuffled = {**BASE, "payload": {"number": 1, "dataset": "cq-air-hourly-yuzhong"},
                "at": AT.astimezone(timezone(timedelta(hours=8)))}
    assert entry_hash(**shuffled) == entry_hash(**BASE)
