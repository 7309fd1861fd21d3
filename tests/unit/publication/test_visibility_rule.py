"""The visibility rule as a decision table: attributes, release outcomes, and whether data exists."""

from __future__ import annotations

import pytest

from catalog.visibility import GOVERNMENT, PUBLIC, narrowed, release_readers

OWNER = "org:cq-sthjj-id"


def manifest(public: str, government: str) -> dict:
    return {"audiences": {"public": {"outcome": public}, "government": {"outcome": government},
                          "owner": {"outcome": "release"}}}


@pytest.mark.parametrize(("by_attributes", "release", "carries_data", "expected"), [
    # harvested metadata-only, open: stays public
    ([PUBLIC], None, False, [PUBLIC]),
    # data staged but never released: only the department
    ([PUBLIC], None, True, [OWNER]),
    ([GOVERNMENT, OWNER], None, True, [OWNER]),
    # released openly
    ([PUBLIC], manifest("release", "release"), True, [PUBLIC, GOVERNMENT, OWNER]),
    # conditional: metadata for all, so people can apply
    ([PUBLIC], manifest("metadata_only", "release"), True, [PUBLIC, GOVERNMENT, OWNER]),
    # rules deny everyone outside the department (e.g. 50-departments.yaml)
    ([PUBLIC], manifest("deny", "deny"), True, [OWNER]),
    # government-only release
    ([PUBLIC], manifest("deny", "release"), True, [GOVERNMENT, OWNER]),
    # a manifest never widens what the attributes allow
    ([GOVERNMENT, OWNER], manifest("release", "release"), True, [GOVERNMENT, OWNER]),
    ([OWNER], manifest("release", "release"), True, [OWNER]),
])
def test_narrowed(by_attributes, release, carries_data, expected) -> None:
    assert narrowed(OWNER, by_attributes, release, carries_data) == expected


def test_release_readers_always_include_the_owner() -> None:
    assert release_readers({}, OWNER) == [OWNER]
