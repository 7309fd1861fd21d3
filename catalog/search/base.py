"""The search seam: one small contract that every backend (embedded Tantivy, later Elasticsearch) meets.

Nothing here knows about a particular engine.  Index documents are plain dicts (see ``DOC_FIELDS``);
queries and results are the two dataclasses below.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from ..errors import Problem, ValidationFailed

# Fields an index document may carry.  List-valued ones hold several values each.
DOC_FIELDS = ("id", "name", "title", "title_en", "description", "keywords", "org", "org_title", "themes",
              "tags", "formats", "districts", "update_cycle", "open_type", "license_id", "state", "readers",
              "modified", "created", "resource_code", "elements")
FACET_FIELDS = frozenset({"org", "themes", "tags", "formats", "districts", "update_cycle", "open_type",
                          "license_id", "state", "readers"})
# Filters may also pin one dataset by id or name (CKAN ``fq=name:...``).
FILTER_FIELDS = FACET_FIELDS | {"id", "name"}
# Fields a range filter may bound, and what the bounds are: aware datetimes.
RANGE_FIELDS = frozenset({"modified", "created"})
SORTS = ("relevance", "modified desc", "modified asc", "created desc", "created asc", "title asc", "title desc",
         "name asc", "name desc", "id asc", "id desc")


# A filter expression (CKAN's ``fq``, e.g. ``organization:a OR organization:b -tags:x
# metadata_modified:[2026-01-01T00:00:00Z TO *]``): terms and ranges combined by all/any/not.
@dataclass(frozen=True)
class Term:
    field: str
    value: str


@dataclass(frozen=True)
class Exists:
    """Documents with any value in the field (CKAN ``tags:*``)."""
    field: str


@dataclass(frozen=True)
class Range:
    field: str
    lower: datetime | None = None                        # None: unbounded
    upper: datetime | None = None
    include_lower: bool = True
    include_upper: bool = True


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Filter, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Filter, ...]


@dataclass(frozen=True)
class Not:
    part: Filter


Filter = Term | Exists | Range | AllOf | AnyOf | Not


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def microseconds(moment: datetime) -> int:
    """A datetime as whole microseconds since the epoch (a naive one is taken to be UTC): how the
    index keeps times, for range filters and for ``SearchResult.modified``."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    delta = aware - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def filter_leaves(expr: Filter) -> Iterator[Term | Exists | Range]:
    if isinstance(expr, Term | Exists | Range):
        yield expr
    elif isinstance(expr, Not):
        yield from filter_leaves(expr.part)
    else:
        for part in expr.parts:
            yield from filter_leaves(part)
MAX_ROWS = 1000
PUBLIC = frozenset({"public"})


@dataclass
class SearchQuery:
    q: str = ""                                          # free text; "" or "*:*" means all
    filters: list[tuple[str, str]] = field(default_factory=list)   # all ANDed
    where: Filter | None = None                          # ANDed with ``filters`` (CKAN fq)
    # None means "sees everything" (sysadmin).  The default is the anonymous audience, so a caller
    # who forgets to pass principals can never see more than the public.
    principals: frozenset[str] | None = PUBLIC
    sort: str = "relevance"
    start: int = 0
    rows: int = 20
    facet_fields: list[str] = field(default_factory=list)
    facet_limit: int = 50                                # negative means every value


@dataclass
class SearchResult:
    count: int
    ids: list[str]                                       # dataset ids in ranked order
    facets: dict[str, list[tuple[str, int]]]             # value, count — count desc, then value
    # Each hit's modification time as the index holds it, in microseconds since the epoch, where
    # the backend can tell cheaply: lets a caller check a cached rendering without the database.
    modified: dict[str, int] = field(default_factory=dict)


class SearchIndex(Protocol):
    def upsert(self, docs: Sequence[dict | str]) -> None:
        """Add or replace documents by id; a string is a document already analysed (as
        ``tantivy_schema.to_json`` text)."""

    def rebuild(self, batches: Iterable[Sequence[dict | str]], seq: int) -> int:
        """Replace every document with these (given in batches; a string is a document already
        analysed, as ``tantivy_schema.to_json`` text) and remember ``seq``; returns how many
        were indexed.  Searches see the old documents until the new ones are complete."""
        ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def commit(self, seq: int | None = None) -> None: ...

    def last_seq(self) -> int: ...

    def search(self, query: SearchQuery) -> SearchResult: ...

    def clear(self) -> None: ...

    def count(self) -> int: ...


def _problem(code: str, message: str, message_en: str) -> Problem:
    return Problem(code=code, message=message, message_en=message_en)


def query_problems(query: SearchQuery) -> list[Problem]:
    """Everything wrong with a query, in terms a caller can fix; empty when it is fine."""
    problems: list[Problem] = []
    if query.sort not in SORTS:
        problems.append(_problem("search_bad_sort", f"不支持的排序方式“{query.sort}”，可选：{'、'.join(SORTS)}",
                                 f"Unsupported sort {query.sort!r}; choose one of {', '.join(SORTS)}"))
    if query.start < 0 or not 0 <= query.rows <= MAX_ROWS:
        problems.append(_problem("search_bad_paging", f"分页参数无效：start 须不小于 0，rows 须在 0 到 {MAX_ROWS} 之间",
                                 f"Bad paging: start must be >= 0 and rows between 0 and {MAX_ROWS}"))
    leaves = list(filter_leaves(query.where)) if query.where is not None else []
    for name in [name for name, _value in query.filters] + [leaf.field for leaf in leaves if isinstance(leaf, Term | Exists)]:
        if name not in FILTER_FIELDS:
            problems.append(_problem("search_bad_filter", f"不能按字段“{name}”筛选",
                                     f"Cannot filter on field {name!r}"))
    for leaf in leaves:
        if isinstance(leaf, Range) and (leaf.field not in RANGE_FIELDS or leaf.lower is leaf.upper is None):
            problems.append(_problem("search_bad_range", f"不能按字段“{leaf.field}”做范围筛选，或范围没有上下限",
                                     f"Cannot filter field {leaf.field!r} by range, or the range has no bound"))
    for name in query.facet_fields:
        if name not in FACET_FIELDS:
            problems.append(_problem("search_bad_facet", f"不能按字段“{name}”分面统计",
                                     f"Cannot facet on field {name!r}"))
    return problems


def check_query(query: SearchQuery) -> None:
    problems = query_problems(query)
    if problems:
        raise ValidationFailed("检索参数有误，请修改后重试", "Invalid search parameters",
                               problems=problems, code="search_bad_query")


def sort_facet_counts(counts: dict[str, int], limit: int) -> list[tuple[str, int]]:
    """Count descending, then value ascending; a negative limit keeps every value."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ordered if limit < 0 else ordered[:limit]
