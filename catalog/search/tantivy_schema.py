"""The Tantivy schema and the mapping of index-document dicts onto it.

Text is analysed in Python (``analysis``) and handed to Tantivy as space-joined, already lowercased
tokens under the built-in ``whitespace`` tokenizer, so opening the index needs no tokenizer
registration and any process can read it.  Exact-value fields use the ``raw`` tokenizer and are fast
fields, which makes them usable for filters, terms aggregations and sorting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import tantivy
import yaml

import schemas

from .analysis import cjk_bigrams, tokenize
from .base import FACET_FIELDS

# Bump whenever the fields or their analysis change: an index built by another version is rebuilt.
SCHEMA_VERSION = 1
# Word fields (segmented) and their CJK-bigram twins.
TEXT_FIELDS = ("title", "kw", "body")
BIGRAM_FIELDS = ("title_bi", "body_bi")
VOCAB = Path(schemas.__file__).resolve().parent / "vocab"


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("name", fast=True, tokenizer_name="raw")
    sb.add_text_field("title_sort", fast=True, tokenizer_name="raw")
    for name in (*TEXT_FIELDS, *BIGRAM_FIELDS):
        sb.add_text_field(name, tokenizer_name="whitespace")
    for name in sorted(FACET_FIELDS):
        sb.add_text_field(name, fast=True, tokenizer_name="raw")
    sb.add_date_field("modified", indexed=True, fast=True)
    sb.add_date_field("created", indexed=True, fast=True)
    return sb.build()


@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    """Theme slugs and district codes → Chinese names, so 大气 or 渝中区 find datasets tagged air / 500103."""
    labels: dict[str, str] = {}
    for vocab in ("themes", "districts"):
        data = yaml.safe_load((VOCAB / f"{vocab}.yaml").read_text(encoding="utf-8"))
        labels.update({str(e["id"]): str(e["zh"]) for e in data["entries"]})
    return labels


def _values(value: Any) -> list[str]:
    """A scalar or list as distinct non-empty strings (a repeated value must not count twice in facets)."""
    items = value if isinstance(value, list | tuple | set | frozenset) else [value]
    return list(dict.fromkeys(str(v) for v in items if v is not None and str(v) != ""))


def _joined(texts: Iterable[str], analyser: Any) -> str:
    return " ".join(token for text in texts if text for token in analyser(text))


def _utc(value: datetime) -> datetime:
    # Index documents should carry aware datetimes; a naive one is taken to be UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _texts(doc: Mapping[str, Any]) -> dict[str, list[str]]:
    """The raw strings behind each analysed field: title beats keywords beats everything else."""
    labels = _labels()
    codes = [*_values(doc.get("themes")), *_values(doc.get("districts"))]
    keywords = [*_values(doc.get("keywords")), *_values(doc.get("tags"))]
    return {
        "title": [str(doc.get("title") or ""), str(doc.get("title_en") or "")],
        "kw": keywords,
        "body": [str(doc.get("description") or ""), str(doc.get("org_title") or ""),
                 *_values(doc.get("elements")), *(labels.get(c, "") for c in codes),
                 str(doc.get("name") or "").replace("-", " "), str(doc.get("resource_code") or "")],
    }


def to_document(doc: Mapping[str, Any]) -> tantivy.Document:
    """One catalogue index document (see ``base.DOC_FIELDS``) as a Tantivy document."""
    texts = _texts(doc)
    fields: dict[str, Any] = {"id": str(doc["id"]), "name": str(doc.get("name") or ""),
                              "title_sort": str(doc.get("title") or "").casefold()}
    for name in TEXT_FIELDS:
        fields[name] = _joined(texts[name], tokenize)
    fields["title_bi"] = _joined(texts["title"], cjk_bigrams)
    fields["body_bi"] = _joined([*texts["kw"], *texts["body"]], cjk_bigrams)
    code = str(doc.get("resource_code") or "")
    if code:
        fields["body"] += " " + code.lower()
    for name in FACET_FIELDS:
        values = _values(doc.get(name))
        if values:
            fields[name] = values
    for name in ("modified", "created"):
        if isinstance(doc.get(name), datetime):
            fields[name] = _utc(doc[name])
    return tantivy.Document(**fields)
