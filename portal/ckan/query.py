"""CKAN's package_search parameters (Solr-flavoured q and fq) to a SearchQuery."""

from __future__ import annotations

import re
from typing import Any

from catalog.errors import Location, Problem, ValidationFailed
from catalog.search.base import SearchQuery

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
    "title_string asc": "title asc", "title_string desc": "title desc", "title asc": "title asc",
    "title desc": "title desc", "name asc": "name asc",
}
TERM = re.compile(r'(?P<sign>[+-]?)(?P<field>[A-Za-z_]+):(?P<value>"[^"]*"|\S+)')
MAX_ROWS = 1000


def _bad(field: str, zh: str, en: str) -> ValidationFailed:
    return ValidationFailed(zh, en, problems=[Problem("invalid_parameter", zh, en, Location(field=field))])


def _terms(text: str, param: str) -> tuple[list[tuple[str, str]], str]:
    """Split field:value terms (filters) from free text."""
    filters: list[tuple[str, str]] = []
    rest = text
    for m in TERM.finditer(text):
        field, value = m["field"], m["value"].strip('"')
        if field not in FIELDS and field not in ("name", "title", "text", "notes"):
            continue
        if m["sign"] == "-":
            raise _bad(param, f"暂不支持排除条件：{m.group(0)}", f"Negative terms are not supported: {m.group(0)}")
        rest = rest.replace(m.group(0), " ", 1)
        if field in FIELDS:
            filters.append((FIELDS[field], value))
        else:  # name:/title:/text: searches fall back to free text
            rest += " " + value.rstrip("*")
    return filters, " ".join(rest.split())


def _int(params: dict[str, Any], key: str, default: int) -> int:
    try:
        return int(params.get(key, default))
    except (TypeError, ValueError):
        raise _bad(key, f"参数 {key} 必须是整数", f"{key} must be an integer") from None


def search_query(params: dict[str, Any]) -> tuple[SearchQuery, list[str], bool]:
    """Returns the query, the CKAN facet field names asked for, and include_private."""
    q = str(params.get("q") or "").strip()
    if q in ("*:*", "*"):
        q = ""
    filters, text = _terms(q, "q")
    fq = params.get("fq") or ""
    fq_list = params.get("fq_list") or []
    for chunk in [fq, *fq_list]:
        more, leftover = _terms(str(chunk), "fq")
        if leftover and leftover not in ("*:*",):
            raise _bad("fq", f"无法识别的过滤条件：{leftover}", f"Unrecognised filter: {leftover}")
        filters += more
    rows = min(max(_int(params, "rows", 10), 0), MAX_ROWS)
    start = max(_int(params, "start", 0), 0)
    sort_key = str(params.get("sort") or "score desc, metadata_modified desc").split(",")[0].strip().lower()
    if sort_key not in SORTS:
        raise _bad("sort", f"不支持的排序：{sort_key}", f"Unsupported sort: {sort_key}")
    facet_names = _facet_names(params.get("facet.field"))
    facet_limit = _int(params, "facet.limit", 50)
    include_private = str(params.get("include_private", "false")).lower() in ("true", "1", "yes")
    query = SearchQuery(q=text, filters=filters, sort=SORTS[sort_key], start=start, rows=rows,
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
