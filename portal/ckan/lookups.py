"""Departments and themes by name, read once every few seconds rather than on every search.

There are a few dozen of each and they rarely change; search results and facet labels need
them on every request, and two queries per request were most of package_search's time.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import sqlalchemy as sa
from flask import current_app

from catalog.models import Group, Organization
from portal.app import get_catalog

MAX_AGE = 5.0
_lock = threading.Lock()
KEY = "ecodata.ckan_lookups"  # per app, in app.extensions: (read at, departments, themes)


def _load() -> tuple[dict[str, Any], dict[str, Any]]:
    with get_catalog().read() as session:
        orgs = {row.name: row for row in session.execute(sa.select(Organization.__table__))}
        groups = {row.name: row for row in session.execute(sa.select(Group.__table__))}
    return orgs, groups


def tables() -> tuple[dict[str, Any], dict[str, Any]]:
    """(departments by name, themes by name) as plain rows, at most MAX_AGE seconds old."""
    now = time.monotonic()
    with _lock:
        cached = current_app.extensions.get(KEY)
        if cached and now - cached[0] < MAX_AGE:
            return cached[1], cached[2]
    orgs, groups = _load()
    with _lock:
        current_app.extensions[KEY] = (now, orgs, groups)
    return orgs, groups


def lookup(orgs_needed: set[str], groups_needed: set[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Rows for the names asked for; a name not in the cache (just created) forces a fresh read."""
    orgs, groups = tables()
    if not orgs_needed <= orgs.keys() or not groups_needed <= groups.keys():
        with _lock:
            current_app.extensions.pop(KEY, None)
        orgs, groups = tables()
    return orgs, groups
