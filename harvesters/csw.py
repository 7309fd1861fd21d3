"""The ``csw`` source type: OGC CSW 2.0.2 catalogues (GeoNetwork, pycsw, ArcGIS, ...).

GetRecords requests are built here and sent through the injected :class:`HttpClient` (KVP GET), so
the harvest network rules apply; responses are read with lxml.  Records come back as ISO 19139
(``gmd:MD_Metadata``) by default, falling back to Dublin Core (``csw:Record``) when the server
refuses the ISO output schema.  Each hit is yielded as a :class:`RawRecord` holding that one
record's XML; :meth:`CswSourceType.to_record` maps it without touching the network.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from lxml import etree

from harvesters import csw_dc, csw_mapping, iso19139
from harvesters.base import HarvestError, MappedRecord, RawRecord, RecordError, RemoteRef, SourceConfig
from harvesters.http import HttpClient
from harvesters.registry import register_source_type

log = logging.getLogger(__name__)

OUTPUT_SCHEMAS = {"iso19139": "http://www.isotc211.org/2005/gmd", "dc": csw_dc.CSW}
OGC = "http://www.opengis.net/ogc"
OWS = "http://www.opengis.net/ows"
NAMESPACES = f"xmlns(csw={csw_dc.CSW}),xmlns(gmd={OUTPUT_SCHEMAS['iso19139']})"
CONTENT_TYPE = "application/xml"

OPTIONS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "output_schema": {"enum": ["iso19139", "dc"], "default": "iso19139",
                          "title": "记录格式", "x-title-en": "Record schema (falls back to dc)"},
        "page_size": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50,
                      "title": "每页记录数", "x-title-en": "Records per GetRecords page"},
        "constraint": {"type": "string", "minLength": 1,
                       "title": "筛选条件", "x-title-en": "CQL text or an OGC Filter (XML) limiting the records"},
        "typenames": {"type": "string", "minLength": 1, "default": "csw:Record",
                      "title": "记录类型", "x-title-en": "typeNames of the GetRecords query"},
    },
}


class CswSourceType:
    name = "csw"
    options_schema = OPTIONS_SCHEMA

    def list_records(self, source: SourceConfig, since: datetime | None,
                     http: HttpClient) -> Iterator[RemoteRef | RawRecord]:
        schema = OUTPUT_SCHEMAS[source.option("output_schema", "iso19139")]
        try:
            results = _get_records(source, since, http, schema, 1)
        except HarvestError as exc:
            if schema == csw_dc.CSW or exc.code not in ("csw_exception", "harvest_http_error"):
                raise
            log.warning("CSW %s refused ISO 19139 output (%s); falling back to csw:Record", source.url, exc)
            schema = csw_dc.CSW
            results = _get_records(source, since, http, schema, 1)
        start: int | None = 1
        while start is not None:
            yield from _raw_records(source, results, schema)
            start = _next_start(source, results, start)
            if start is not None:
                results = _get_records(source, since, http, schema, start)

    def count(self, source: SourceConfig, since: datetime | None, http: HttpClient) -> int:
        """How many records a harvest will list (a resultType=hits query), for progress reports."""
        schema = OUTPUT_SCHEMAS[source.option("output_schema", "iso19139")]
        params = {**get_records_params(source, since, schema, 1), "resultType": "hits"}
        root = _response_root(source, http.get(source.url, params=params).content)
        results = root.find(f"{{{csw_dc.CSW}}}SearchResults")
        return int(results.get("numberOfRecordsMatched") or 0) if results is not None else 0

    def fetch(self, source: SourceConfig, ref: RemoteRef, http: HttpClient) -> RawRecord:
        schema = OUTPUT_SCHEMAS[source.option("output_schema", "iso19139")]
        params = {"service": "CSW", "version": "2.0.2", "request": "GetRecordById", "id": ref.remote_id,
                  "outputSchema": schema, "elementSetName": "full"}
        root = _response_root(source, http.get(source.url, params=params).content)
        records = list(root)
        if not records:
            raise RecordError(f"目录服务中找不到记录：{ref.remote_id}", f"the CSW has no record {ref.remote_id}",
                              code="csw_record_not_found")
        return _raw_record(source, records[0], schema)

    def to_record(self, raw: RawRecord, source: SourceConfig) -> MappedRecord:
        try:
            root = csw_mapping.parse_xml(raw.content)
        except (etree.XMLSyntaxError, ValueError) as exc:
            return MappedRecord({}, [csw_mapping.bad_xml(raw.remote_id, str(exc))])
        if etree.QName(root).localname == "GetRecordByIdResponse" and len(root):
            root = root[0]
        if iso19139.is_iso(root):
            return iso19139.map_iso(root, raw.remote_id, source)
        if csw_dc.is_dc(root):
            return csw_dc.map_dc(root, raw.remote_id, source)
        return MappedRecord({}, [csw_mapping.unknown_record(raw.remote_id, etree.QName(root).text)])


# ---------------------------------------------------------------- GetRecords

def get_records_params(source: SourceConfig, since: datetime | None, schema: str,
                       start: int) -> dict[str, Any]:
    """KVP parameters of one GetRecords page (public so tests can pin the request)."""
    params: dict[str, Any] = {
        "service": "CSW", "version": "2.0.2", "request": "GetRecords",
        "typeNames": source.option("typenames", "csw:Record"), "namespace": NAMESPACES,
        "resultType": "results", "elementSetName": "full", "outputSchema": schema,
        "startPosition": start, "maxRecords": int(source.option("page_size", 50)),
    }
    params.update(constraint_params(source.option("constraint"), since, _modified_property(source)))
    return params


def constraint_params(constraint: str | None, since: datetime | None, prop: str) -> dict[str, str]:
    """The constraint KVP: the configured one, AND-ed with ``prop >= since`` for incremental runs."""
    if not constraint and since is None:
        return {}
    day = since.date().isoformat() if since else None  # whole days: catalogues store dates, not instants
    if constraint and not constraint.lstrip().startswith("<"):
        # Some servers (pycsw) reject parentheses in CQL; they are needed only to keep an OR together.
        grouped = f"({constraint})" if re.search(r"\bOR\b", constraint, re.I) else constraint
        text = f"{grouped} AND {prop} >= '{day}'" if day else constraint
        return {"constraintLanguage": "CQL_TEXT", "constraint_language_version": "1.1.0", "constraint": text}
    parts = _filter_children(constraint) if constraint else []
    if day:
        parts.append(_since_filter(prop, day))
    body = parts[0] if len(parts) == 1 else f"<ogc:And>{''.join(parts)}</ogc:And>"
    return {"constraintLanguage": "FILTER", "constraint_language_version": "1.1.0",
            "constraint": f'<ogc:Filter xmlns:ogc="{OGC}">{body}</ogc:Filter>'}


def _since_filter(prop: str, day: str) -> str:
    return (f"<ogc:PropertyIsGreaterThanOrEqualTo><ogc:PropertyName>{prop}</ogc:PropertyName>"
            f"<ogc:Literal>{day}</ogc:Literal></ogc:PropertyIsGreaterThanOrEqualTo>")


def _filter_children(constraint: str) -> list[str]:
    """The predicates of a configured OGC filter, re-serialized so they can be AND-ed with others."""
    try:
        root = csw_mapping.parse_xml(constraint.strip().encode("utf-8"))
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise HarvestError(f"筛选条件不是合法的 OGC Filter XML：{exc}", f"constraint is not valid OGC Filter XML: {exc}",
                           code="csw_bad_constraint") from exc
    nodes = list(root) if etree.QName(root).localname == "Filter" else [root]
    return [etree.tostring(n, encoding="unicode", with_tail=False) for n in nodes]


def _modified_property(source: SourceConfig) -> str:
    return "apiso:Modified" if "gmd:" in str(source.option("typenames", "")) else "dct:modified"


def _get_records(source: SourceConfig, since: datetime | None, http: HttpClient, schema: str,
                 start: int) -> etree._Element:
    response = http.get(source.url, params=get_records_params(source, since, schema, start))
    root = _response_root(source, response.content)
    results = root.find(f"{{{csw_dc.CSW}}}SearchResults")
    if results is None:
        raise HarvestError(f"目录服务返回的不是 GetRecords 结果：{source.url}",
                           f"the CSW response has no csw:SearchResults: {source.url}", code="csw_bad_response")
    return results


def _response_root(source: SourceConfig, content: bytes) -> etree._Element:
    try:
        root = csw_mapping.parse_xml(content)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise HarvestError(f"目录服务返回的内容不是合法 XML：{source.url}（{exc}）",
                           f"the CSW response is not well-formed XML: {source.url} ({exc})",
                           code="csw_bad_response") from exc
    if etree.QName(root).localname == "ExceptionReport":
        codes = ", ".join(e.get("exceptionCode", "") for e in root.iter(f"{{{OWS}}}Exception"))
        text = " ".join(" ".join("".join(e.itertext()).split()) for e in root.iter(f"{{{OWS}}}ExceptionText"))
        raise HarvestError(f"目录服务拒绝了请求（{codes}）：{text}", f"the CSW refused the request ({codes}): {text}",
                           code="csw_exception")
    return root


def _next_start(source: SourceConfig, results: etree._Element, start: int) -> int | None:
    matched = int(results.get("numberOfRecordsMatched") or 0)
    returned = int(results.get("numberOfRecordsReturned") or len(results))
    following = int(results.get("nextRecord") or 0)
    if following == 0 or returned == 0 or following > matched:
        return None
    if following <= start:
        raise HarvestError(f"目录服务的分页没有前进（nextRecord={following}）：{source.url}",
                           f"CSW paging does not advance (nextRecord={following}): {source.url}",
                           code="csw_bad_paging")
    return following


def _raw_records(source: SourceConfig, results: etree._Element, schema: str) -> Iterator[RawRecord]:
    for element in results:
        if isinstance(element.tag, str):
            yield _raw_record(source, element, schema)


def _raw_record(source: SourceConfig, element: etree._Element, schema: str) -> RawRecord:
    # Without the tail, a record's bytes do not depend on its position in the page.
    content = etree.tostring(element, encoding="utf-8", xml_declaration=True, with_tail=False)
    if iso19139.is_iso(element):
        remote_id, changed = iso19139.identifier(element), iso19139.modified(element)
    else:
        remote_id, changed = csw_dc.identifier(element), csw_dc.modified(element)
    # A record without an identifier still goes through, under a content-derived id, so its
    # mapping can report the missing identifier against something the clerk can find.
    remote_id = remote_id or f"sha256-{hashlib.sha256(content).hexdigest()[:16]}"
    url = source.url + ("&" if "?" in source.url else "?") + urlencode({"service": "CSW", "version": "2.0.2", "request": "GetRecordById",
                                        "id": remote_id, "outputSchema": schema, "elementSetName": "full"})
    return RawRecord(remote_id, content, CONTENT_TYPE, url, csw_mapping.parse_datetime(changed))


register_source_type(CswSourceType())
