"""/api/v1/datasets/{name}/resources/{rid}/rows — the data API over a released resource.

Query: ``fields=a,b``; ``filter=field:op:value`` (repeatable; op = eq, in (values split by |),
gte, gt, lte, lt); shortcuts ``station=`` and ``start=`` / ``end=`` (time window, end exclusive);
``sort=-time,pm25``; ``limit`` and the opaque ``cursor`` from the previous page; aggregates with
``group_by=station,month`` and ``agg=mean:pm25,max:pm25,count``; ``format=json|csv|parquet``.
"""

from __future__ import annotations

import io
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, validate
from marshmallow import fields as ma

from catalog.delivery.formats import time_text
from catalog.delivery.query import OPS, Filter, RowQuery, run
from catalog.errors import ValidationFailed

from .service import get_delivery, served

PATH = "/datasets"
blp = Blueprint("data_rows", __name__, description="数据接口：已发布资源的行查询与统计 · Data API")


class RowsArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    field_list = ma.String(data_key="fields", metadata={"description": "返回的字段，逗号分隔 · fields to return, comma separated"})
    filter = ma.List(ma.String(), load_default=list,
                         metadata={"description": "field:op:value，op 为 eq|in|gte|gt|lte|lt；in 的多个值用 | 分隔"})
    station = ma.String(metadata={"description": "站点编码（等于）· station code"})
    start = ma.String(metadata={"description": "时间窗起点（含），如 2024-03-01 · window start, inclusive"})
    end = ma.String(metadata={"description": "时间窗终点（不含）· window end, exclusive"})
    sort = ma.String(metadata={"description": "排序字段，逗号分隔，前缀 - 为降序 · e.g. -time,pm25"})
    limit = ma.Integer(load_default=100, validate=validate.Range(min=1),
                           metadata={"description": "每页行数（上限 10000）· page size"})
    cursor = ma.String(metadata={"description": "上一页返回的 next_cursor · opaque paging cursor"})
    group_by = ma.String(metadata={"description": "station, day, month, year, hour 或字段名，逗号分隔"})
    agg = ma.String(metadata={"description": "统计：mean:pm25,min:pm25,max:pm25,count"})
    format = ma.String(load_default="json", validate=validate.OneOf(["json", "csv", "parquet"]))


# One instance for every request: building a schema per request costs more than the query.
ROWS_ARGS = RowsArgs()


class RowsPageSchema(Schema):
    field_types = ma.List(ma.Dict(), data_key="fields", metadata={"description": "[{name, type}]"})
    rows = ma.List(ma.Dict())
    total = ma.Integer()
    offset = ma.Integer()
    next_cursor = ma.String(allow_none=True)
    release = ma.Integer()


def parse_query(args: dict[str, Any], station_field: str | None, time_field: str | None) -> RowQuery:
    filters = [_filter(text) for text in args.get("filter") or []]
    if args.get("station"):
        filters.append(Filter(_need(station_field, "station"), "eq", args["station"]))
    if args.get("start"):
        filters.append(Filter(_need(time_field, "start"), "gte", args["start"]))
    if args.get("end"):
        filters.append(Filter(_need(time_field, "end"), "lt", args["end"]))
    sort = [(s.lstrip("-"), s.startswith("-")) for s in _split(args.get("sort"))]
    aggregates = []
    for item in _split(args.get("agg")):
        fn, _, name = item.partition(":")
        aggregates.append((fn, name or "*"))
    return RowQuery(fields=_split(args.get("field_list")) or None, filters=filters, sort=sort, limit=args["limit"],
                    cursor=args.get("cursor"), group_by=_split(args.get("group_by")), aggregates=aggregates)


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def _need(name: str | None, arg: str) -> str:
    if not name:
        raise ValidationFailed(f"该资源没有可用于参数 {arg} 的字段", f"This resource has no field for '{arg}'",
                               code="bad_filter")
    return name


def _filter(text: str) -> Filter:
    name, _, rest = text.partition(":")
    op, _, value = rest.partition(":")
    if not name or op not in OPS:
        raise ValidationFailed(f"筛选条件格式应为 字段:操作:值（操作为 {'|'.join(OPS)}）：{text}",
                               f"filter must be field:op:value with op in {', '.join(OPS)}: {text}",
                               code="bad_filter")
    return Filter(name, op, value.split("|") if op == "in" else value)


def _jsonable(table: pa.Table) -> list[dict[str, Any]]:
    for i, column in enumerate(table.columns):
        if pa.types.is_timestamp(column.type):
            table = table.set_column(i, table.field(i).name, time_text(column, "T"))
        elif pa.types.is_date(column.type):
            table = table.set_column(i, table.field(i).name, pc.strftime(column, format="%Y-%m-%d"))
    return table.to_pylist()  # type: ignore[no-any-return]


def _field_list(table: pa.Table) -> list[dict[str, str]]:
    from catalog.delivery.datapackage import arrow_field_type

    return [{"name": f.name, "type": arrow_field_type(f.type)} for f in table.schema]


def render_page(result: Any, fmt: str, release: int) -> Response:
    if fmt == "csv":
        sink = io.BytesIO()
        pacsv.write_csv(result.table, sink)
        resp = Response(sink.getvalue(), mimetype="text/csv")
    elif fmt == "parquet":
        sink = io.BytesIO()
        pq.write_table(result.table, sink)
        resp = Response(sink.getvalue(), mimetype="application/vnd.apache.parquet")
    else:
        body = {"fields": _field_list(result.table), "rows": _jsonable(result.table), "total": result.total,
                "offset": result.offset, "next_cursor": result.next_cursor, "release": release}
        resp = Response(orjson.dumps(body, default=str), mimetype="application/json")
    resp.headers["X-Total-Count"] = str(result.total)
    if result.next_cursor:
        resp.headers["X-Next-Cursor"] = result.next_cursor
    return resp


def query_rows(name: str, resource_id: str, args: dict[str, Any]) -> tuple[Any, int]:
    item = served(name, resource_id, "data_api", named=False, reuse=True)
    delivery = get_delivery()
    serving = delivery.serving(item.ref)
    query = parse_query(args, serving.station, serving.time)
    result = run(serving, query, secret=delivery.cursor_secret, artifact=item.ref.sha256)
    return result, item.ref.release_number


@blp.route("/<name>/resources/<resource_id>/rows")
class Rows(MethodView):
    @blp.arguments(ROWS_ARGS, location="query")
    @blp.response(200, RowsPageSchema)
    @blp.doc(security=[{"token": []}, {}])
    def get(self, args: dict[str, Any], name: str, resource_id: str) -> Response:
        """Query rows of a released resource · 按条件查询已发布数据（筛选、排序、游标翻页、分组统计）.

        Errors: 404 when the dataset or resource is not released to the caller; 409 for unknown
        fields or bad filter values; 413 when a page or the working set is too large; 503 when the
        query runs past its time limit.
        """
        result, release = query_rows(name, resource_id, args)
        resp = render_page(result, args["format"], release)
        if request.headers.get("Authorization") or request.cookies:
            resp.headers["Cache-Control"] = "private, no-store"
        return resp
