"""CKAN package dicts of search results, rendered once and kept while their dataset is unchanged.

Rendering a package dict (decoding the cached record, then mapping it) took about a third of
package_search's time, for the same few thousand popular datasets over and over.  Each entry is
kept under (dataset id, variant) with the version it was rendered from, and is served only when
that version is still current and the department and theme rows it shows are still the ones in
the lookup tables.  "Current" is what the search index that chose the hits says (every record write
moves the modification time, which the index keeps to the microsecond, and the results come from
that index anyway); failing that, one cheap query per request asks the database.  The variant is the caller's view (government
users see the share attributes, others do not); which datasets a caller may see is decided by the
search index query before this cache is asked, never by it.

The dicts are shared between requests: callers must not modify them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from catalog import datasets
from catalog.models import CatalogChange, Dataset
from catalog.records import public_view
from catalog.search.base import microseconds

from .lookups import lookup
from .mapping import package_dict

MAX_ENTRIES = 10_000
KEY = "ecodata.ckan_packages"  # per app, in app.extensions
Version = tuple[Any, ...]


@dataclass(frozen=True)
class Rendered:
    """A package dict with what it was rendered from."""

    version: Version
    org_name: str
    themes: tuple[str, ...]
    org: Any                    # the department row shown in it
    groups: tuple[Any, ...]     # the theme rows shown in it
    package: dict[str, Any]

    @property
    def modified_us(self) -> int:
        """The modification time rendered from, in the search index's unit."""
        return microseconds(self.version[0])

    def shows(self, orgs: dict[str, Any], groups: dict[str, Any]) -> bool:
        """Whether the department and themes it shows are still the current rows."""
        org = orgs.get(self.org_name)
        return (org is self.org or org == self.org) and _same_rows(self.groups, _theme_rows(self.themes, groups))


def _same_rows(kept: tuple[Any, ...], current: tuple[Any, ...]) -> bool:
    """Equal rows; the lookup tables hand out the same row objects until they are read again, so
    identity settles almost every comparison without comparing column by column."""
    return len(kept) == len(current) and all(a is b or a == b for a, b in zip(kept, current, strict=True))


class RenderedPackages:
    """A bounded least-recently-used map, safe to share between the server's threads."""

    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[str, bool], Rendered] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, bool]) -> Rendered | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple[str, bool], entry: Rendered) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


def _cache() -> RenderedPackages:
    cache = current_app.extensions.get(KEY)
    if cache is None:
        cache = current_app.extensions.setdefault(KEY, RenderedPackages())
    return cache  # type: ignore[no-any-return]


def _versions_statement() -> sa.Select[tuple[str, Any, int | None]]:
    """Built once: a Core statement with an expanding parameter is compiled once and then reused."""
    datasets_t, changes = Dataset.__table__, CatalogChange.__table__
    latest = sa.select(sa.func.max(changes.c.seq)).where(changes.c.dataset_id == datasets_t.c.id).scalar_subquery()
    return (sa.select(datasets_t.c.id, datasets_t.c.metadata_modified, latest)
            .where(datasets_t.c.id.in_(sa.bindparam("ids", expanding=True))))


VERSIONS = _versions_statement()


def current_versions(session: Session, ids: Sequence[str]) -> dict[str, Version]:
    """Each existing dataset's version: its modification time and its latest change-sequence number
    (every write bumps the first and appends to the second; either alone would do today)."""
    rows = session.connection().execute(VERSIONS, {"ids": list(ids)})
    return {ds_id: (modified, seq) for ds_id, modified, seq in rows}


def _theme_rows(themes: Sequence[str], groups: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(groups[t] for t in themes if t in groups)


def _render(record: dict[str, Any], version: Version, government: bool) -> Rendered:
    record = public_view(record, government)
    themes = tuple(record.get("themes", []))
    orgs, groups = lookup({record["organization"]}, set(themes))
    org, theme_rows = orgs[record["organization"]], _theme_rows(themes, groups)
    return Rendered(version, record["organization"], themes, org, theme_rows,
                    package_dict(record, org, list(theme_rows)))


def _served_from_index(cache: RenderedPackages, ids: Sequence[str], government: bool,
                       indexed: Mapping[str, int]) -> list[dict[str, Any]] | None:
    """Every package from the cache when each entry was rendered from the modification time the
    search index holds for it (the index that just chose these ids); None when any is not."""
    entries = []
    for ds_id in ids:
        entry = cache.get((ds_id, government))
        if entry is None or indexed.get(ds_id) != entry.modified_us:
            return None
        entries.append(entry)
    orgs, groups = lookup({e.org_name for e in entries}, {t for e in entries for t in e.themes})
    if not all(e.shows(orgs, groups) for e in entries):
        return None
    return [e.package for e in entries]


def packages(session: Session, ids: Sequence[str], government: bool,
             indexed: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """Package dicts of the given datasets in the given order (those that no longer exist left out),
    as a government (``government``) or other caller sees them.  ``indexed``: each dataset's
    modification time (microseconds) as the search index holds it; when every cached rendering
    matches it, the database is not asked at all."""
    cache = _cache()
    if indexed:
        served = _served_from_index(cache, ids, government, indexed)
        if served is not None:
            return served
    versions = current_versions(session, ids)
    hits = {i: e for i in ids if i in versions
            and (e := cache.get((i, government))) is not None and e.version == versions[i]}
    if hits:
        orgs, groups = lookup({e.org_name for e in hits.values()}, {t for e in hits.values() for t in e.themes})
        hits = {i: e for i, e in hits.items() if e.shows(orgs, groups)}
    misses = [i for i in ids if i in versions and i not in hits]
    for record in datasets.cached_records(session, misses) if misses else []:
        # The version read above, or an older one than the record if it was written since:
        # at worst the next request renders it again.
        entry = _render(record, versions[record["id"]], government)
        cache.put((record["id"], government), entry)
        hits[record["id"]] = entry
    return [hits[i].package for i in ids if i in hits]
