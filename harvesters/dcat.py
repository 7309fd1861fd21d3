"""DCAT / DCAT-AP catalogues in Turtle, RDF/XML and JSON-LD, with Hydra paging (rdflib).

Each dcat:Dataset becomes one raw record: its description (the dataset node and the nodes hanging
off it: distributions, publisher, contact, temporal, spatial) as canonical, sorted N-Triples, so the
content hash changes exactly when the description does.  Remote JSON-LD contexts are loaded through
the harvest HTTP client (never by rdflib behind our back), optionally redirected by the
``jsonld_contexts`` option.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

from rdflib import RDF, BNode, Graph, Namespace, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Node, _is_valid_uri

from harvesters.base import HarvestError, MappedRecord, RawRecord, RemoteRef, SourceConfig, problem
from harvesters.dcat_mapping import DCAT, dataset_modified, map_dataset, remote_id_of
from harvesters.http import HttpClient, Response
from harvesters.registry import register_source_type

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
ERROR_TYPE = "application/x-harvest-error"
FORMATS = {"text/turtle": "turtle", "application/x-turtle": "turtle", "application/rdf+xml": "xml",
           "application/xml": "xml", "text/xml": "xml", "application/ld+json": "json-ld",
           "application/json": "json-ld", "application/n-triples": "nt"}
EXTENSIONS = {".ttl": "turtle", ".rdf": "xml", ".xml": "xml", ".owl": "xml", ".jsonld": "json-ld",
              ".json": "json-ld", ".nt": "nt"}
STOP_TYPES = {DCAT.Dataset, DCAT.Catalog, DCAT.DatasetSeries, DCAT.CatalogRecord}
MAX_DEPTH = 3


def rdf_format(source: SourceConfig, url: str, content_type: str) -> str:
    if source.option("format"):
        return str(source.option("format"))
    media = content_type.split(";")[0].strip().lower()
    if media in FORMATS:
        return FORMATS[media]
    path = url.split("?")[0].lower()
    return next((f for ext, f in EXTENSIONS.items() if path.endswith(ext)), "xml")


def _inline_contexts(data: bytes, source: SourceConfig, http: HttpClient) -> bytes:
    """Replace remote @context URLs with their content, fetched through the harvest HTTP client."""
    doc = json.loads(data)
    mapping = source.option("jsonld_contexts") or {}

    def resolve(ctx: Any) -> Any:
        if isinstance(ctx, str) and ctx.startswith(("http://", "https://")):
            loaded = http.get(mapping.get(ctx, ctx)).json()
            return loaded.get("@context", loaded) if isinstance(loaded, dict) else loaded
        if isinstance(ctx, list):
            return [resolve(c) for c in ctx]
        return ctx

    if isinstance(doc, dict) and "@context" in doc:
        doc["@context"] = resolve(doc["@context"])
    return json.dumps(doc).encode()


def parse_page(resp: Response, source: SourceConfig, http: HttpClient) -> Graph:
    fmt = rdf_format(source, resp.url, resp.content_type)
    graph = Graph()
    try:
        data = _inline_contexts(resp.content, source, http) if fmt == "json-ld" else resp.content
        with warnings.catch_warnings():
            # rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph internally.
            warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
            graph.parse(data=data, format=fmt, publicID=resp.url)
    except HarvestError:
        raise
    except Exception as exc:  # rdflib raises many kinds; all mean the page is not readable RDF
        raise HarvestError(f"无法解析 RDF（{fmt}）：{resp.url}：{exc}",
                           f"could not parse RDF ({fmt}) at {resp.url}: {type(exc).__name__}: {exc}",
                           code="harvest_parse_error") from exc
    return graph


def next_page(graph: Graph, current: str) -> str | None:
    for pred in (HYDRA.nextPage, HYDRA.next):
        for value in graph.objects(None, pred):
            url = str(value)
            if url and url != current:
                return url
    return None


def describe(graph: Graph, root: Node) -> Graph:
    """The dataset node and what hangs off it, without wandering into other datasets."""
    out = Graph()
    seen = {root}
    frontier = [(root, 0)]
    while frontier:
        node, depth = frontier.pop()
        for p, o in graph.predicate_objects(node):
            out.add((node, p, o))
            if depth + 1 >= MAX_DEPTH or o in seen or not isinstance(o, URIRef | BNode):
                continue
            if set(graph.objects(o, RDF.type)) & STOP_TYPES:
                continue
            seen.add(o)
            frontier.append((o, depth + 1))
    return out


def _safe(node: Node) -> Node:
    if isinstance(node, URIRef) and not _is_valid_uri(str(node)):
        return URIRef(quote(str(node), safe=":/?#[]@!$&'()*+,;=%~"))
    return node


def canonical_bytes(graph: Graph) -> bytes:
    clean = Graph()
    for s, p, o in graph:
        clean.add((_safe(s), _safe(p), _safe(o)))
    text = to_canonical_graph(clean).serialize(format="nt")
    return "\n".join(sorted(line for line in text.splitlines() if line.strip())).encode() + b"\n"


class DcatSource:
    name = "dcat"
    options_schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "format": {"enum": ["turtle", "xml", "json-ld", "nt"]},
            "jsonld_contexts": {"type": "object", "additionalProperties": {"type": "string"}},
            "max_pages": {"type": "integer", "minimum": 1},
            "include_series": {"type": "boolean"},
        },
        "additionalProperties": False,
    }

    def list_records(self, source: SourceConfig, since: datetime | None,
                     http: HttpClient) -> Iterator[RemoteRef | RawRecord]:
        url: str | None = source.url
        pages = 0
        visited: set[str] = set()
        while url and url not in visited and pages < int(source.option("max_pages", 10000)):
            visited.add(url)
            pages += 1
            resp = http.get(url)
            graph = parse_page(resp, source, http)
            yield from self._records(graph, source, resp.url)
            url = next_page(graph, url)

    def _records(self, graph: Graph, source: SourceConfig, page_url: str) -> Iterator[RawRecord]:
        types = [DCAT.Dataset] + ([DCAT.DatasetSeries] if source.option("include_series") else [])
        roots = sorted({s for t in types for s in graph.subjects(RDF.type, t)}, key=str)
        for root in roots:
            sub = describe(graph, root)
            remote_id = remote_id_of(sub, root)
            url = str(root) if isinstance(root, URIRef) else page_url
            try:
                content = canonical_bytes(sub)
            except Exception as exc:  # one unserializable description is that record's error, not the job's
                yield RawRecord(remote_id, str(exc).encode(), ERROR_TYPE, url, None)
                continue
            yield RawRecord(remote_id, content, "application/n-triples", url, dataset_modified(sub, root))

    def fetch(self, source: SourceConfig, ref: RemoteRef, http: HttpClient) -> RawRecord:
        for raw in self.list_records(source, None, http):
            if isinstance(raw, RawRecord) and raw.remote_id == ref.remote_id:
                return raw
        raise HarvestError(f"目录中找不到记录 {ref.remote_id}", f"record {ref.remote_id} not in catalogue",
                           code="harvest_record_missing")

    def to_record(self, raw: RawRecord, source: SourceConfig) -> MappedRecord:
        if raw.content_type == ERROR_TYPE:
            msg = raw.content.decode("utf-8", "replace")
            return MappedRecord({}, [problem("harvest_parse_error", f"数据集描述无法读取：{msg}",
                                             f"dataset description unreadable: {msg}", raw.remote_id)])
        graph = Graph()
        graph.parse(data=raw.content, format="nt")
        roots = [s for s in graph.subjects(RDF.type, DCAT.Dataset)] or \
                [s for s in graph.subjects(RDF.type, DCAT.DatasetSeries)]
        if not roots:
            return MappedRecord({}, [problem("harvest_parse_error", "记录中没有 dcat:Dataset",
                                             "no dcat:Dataset in record", raw.remote_id)])
        root = next((r for r in roots if not any(graph.subjects(DCAT.dataset, r))), roots[0])
        return map_dataset(graph, root, raw, source)


register_source_type(DcatSource())
