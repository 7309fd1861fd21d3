"""Turns a ``SearchQuery`` into a Tantivy query: text relevance, visibility and filters in one tree.

Visibility and filters are required clauses with zero score, so they narrow the result set (and the
facet counts computed over it) without disturbing the ranking.
"""

from __future__ import annotations

import re

import tantivy

from .analysis import cjk_bigrams, expand_query, is_cjk
from .base import AllOf, AnyOf, Exists, Filter, Not, Range, SearchQuery, Term, microseconds
from .tantivy_schema import TIME_FIELDS

Occur = tantivy.Occur
Query = tantivy.Query

# Title matches outrank keyword matches, which outrank everything else; a bigram (part-of-word) match
# counts for less than the same field's whole-word match.
WORD_BOOSTS = {"title": 6.0, "kw": 3.0, "body": 1.0}
BIGRAM_BOOSTS = {"title_bi": 3.0}


def minimum_should_match(groups: int) -> int:
    """CKAN's default ``mm`` (``2<-1 5<80%``): every word up to two, all but one up to five, then 80%."""
    if groups <= 2:
        return groups
    if groups <= 5:
        return groups - 1
    return int(groups * 0.8)


def _bigram_query(schema: tantivy.Schema, field: str, term: str) -> Query:
    if len(term) == 1:
        # A lone character: any bigram starting or ending with it, or the unigram itself.
        char = re.escape(term)
        return Query.regex_query(schema, field, f"{char}.?|.{char}")
    grams: list[str | tuple[int, str]] = list(cjk_bigrams(term))
    if len(grams) == 1:
        return Query.term_query(schema, field, grams[0])
    return Query.phrase_query(schema, field, grams)


def _alternative(schema: tantivy.Schema, term: str) -> list[Query]:
    """Every way one spelling can match: as a whole word per field, and for Chinese, as a bigram run."""
    queries = [Query.boost_query(Query.term_query(schema, f, term), b) for f, b in WORD_BOOSTS.items()]
    if is_cjk(term):
        queries += [Query.boost_query(_bigram_query(schema, f, term), b) for f, b in BIGRAM_BOOSTS.items()]
    return queries


def _group(schema: tantivy.Schema, spellings: tuple[str, ...]) -> Query:
    parts = [q for term in spellings for q in _alternative(schema, term)]
    return Query.boolean_query([(Occur.Should, q) for q in parts])


def text_query(schema: tantivy.Schema, q: str) -> Query | None:
    """The relevance part, or None when the text asks for everything."""
    groups = expand_query(q)
    if not groups:
        return None
    clauses = [_group(schema, g) for g in groups]
    if len(clauses) == 1:
        return clauses[0]
    return Query.boolean_query([(Occur.Should, c) for c in clauses],
                               minimum_number_should_match=minimum_should_match(len(clauses)))


def _filter(query: Query) -> Query:
    return Query.const_score_query(query, 0.0)


def _any_reader(schema: tantivy.Schema, principals: list[str]) -> Query:
    """Documents readable by any of the principals.  Term queries rather than a term-set query:
    a term set first collects every matching document of the index into a bit set, which costs
    more than the rest of a typical search, while term postings are only advanced to the
    documents the text part matched."""
    if not principals:
        return Query.empty_query()
    if len(principals) == 1:
        return Query.term_query(schema, "readers", principals[0])
    return Query.boolean_query([(Occur.Should, Query.term_query(schema, "readers", p)) for p in principals])


def filter_query(schema: tantivy.Schema, expr: Filter) -> Query:
    """A filter expression as a (scoring) Tantivy query; the caller makes it zero-score."""
    if isinstance(expr, Term):
        return Query.term_query(schema, expr.field, expr.value)
    if isinstance(expr, Exists):
        return Query.exists_query(expr.field)
    if isinstance(expr, Range):
        return Query.range_query(schema, TIME_FIELDS[expr.field], tantivy.FieldType.Integer,
                                 None if expr.lower is None else microseconds(expr.lower),
                                 None if expr.upper is None else microseconds(expr.upper),
                                 include_lower=expr.include_lower or expr.lower is None,
                                 include_upper=expr.include_upper or expr.upper is None)
    if isinstance(expr, Not):
        return Query.boolean_query([(Occur.Must, Query.all_query()), (Occur.MustNot, filter_query(schema, expr.part))])
    if not expr.parts:
        return Query.all_query() if isinstance(expr, AllOf) else Query.empty_query()
    if isinstance(expr, AnyOf):
        return Query.boolean_query([(Occur.Should, filter_query(schema, part)) for part in expr.parts])
    positive = [part for part in expr.parts if not isinstance(part, Not)]
    clauses = [(Occur.Must, filter_query(schema, part)) for part in positive]
    clauses += [(Occur.MustNot, filter_query(schema, part.part)) for part in expr.parts if isinstance(part, Not)]
    if not positive:
        clauses.insert(0, (Occur.Must, Query.all_query()))
    return Query.boolean_query(clauses)


def restrictions(schema: tantivy.Schema, query: SearchQuery) -> list[Query]:
    """Visibility plus every filter, each a required zero-score clause."""
    out: list[Query] = []
    if query.principals is not None:
        out.append(_filter(_any_reader(schema, sorted(query.principals))))
    out += [_filter(Query.term_query(schema, name, value)) for name, value in query.filters]
    if query.where is not None:
        out.append(_filter(filter_query(schema, query.where)))
    return out


def build_query(schema: tantivy.Schema, query: SearchQuery) -> tuple[Query, bool]:
    """The whole query, and whether it has a text part (so relevance ranking means something)."""
    text = text_query(schema, query.q)
    must = ([text] if text is not None else []) + restrictions(schema, query)
    if not must:
        return Query.all_query(), False
    if text is None:
        must.insert(0, Query.all_query())
    return Query.boolean_query([(Occur.Must, q) for q in must]), text is not None
