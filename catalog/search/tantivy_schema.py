"""The Tantivy schema and the mapping of index-document dicts onto it.

Text is analysed in Python (``analysis``) and handed to Tantivy as space-joined, already lowercased
tokens under the built-in ``whitespace`` tokenizer, so opening the index needs no tokenizer
registration and any process can read it.  Exact-value fields use the ``raw`` tokenizer and are fast
fields, which makes them usable for filters, terms aggregations and sorting.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
import tantivy
import yaml

import schemas

from .analysis import (
    PINYIN_PATH,
    SYNONYMS_PATH,
    bigrams_normalized,
    normalize,
    segment_pieces,
    title_collation,
)
from .base import FACET_FIELDS, microseconds

# Bump whenever the fields or their analysis change: an index built by another version is rebuilt.
SCHEMA_VERSION = 6
# Word fields (segmented): term frequencies only, as no phrase is ever asked of them.
TEXT_FIELDS = ("title", "kw", "body")
# CJK bigrams of the title, with positions so a longer word can be matched as a run of bigrams.
# Only the title gets them: for the other fields search-mode segmentation covers partial words, and
# bigrams of long descriptions would double the indexing cost.
BIGRAM_FIELDS = ("title_bi",)
# Index document time → (microseconds field for ranges, text field for tie-free sorting).
TIME_FIELDS = {"modified": "modified_us", "created": "created_us"}
VOCAB = Path(schemas.__file__).resolve().parent / "vocab"


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("name", stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    # Sort keys end with the dataset's name, so no two documents tie: every process, whatever the
    # order its indexing threads added documents in, pages through a sorted result alike.
    sb.add_text_field("title_sort", fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("modified_sort", fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("created_sort", fast=True, tokenizer_name="raw", index_option="basic")
    for name in TEXT_FIELDS:
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    for name in BIGRAM_FIELDS:
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    for name in sorted(FACET_FIELDS):
        sb.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    # Times as microseconds since the epoch, for range filters (a date field keeps whole seconds).
    for name in TIME_FIELDS.values():
        sb.add_integer_field(name, indexed=True, fast=True)
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
    if value is None or isinstance(value, str):
        return [value] if value else []
    if not isinstance(value, list | tuple | set | frozenset):
        return [str(value)]
    if None in value:
        value = [v for v in value if v is not None]
    distinct = dict.fromkeys(map(str, value))           # this runs ~12 times per document: keep it in C
    distinct.pop("", None)
    return list(distinct)


def _utc(value: datetime) -> datetime:
    # Index documents should carry aware datetimes; a naive one is taken to be UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# The raw text behind the analysed fields (title, keywords, body), and the same text analysed:
# segmented title, keywords and body, and the title's bigrams.
RawTexts = tuple[str, str, str]
Analysed = tuple[str, str, str, str]


def facet_values(doc: Mapping[str, Any]) -> dict[str, list[str]]:
    return {name: _values(doc.get(name)) for name in FACET_FIELDS}


def raw_texts(doc: Mapping[str, Any], facets: Mapping[str, list[str]]) -> RawTexts:
    """The text behind each analysed field: title beats keywords beats everything else.

    Parts are joined by newlines, so neither words nor bigrams form across them.
    """
    labels = _labels()
    body = [str(doc.get("description") or ""), str(doc.get("org_title") or ""), *_values(doc.get("elements")),
            *(labels.get(code, "") for code in (*facets["themes"], *facets["districts"])),
            str(doc.get("name") or ""), str(doc.get("resource_code") or "")]
    return (f"{doc.get('title') or ''}\n{doc.get('title_en') or ''}",
            "\n".join([*_values(doc.get("keywords")), *facets["tags"]]), "\n".join(body))


def analyse(texts: RawTexts) -> Analysed:
    """The costly, pure part of building a document: normalization, segmentation and bigrams.

    A function of strings only, so a rebuild can run it in other processes."""
    title, kw, body = (normalize(text) for text in texts)
    return segment_pieces(title), segment_pieces(kw), segment_pieces(body), " ".join(bigrams_normalized(title))


def _fields(doc: Mapping[str, Any], facets: Mapping[str, list[str]], analysed: Analysed) -> dict[str, Any]:
    """Tantivy field values from the index document, its facet values and its analysed text."""
    fields: dict[str, Any] = {name: values for name, values in facets.items() if values}
    fields.update(title=analysed[0], kw=analysed[1], body=analysed[2], title_bi=analysed[3],
                  id=str(doc["id"]), name=str(doc.get("name") or ""),
                  title_sort=sort_key(title_collation(str(doc.get("title") or "")), doc))
    code = str(doc.get("resource_code") or "").lower()
    if code:
        fields["body"] += " " + code                    # the whole code too, not only its two halves
    for name, micros_field in TIME_FIELDS.items():
        if isinstance(doc.get(name), datetime):
            moment = _utc(doc[name])
            fields[micros_field] = microseconds(moment)
            # To the microsecond: a harvest writes many datasets a second.
            fields[f"{name}_sort"] = sort_key(moment.strftime("%Y-%m-%dT%H:%M:%S.%f"), doc)
    return fields




def sort_key(value: str, doc: Mapping[str, Any]) -> str:
    """``value`` then the dataset's name, after a separator below every printable character (so a
    value that is a prefix of another still sorts first)."""
    return f"{value}\x1f{doc.get('name') or ''}"


def to_document(doc: Mapping[str, Any]) -> tantivy.Document:
    """One catalogue index document (see ``base.DOC_FIELDS``) as a Tantivy document."""
    facets = facet_values(doc)
    return tantivy.Document(**_fields(doc, facets, analyse(raw_texts(doc, facets))))


def to_json(doc: Mapping[str, Any]) -> str:
    """``to_document`` as the JSON text ``IndexWriter.add_json`` takes: a plain string, cheap to hand
    from a worker process to the one that writes the index, and parsed there without Python objects."""
    return with_readers(stored_json(doc), doc.get("readers"))


def stored_json(doc: Mapping[str, Any]) -> str:
    """``to_json`` without the readers field: what the catalogue keeps beside each dataset.

    Readers are left out because publication and access decisions change them without a dataset
    write; a rebuild works them out from the catalogue and adds them with ``with_readers``."""
    facets = facet_values(doc)
    fields = _fields(doc, facets, analyse(raw_texts(doc, facets)))
    fields.pop("readers", None)
    return orjson.dumps(fields).decode()                # dates as RFC 3339


def stored_json_batch(docs: Sequence[Mapping[str, Any]]) -> list[str]:
    return [stored_json(doc) for doc in docs]


def with_readers(stored: str, readers: Any) -> str:
    """A stored document (``stored_json``) completed with its readers: the text ``to_json`` gives."""
    return with_distinct_readers(stored, _values(readers))


def with_distinct_readers(stored: str, readers: list[str]) -> str:
    """``with_readers`` for readers known to be distinct, non-empty strings (as ``authz`` gives them)."""
    if not readers:
        return stored
    return f'{stored[:-1]},"readers":{orjson.dumps(readers).decode()}}}'


def to_json_batch(docs: Sequence[Mapping[str, Any] | str]) -> list[str]:
    """Each document as ``to_json`` text; a string is taken to be that text already."""
    return [doc if isinstance(doc, str) else to_json(doc) for doc in docs]


@lru_cache(maxsize=1)
def analysis_stamp() -> str:
    """The schema version and a digest of every input of the analysis (vocabularies, synonyms and
    segmentation words, the segmenter's version): a stored document made under another stamp is stale."""
    digest = hashlib.sha256()
    for path in (VOCAB / "themes.yaml", VOCAB / "districts.yaml", SYNONYMS_PATH, PINYIN_PATH):
        digest.update(path.read_bytes())
    digest.update(importlib.metadata.version("rjieba").encode())
    return f"{SCHEMA_VERSION}:{digest.hexdigest()[:32]}"
