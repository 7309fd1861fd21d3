"""Department databases reached by a SQLAlchemy URL: each configured table or query becomes a dataset
with one distribution (the table, addressed by the database URL without its password), its columns
becoming data elements and an inline Table Schema.

Options: ``tables`` (names, optionally ``schema.table``) and/or ``queries`` ({name: SELECT …}), and
``titles`` ({name: 中文标题}).  The raw record is the table's structure plus its row count (and the
largest value of ``modified_column`` when given), so a changed table is re-harvested and an
unchanged one costs one COUNT.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from harvesters.base import (
    HarvestError,
    MappedRecord,
    RawRecord,
    RecordError,
    RemoteRef,
    SourceConfig,
    harvest_extras,
)
from harvesters.common import clip, themes_for
from harvesters.http import HttpClient, is_private_host
from harvesters.registry import register_source_type

TYPES = (("BIGINT", "I"), ("INT", "I"), ("NUMERIC", "N"), ("DECIMAL", "N"), ("FLOAT", "F"), ("DOUBLE", "B"),
         ("REAL", "F"), ("TIMESTAMP", "T"), ("DATETIME", "T"), ("DATE", "D"), ("TIME", "T"), ("BOOL", "L"),
         ("TEXT", "M"), ("CLOB", "M"), ("BLOB", "G"), ("BYTEA", "G"), ("CHAR", "C"), ("STRING", "C"))
SCHEMA_TYPES = {"I": "integer", "N": "number", "F": "number", "B": "number", "T": "datetime", "D": "date",
                "L": "boolean"}


def element_type(sql_type: str) -> str:
    upper = sql_type.upper()
    return next((code for key, code in TYPES if key in upper), "C")


def public_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True).replace("***", "")


class SqlSource:
    name = "sql"
    options_schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "tables": {"type": "array", "items": {"type": "string", "minLength": 1}},
            "queries": {"type": "object", "additionalProperties": {"type": "string", "pattern": "(?i)^\\s*(select|with)\\b"}},
            "titles": {"type": "object", "additionalProperties": {"type": "string"}},
            "modified_column": {"type": "string"},
        },
        "anyOf": [{"required": ["tables"]}, {"required": ["queries"]}],
        "additionalProperties": False,
    }

    def _engine(self, source: SourceConfig) -> sa.Engine:
        try:
            return sa.create_engine(source.url)
        except Exception as exc:  # bad URL or missing driver: the source cannot be harvested at all
            raise HarvestError(f"数据库地址无效：{exc}", f"invalid database URL: {exc}", code="harvest_bad_url") from exc

    def _check_allowed(self, source: SourceConfig) -> None:
        url = make_url(source.url)
        local = url.get_backend_name() == "sqlite" or not url.host or is_private_host(url.host)
        if local and not source.allow_private:
            raise HarvestError("数据库位于本机或内网，需在来源上明确允许（allow_private）",
                               "the database is local or on a private network; the source must allow it",
                               code="harvest_private_address")

    def list_records(self, source: SourceConfig, since: datetime | None,
                     http: HttpClient) -> Iterator[RemoteRef | RawRecord]:
        self._check_allowed(source)
        engine = self._engine(source)
        try:
            with engine.connect():
                pass
        except sa.exc.SQLAlchemyError as exc:
            engine.dispose()
            raise HarvestError(f"无法连接数据库：{exc.__class__.__name__}", f"cannot connect to the database: {exc}",
                               code="harvest_connect_error") from exc
        engine.dispose()
        for table in source.option("tables") or []:
            yield RemoteRef(f"table:{table}", None, f"{public_url(source.url)}#{table}")
        for name in sorted(source.option("queries") or {}):
            yield RemoteRef(f"query:{name}", None, f"{public_url(source.url)}#{name}")

    def fetch(self, source: SourceConfig, ref: RemoteRef, http: HttpClient) -> RawRecord:
        kind, _, name = ref.remote_id.partition(":")
        engine = self._engine(source)
        try:
            with engine.connect() as conn:
                described = self._describe(conn, kind, name, source)
        except sa.exc.SQLAlchemyError as exc:
            raise RecordError(f"{kind} {name} 读取失败：{exc.__class__.__name__}: {str(exc).splitlines()[0]}",
                              f"{kind} {name} could not be read: {exc}", code="harvest_sql_error") from exc
        finally:
            engine.dispose()
        return RawRecord(ref.remote_id, json.dumps(described, sort_keys=True, ensure_ascii=False, default=str).encode(),
                         "application/json", ref.url, None)

    def _describe(self, conn: sa.Connection, kind: str, name: str, source: SourceConfig) -> dict[str, Any]:
        if kind == "table":
            schema, _, table_name = name.rpartition(".")
            table = sa.Table(table_name, sa.MetaData(), schema=schema or None, autoload_with=conn)
            columns = [{"name": c.name, "type": str(c.type), "comment": c.comment} for c in table.columns]
            body = sa.select(table).subquery()
        else:
            body = sa.text(source.option("queries")[name]).columns().subquery("q")
            probe = conn.execute(sa.text(f"SELECT * FROM ({source.option('queries')[name]}) AS q LIMIT 0"))
            columns = [{"name": str(c), "type": "", "comment": None} for c in probe.keys()]  # noqa: SIM118
        out: dict[str, Any] = {"kind": kind, "name": name, "columns": columns,
                               "rows": conn.execute(sa.select(sa.func.count()).select_from(body)).scalar_one()}
        column = source.option("modified_column")
        if column and column in {c["name"] for c in columns}:
            out["latest"] = conn.execute(sa.select(sa.func.max(sa.column(column))).select_from(body)).scalar_one()
        return out

    def to_record(self, raw: RawRecord, source: SourceConfig) -> MappedRecord:
        d = json.loads(raw.content)
        title = (source.option("titles") or {}).get(d["name"]) or d["name"]
        els = [{k: v for k, v in (("name", c["name"][:200]), ("type", element_type(c["type"])),
                                  ("description", c.get("comment"))) if v} for c in d["columns"]]
        schema = {"fields": [{"name": e["name"], "type": SCHEMA_TYPES.get(e["type"], "string")} for e in els]}
        resource = {"name": clip(f"{d['name']}（数据库{'表' if d['kind'] == 'table' else '查询'}）", 500),
                    "url": raw.url or public_url(source.url), "format": "SQL", "table_schema": schema}
        record = {"title": clip(title, 200),
                  "description": f"{title}：部门数据库{'表' if d['kind'] == 'table' else '查询'} {d['name']}，"
                                 f"{len(els)} 个信息项，{d['rows']} 条记录。",
                  "themes": themes_for(source, [d["name"], title]), "data_elements": els, "resources": [resource],
                  "resource_format": {"category": "数据库", "type": make_url(source.url).get_backend_name()},
                  "share_method": {"category": "共享平台方式", "type": "数据库"},
                  "extras": harvest_extras({"sql_kind": d["kind"], "sql_name": d["name"], "sql_rows": d["rows"],
                                            "sql_latest": d.get("latest")})}
        return MappedRecord(record)


register_source_type(SqlSource())
