"""CKAN's package_search parameters (Solr-flavoured q and fq) to a SearchQuery.

``fq`` (and ``fq_list``) is a filter of field conditions combined with AND, OR, NOT, ``-`` and
parentheses, including time ranges; ``q`` is free text plus, at its top level, field conditions
that narrow it.  Unknown fields and unsupported combinations are refused with a message naming the
parameter, never silently ignored: a harvester must not think it filtered when it did not."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from catalog.errors import Location, Problem, ValidationFailed
from catalog.search.base import AllOf, AnyOf, Exists, Filter, Not, Range, SearchQuery, Term

from . import solr
from .solr_time import solr_time

# CKAN field name -> search document field
FIELDS = {
    "organization": "org", "owner_org": "org", "tags": "tags", "groups": "themes", "res_format": "formats",
    "license_id": "license_id", "districts": "districts", "update_cycle": "update_cycle",
    "open_type": "open_type", "themes": "themes", "state": "state",
}
FACET_FIELDS = tuple(FIELDS)
SORTS = {
    "score desc": "relevance", "relevance": "relevance", "rank": "relevance",
    "metadata_modified desc": "modified desc", "metadata_modified asc": "modified asc",
    "metadata_created desc": "created desc", "metadata_created asc": "created asc",
    "title_string asc": "title asc", "title_string desc": "title desc", "title asc": "title asc",
    "title desc": "title desc", "name asc": "name asc", "name desc": "name desc",
    "id asc": "id asc", "id desc": "id desc",
}
MAX_ROWS = 1000
# Fields whose condition is text to search rather than a filter (in ``q`` only, as CKAN's ``text``).
TEXT_FIELDS = ("title", "notes", "text", "title_en")
TIME_FIELDS = {"metadata_modified": "modified", "metadata_created": "created"}
# Exact-value fields that are not facets: one dataset by name or id.
KEY_FIELDS = {"name": "name", "id": "id"}
# Every CKAN dataset here is of type "dataset": a condition on the type either keeps all or none.
TYPE_FIELDS = ("dataset_type", "type")


def _bad(field: str, zh: str, en: str) -> ValidationFailed:
    return ValidationFailed(zh, en, problems=[Problem("invalid_parameter", zh, en, Location(field=field))])


def _known_fields() -> str:
    return ", ".join([*FIELDS, *KEY_FIELDS, *TIME_FIELDS, *TYPE_FIELDS])


def _value_filter(name: str, value: str) -> Filter:
    """One ``field:value`` condition on an exact-value field."""
    if name in TYPE_FIELDS:
        return AllOf(()) if value in ("dataset", "*") else AnyOf(())
    field = FIELDS.get(name) or KEY_FIELDS[name]
    if value == "*":
        return Exists(field)
    if field == "formats":
        value = value.upper()                            # the index keeps formats upper-case
    return Term(field, value)


def _filter(node: solr.Node, param: str) -> Filter:
    """A query tree of field conditions only, as a filter expression."""
    if isinstance(node, solr.Everything):
        return AllOf(())
    if isinstance(node, solr.Negated):
        return Not(_filter(node.part, param))
    if isinstance(node, solr.And | solr.Or):
        parts = tuple(_filter(part, param) for part in node.parts)
        return AllOf(parts) if isinstance(node, solr.And) else AnyOf(parts)
    if isinstance(node, solr.Text):
        raise _bad(param, f"{param} 中的“{node.value}”缺少字段名，应写成“字段:取值”",
                   f"{node.value!r} in {param} has no field; write field:value")
    return _field_filter(node, param)


def _field_filter(node: solr.Field, param: str) -> Filter:
    name = node.name
    if name in TIME_FIELDS:
        return _time_filter(TIME_FIELDS[name], node.value, param)
    if name not in FIELDS and name not in KEY_FIELDS and name not in TYPE_FIELDS:
        raise _bad(param, f"不能按字段“{name}”筛选，可用字段：{_known_fields()}",
                   f"Cannot filter on field {name!r}; known fields: {_known_fields()}")
    if isinstance(node.value, solr.Bounds):
        raise _bad(param, f"字段“{name}”不支持范围条件", f"Field {name!r} takes no range")
    if isinstance(node.value, str):
        return _value_filter(name, node.value)
    return _values_filter(name, node.value, param)


def _values_filter(name: str, node: solr.Node, param: str) -> Filter:
    """``tags:(a OR b -c)``: the field applied to every word of the group."""
    if isinstance(node, solr.Text):
        return _value_filter(name, node.value)
    if isinstance(node, solr.Negated):
        return Not(_values_filter(name, node.part, param))
    if isinstance(node, solr.And | solr.Or):
        parts = tuple(_values_filter(name, part, param) for part in node.parts)
        return AllOf(parts) if isinstance(node, solr.And) else AnyOf(parts)
    raise _bad(param, f"字段“{name}”的括号内只能是取值", f"Only values may stand inside {name}:( )")


def _time_filter(field: str, value: str | solr.Bounds | solr.Node, param: str) -> Filter:
    if isinstance(value, solr.Bounds):
        lower, upper = (None if b == "*" else _moment(b, param) for b in (value.lower, value.upper))
        if lower is None and upper is None:
            return AllOf(())
        return Range(field, lower, upper, value.include_lower, value.include_upper)
    if isinstance(value, str):
        if value == "*":
            return AllOf(())
        moment = _moment(value, param)
        return Range(field, moment, moment)
    raise _bad(param, "时间字段的取值应为时间或范围", "A time field takes a time or a range")


def _moment(text: str, param: str) -> datetime:
    try:
        return solr_time(text, datetime.now(UTC))
    except ValueError:
        raise _bad(param, f"无法识别的时间：{text}（应为 ISO 8601 时间，如 2026-11-30T08:00:00Z，或 NOW-1DAY）",
                   f"Unrecognised time {text!r} (ISO 8601 such as 2026-11-30T08:00:00Z, or NOW-1DAY)") from None


def _split_q(node: solr.Node | None) -> tuple[list[str], list[Filter]]:
    """``q``: (free-text pieces, filters).  Field conditions at the top level become filters; words,
    phrases and title:/notes:/text: conditions are searched as text."""
    if node is None or isinstance(node, solr.Everything):
        return [], []
    parts = list(_conjuncts(node))
    words: list[str] = []
    filters: list[Filter] = []
    for part in parts:
        if isinstance(part, solr.Text):
            words.append(part.value)
        elif isinstance(part, solr.Field) and part.name in TEXT_FIELDS:
            words += _text_of(part.value)
        elif isinstance(part, solr.Everything):
            continue
        elif _has_text(part):
            raise _bad("q", "q 中的自由文本不能与 OR、NOT 或 - 组合，请把字段条件放进 fq",
                       "Free text in q cannot be combined with OR, NOT or -; put field conditions in fq")
        else:
            filters.append(_filter(part, "q"))
    return words, filters


def _conjuncts(node: solr.Node) -> Iterator[solr.Node]:
    if isinstance(node, solr.And):
        for part in node.parts:
            yield from _conjuncts(part)
    else:
        yield node


def _text_of(value: str | solr.Bounds | solr.Node) -> list[str]:
    if isinstance(value, str):
        return [value.rstrip("*")]
    if isinstance(value, solr.Text):
        return [value.value.rstrip("*")]
    if isinstance(value, solr.And):
        return [word for part in value.parts for word in _text_of(part)]
    raise _bad("q", "标题、说明等文本字段只支持词语，不支持范围、OR 或排除",
               "Text fields (title, notes, text) take words only: no ranges, OR or exclusions")


def _has_text(node: solr.Node) -> bool:
    if isinstance(node, solr.Text):
        return True
    if isinstance(node, solr.Field):
        return node.name in TEXT_FIELDS
    if isinstance(node, solr.Negated):
        return _has_text(node.part)
    if isinstance(node, solr.And | solr.Or):
        return any(_has_text(part) for part in node.parts)
    return False


def _int(params: dict[str, Any], key: str, default: int) -> int:
    try:
        return int(params.get(key, default))
    except (TypeError, ValueError):
        raise _bad(key, f"参数 {key} 必须是整数", f"{key} must be an integer") from None


def search_query(params: dict[str, Any]) -> tuple[SearchQuery, list[str], bool]:
    """Returns the query, the CKAN facet field names asked for, and include_private."""
    q = str(params.get("q") or "").strip()
    # As CKAN does: a q without a colon is plain text (its characters mean nothing special); with
    # one, it is Lucene syntax whose field conditions narrow the text.
    words, filters = _split_q(solr.parse(q, "q")) if ":" in q else ([q], [])
    fq_list = params.get("fq_list") or []
    if isinstance(fq_list, str):
        fq_list = [fq_list]
    for param, chunk in [("fq", params.get("fq") or ""), *(("fq_list", c) for c in fq_list)]:
        node = solr.parse(str(chunk), param)
        if node is not None:
            filters.append(_filter(node, param))
    rows = min(max(_int(params, "rows", 10), 0), MAX_ROWS)
    start = max(_int(params, "start", 0), 0)
    sort_key = " ".join(str(params.get("sort") or "score desc, metadata_modified desc").split(",")[0].split()).lower()
    if sort_key not in SORTS:
        raise _bad("sort", f"不支持的排序：{sort_key}，可用：{', '.join(SORTS)}",
                   f"Unsupported sort: {sort_key}; choose one of {', '.join(SORTS)}")
    facet_names = _facet_names(params.get("facet.field"))
    facet_limit = _int(params, "facet.limit", 50)
    include_private = str(params.get("include_private", "false")).lower() in ("true", "1", "yes")
    where = None if not filters else filters[0] if len(filters) == 1 else AllOf(tuple(filters))
    query = SearchQuery(q=" ".join(words), where=where, sort=SORTS[sort_key], start=start, rows=rows,
                        facet_fields=[FIELDS[f] for f in facet_names], facet_limit=facet_limit)
    return query, facet_names, include_private


def _facet_names(raw: Any) -> list[str]:
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        import json

        try:
            raw = json.loads(raw)
        except ValueError:
            raw = [raw]
    names = [str(n) for n in raw]
    unknown = [n for n in names if n not in FIELDS]
    if unknown:
        raise _bad("facet.field", f"不支持的分面字段：{', '.join(unknown)}", f"Unsupported facet fields: {unknown}")
    return names


def with_org_names(expr: Filter | None, name_of_id: Mapping[str, str]) -> Filter | None:
    """``expr`` with department ids turned into names: clients write ``owner_org:<id>`` (CKAN's
    dataset field holds the id), while the index keeps the department's name."""
    if expr is None or not name_of_id:
        return expr
    if isinstance(expr, Term):
        return Term(expr.field, name_of_id.get(expr.value, expr.value)) if expr.field == "org" else expr
    if isinstance(expr, Not):
        return Not(with_org_names(expr.part, name_of_id) or expr.part)
    if isinstance(expr, AllOf | AnyOf):
        return type(expr)(tuple(with_org_names(part, name_of_id) or part for part in expr.parts))
    return expr
