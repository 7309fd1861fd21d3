"""The data API engine: filters, sort, cursor paging and aggregates over a released artifact.

Runs with pyarrow over the memory-mapped serving copy (``rowstore``): no SQL text is built from
request input, so there is nothing to inject and no file system for a query to reach.  Each query
is bounded in rows per page, in working memory (estimated before anything is materialized) and in
time (a deadline checked between stages; every stage is a single vectorized pass).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import EcodataError, ValidationFailed
from . import cursor as cursors
from .coerce import coerce_value
from .rowstore import ServingTable

OPS = ("eq", "in", "gte", "gt", "lte", "lt")
AGGREGATES = ("mean", "min", "max", "count", "sum")
TIME_BUCKETS = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y", "hour": "%Y-%m-%d %H:00:00"}


class QueryTooLarge(EcodataError):
    status = 413
    code = "query_too_large"


class QueryTimeout(EcodataError):
    status = 503
    code = "query_timeout"


@dataclass(frozen=True)
class Limits:
    max_page: int = 10_000
    max_work_bytes: int = 256 * 1024 * 1024
    timeout_s: float = 5.0


@dataclass(frozen=True)
class Filter:
    field: str
    op: str
    value: Any


@dataclass
class RowQuery:
    fields: list[str] | None = None
    filters: list[Filter] = field(default_factory=list)
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    limit: int = 100
    cursor: str | None = None
    group_by: list[str] = field(default_factory=list)  # field names, or station / day / month / year / hour
    aggregates: list[tuple[str, str]] = field(default_factory=list)  # (function, field or "*")

    def fingerprint(self) -> str:
        return repr((self.fields, self.filters, self.sort, self.limit, self.group_by, self.aggregates))


@dataclass(frozen=True)
class QueryResult:
    table: pa.Table
    total: int
    offset: int
    next_cursor: str | None


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.until = time.monotonic() + seconds
        self.seconds = seconds

    def check(self) -> None:
        if time.monotonic() > self.until:
            raise QueryTimeout(f"查询超过 {self.seconds:g} 秒的时间上限，请缩小时间范围或增加筛选条件",
                               f"The query exceeded its {self.seconds:g} s limit; narrow the time window or add filters")


def run(serving: ServingTable, query: RowQuery, *, secret: bytes, artifact: str, limits: Limits = Limits()) \
        -> QueryResult:
    deadline = _Deadline(limits.timeout_s)
    _check_query(serving, query, limits)
    offset = cursors.decode(query.cursor, secret, artifact, query.fingerprint()) if query.cursor else 0
    filters = [Filter(f.field, f.op, coerce_value(f.value, serving.table.schema.field(f.field).type, f.op))
               for f in query.filters]
    lo, hi = _narrow(serving, filters)
    base = serving.table.slice(lo, hi - lo)
    indices = _matching(base, filters)
    deadline.check()
    if query.aggregates or query.group_by:
        result = _aggregate(serving, base, indices, query, limits)
        total, page = result.num_rows, result.slice(offset, query.limit)
    else:
        total = len(indices) if indices is not None else base.num_rows
        page = _page(base, indices, query, offset, limits)
    deadline.check()
    more = offset + page.num_rows < total
    token = cursors.encode(offset + page.num_rows, secret, artifact, query.fingerprint()) if more else None
    return QueryResult(page, total, offset, token)


def _check_query(serving: ServingTable, query: RowQuery, limits: Limits) -> None:
    names = set(serving.table.schema.names)
    used = [f.field for f in query.filters] + [s for s, _ in query.sort] + list(query.fields or [])
    used += [f for _, f in query.aggregates if f != "*"]
    used += [g for g in query.group_by if g not in TIME_BUCKETS and g != "station"]
    unknown = sorted({u for u in used if u not in names})
    if unknown:
        raise ValidationFailed(f"字段不存在或未开放：{', '.join(unknown)}",
                               f"Unknown or unreleased field(s): {', '.join(unknown)}", code="unknown_field")
    if not 1 <= query.limit <= limits.max_page:
        raise QueryTooLarge(f"每页行数须在 1 到 {limits.max_page} 之间，请用游标翻页",
                            f"limit must be between 1 and {limits.max_page}; page with the cursor")
    for fn, name in query.aggregates:
        if fn not in AGGREGATES or (name == "*" and fn != "count"):
            raise ValidationFailed(f"不支持的统计：{fn}({name})", f"Unsupported aggregate: {fn}({name})",
                                   code="bad_aggregate")
    if query.group_by and not query.aggregates:
        query.aggregates.append(("count", "*"))


def _narrow(serving: ServingTable, filters: list[Filter]) -> tuple[int, int]:
    equals = {f.field: f.value for f in filters if f.op == "eq"}
    equals.update({f.field: f.value[0] for f in filters if f.op == "in" and len(f.value) == 1})
    lower = upper = None
    inclusive = False
    if len(serving.sorted_by) > 1:
        second = serving.sorted_by[1]
        for f in filters:
            if f.field == second and f.op in ("gte", "gt", "eq"):
                lower = f.value if lower is None else max(lower, f.value)
            if f.field == second and f.op in ("lte", "lt", "eq"):
                upper, inclusive = f.value, f.op != "lt"
    return serving.narrow(equals, lower, upper, inclusive)


def _matching(base: pa.Table, filters: list[Filter]) -> pa.Array | None:
    """Row indices of ``base`` that pass every filter, or None for all rows (nothing copied)."""
    mask = None
    for f in filters:
        column = base.column(f.field)
        value = f.value
        if f.op == "in":
            term = pc.is_in(column, value_set=pa.array(value, column.type))
        else:
            term = getattr(pc, {"eq": "equal", "gte": "greater_equal", "gt": "greater", "lte": "less_equal",
                                "lt": "less"}[f.op])(column, pa.scalar(value, column.type))
        mask = term if mask is None else pc.and_kleene(mask, term)
    if mask is None:
        return None
    return pc.indices_nonzero(pc.fill_null(mask, False))


def _page(base: pa.Table, indices: pa.Array | None, query: RowQuery, offset: int, limits: Limits) -> pa.Table:
    columns = query.fields or base.schema.names
    if query.sort:
        keys = [s for s, _ in query.sort]
        subset = base.select(keys) if indices is None else base.select(keys).take(indices)
        _check_work(subset, limits)
        # The row position breaks ties so pages never overlap or skip rows.
        subset = subset.append_column("__row", pa.array(range(subset.num_rows), pa.int64()))
        order = pc.sort_indices(subset, sort_keys=[(s, "descending" if d else "ascending") for s, d in query.sort]
                                + [("__row", "ascending")])
        chosen = order.slice(offset, query.limit)
        rows = chosen if indices is None else indices.take(chosen)
        return base.select(columns).take(rows)
    if indices is None:
        return base.select(columns).slice(offset, query.limit)
    return base.select(columns).take(indices.slice(offset, query.limit))


def _check_work(table: pa.Table, limits: Limits) -> None:
    if table.nbytes > limits.max_work_bytes:
        raise QueryTooLarge("查询涉及的数据量超过上限，请增加筛选条件（站点、时间范围）",
                            "The query would work on too much data; add filters (station, time window)")


def _aggregate(serving: ServingTable, base: pa.Table, indices: pa.Array | None, query: RowQuery,
               limits: Limits) -> pa.Table:
    keys = [_group_column(serving, g) for g in query.group_by]
    needed = sorted({k for k, _ in keys} | {f for _, f in query.aggregates if f != "*"}) or [base.schema.names[0]]
    work = base.select(needed) if indices is None else base.select(needed).take(indices)
    _check_work(work, limits)
    names = []
    for source, bucket in keys:
        name = bucket or source
        column = work.column(source)
        if bucket:
            column = pc.strftime(column, format=TIME_BUCKETS[bucket])
        work = work.append_column(f"__key_{name}", column)
        names.append(name)
    specs: list[Any] = []
    for i, (fn, f) in enumerate(query.aggregates):
        # One aliased column per aggregate gives every output a name we can map back exactly.
        work = work.append_column(f"__agg{i}", work.column(f if f != "*" else needed[0]))
        specs.append((f"__agg{i}", "count", pc.CountOptions(mode="all")) if f == "*" else (f"__agg{i}", fn))
    if not names:
        return pa.table({_agg_name(fn, f): [_scalar(work, fn, f)] for fn, f in query.aggregates})
    grouped = work.group_by([f"__key_{n}" for n in names]).aggregate(specs)
    renamed = {f"__key_{n}": n for n in names}
    renamed.update({f"__agg{i}_{'count' if f == '*' else fn}": _agg_name(fn, f)
                    for i, (fn, f) in enumerate(query.aggregates)})
    grouped = grouped.rename_columns([renamed[c] for c in grouped.column_names])
    grouped = grouped.select(names + [_agg_name(fn, f) for fn, f in query.aggregates])
    return grouped.sort_by([(n, "ascending") for n in names])


def _group_column(serving: ServingTable, group: str) -> tuple[str, str | None]:
    if group == "station":
        if not serving.station:
            raise ValidationFailed("该资源没有站点字段，不能按站点分组", "This resource has no station field",
                                   code="bad_group")
        return serving.station, None
    if group in TIME_BUCKETS:
        if not serving.time:
            raise ValidationFailed("该资源没有时间字段，不能按时间分组", "This resource has no time field",
                                   code="bad_group")
        return serving.time, group
    return group, None


def _agg_name(fn: str, field_name: str) -> str:
    return "count" if field_name == "*" else f"{fn}_{field_name}"


def _scalar(work: pa.Table, fn: str, field_name: str) -> Any:
    if field_name == "*":
        return work.num_rows
    return getattr(pc, fn)(work.column(field_name)).as_py()
