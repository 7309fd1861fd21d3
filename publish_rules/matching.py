"""Which datasets a rule applies to: small pure predicates over the Subject.

A ``match`` is a mapping (every given key must match; within a key any listed value will do) or a
list of such mappings (any one will do).  No ``match`` at all applies to every dataset.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from .model import Subject


def _one(value: str | None) -> frozenset[str]:
    return frozenset() if value is None else frozenset({value})


SUBJECT_VALUES: Mapping[str, Callable[[Subject], frozenset[str]]] = MappingProxyType({
    "departments": lambda s: _one(s.department),
    "themes": lambda s: frozenset(s.themes),
    "tags": lambda s: frozenset(s.tags),
    "field_tags": lambda s: s.field_tags(),
    "codes": lambda s: _one(s.code),
    "names": lambda s: _one(s.name),
    "table_schemas": lambda s: _one(s.table_schema),
    "update_cycles": lambda s: _one(s.update_cycle),
    "open_types": lambda s: _one(s.open_type),
    "share_types": lambda s: _one(s.share_type),
})

Clause = Mapping[str, frozenset[str]]


def parse_match(value: Any) -> tuple[Clause, ...]:
    if value is None:
        return ()
    blocks = value if isinstance(value, list) else [value]
    return tuple(MappingProxyType({k: frozenset(v) for k, v in block.items()}) for block in blocks)


def clause_matches(clause: Clause, subject: Subject) -> bool:
    return all(not wanted.isdisjoint(SUBJECT_VALUES[key](subject)) for key, wanted in clause.items())


def matches(clauses: tuple[Clause, ...], subject: Subject) -> bool:
    return not clauses or any(clause_matches(c, subject) for c in clauses)


def describe(clauses: tuple[Clause, ...]) -> str:
    if not clauses:
        return "所有数据集"
    return " 或 ".join("；".join(f"{k}∈{sorted(v)}" for k, v in c.items()) or "所有数据集" for c in clauses)
