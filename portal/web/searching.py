"""The search page's query parameters (CKAN's names) to a SearchQuery, and results back to rows.

The filters are exactly those of ``/api/v1/datasets`` (active datasets the caller may see), so the
counts the page shows are the counts the API returns for the same filters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from catalog.authz import Actor
from catalog.models import Dataset
from catalog.search.base import SearchQuery, SearchResult
from catalog.service import Catalog

# URL parameter (CKAN name) -> index field, in the order the facets are shown.
PARAMS = {"organization": "org", "groups": "themes", "districts": "districts", "res_format": "formats",
          "tags": "tags", "update_cycle": "update_cycle", "open_type": "open_type", "license_id": "license_id"}
SORTS = {"": "relevance", "score desc": "relevance", "metadata_modified desc": "modified desc",
         "metadata_modified asc": "modified asc", "title_string asc": "title asc",
         "title_string desc": "title desc"}
PER_PAGE = 20
MAX_PAGE = 500


@dataclass
class SearchPage:
    q: str
    active: list[tuple[str, str]]                  # (param, value) filters in force
    sort: str
    page: int
    count: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // PER_PAGE))

    def url(self, *, drop: tuple[str, str] | None = None, add: tuple[str, str] | None = None,
            page: int | None = None, sort: str | None = None) -> str:
        """This search's URL with one filter dropped or added, another page or another sort."""
        pairs: list[tuple[str, str]] = [("q", self.q)] if self.q else []
        pairs += [p for p in self.active if p != drop]
        if add and add not in pairs:
            pairs.append(add)
        chosen_sort = self.sort if sort is None else sort
        if chosen_sort:
            pairs.append(("sort", chosen_sort))
        if page and page > 1:
            pairs.append(("page", str(page)))
        return "/dataset" + ("?" + urlencode(pairs) if pairs else "")


def parse(args: MultiDict[str, str]) -> SearchPage:
    active = [(param, value) for param in PARAMS for value in dict.fromkeys(args.getlist(param)) if value]
    sort = args.get("sort", "")
    if sort not in SORTS:
        sort = ""
    try:
        page = min(max(1, int(args.get("page", "1"))), MAX_PAGE)
    except ValueError:
        page = 1
    return SearchPage(q=(args.get("q") or "").strip()[:200], active=active, sort=sort, page=page)


def query_for(page: SearchPage, *, rows: int = PER_PAGE, extra: list[tuple[str, str]] | None = None,
              facet_limit: int = 12) -> SearchQuery:
    filters = [(PARAMS[p], v) for p, v in page.active] + list(extra or [])
    filters.append(("state", "active"))
    return SearchQuery(q=page.q, filters=filters, sort=SORTS[page.sort], start=(page.page - 1) * rows,
                       rows=rows, facet_fields=list(dict.fromkeys(PARAMS.values())), facet_limit=facet_limit)


def run(catalog: Catalog, actor: Actor, page: SearchPage, *, rows: int = PER_PAGE,
        extra: list[tuple[str, str]] | None = None) -> SearchPage:
    result = catalog.search(actor, query_for(page, rows=rows, extra=extra))
    page.count = result.count
    page.facets = {param: result.facets.get(fieldname, []) for param, fieldname in PARAMS.items()}
    with catalog.read() as session:
        page.rows = [summary(ds) for ds in ordered(session, result.ids)]
    return page


def ordered(session: Any, ids: list[str]) -> list[Dataset]:
    """The datasets in ranked order, with what a result card needs loaded in a few queries."""
    if not ids:
        return []
    query = sa.select(Dataset).where(Dataset.id.in_(ids)).options(
        selectinload(Dataset.organization), selectinload(Dataset.groups), selectinload(Dataset.resources))
    by_id = {d.id: d for d in session.scalars(query)}
    return [by_id[i] for i in ids if i in by_id]


def summary(ds: Dataset) -> dict[str, Any]:
    """What a result card shows; read inside the session."""
    meta = ds.meta or {}
    return {"name": ds.name, "title": ds.title, "title_en": meta.get("title_en"), "description": ds.notes or "",
            "description_en": meta.get("description_en"), "org_title": ds.organization.title,
            "org_title_en": ds.organization.title_en, "metadata_modified": ds.metadata_modified,
            "update_cycle": ds.update_cycle, "open_type": ds.open_type, "themes": [g.name for g in ds.groups],
            "formats": sorted({(r.format or "").upper() for r in ds.resources if r.format})}


def facet_counts(catalog: Catalog, actor: Actor, fields: list[str], *, rows: int = 0,
                 sort: str = "relevance") -> tuple[SearchResult, list[dict[str, Any]]]:
    """Counts over every active dataset the actor may see, plus the first ``rows`` results."""
    query = SearchQuery(filters=[("state", "active")], facet_fields=fields, facet_limit=-1, rows=rows,
                        sort=sort)
    result = catalog.search(actor, query)
    with catalog.read() as session:
        rows_out = [summary(ds) for ds in ordered(session, result.ids)]
    return result, rows_out
