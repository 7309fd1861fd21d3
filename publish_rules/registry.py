"""The one seam through which rule kinds (the keys a rule may carry) are registered.

Built-in kinds use the same decorator a third party would; a distribution can also expose
kinds through the ``ecodata.rule_kinds`` entry-point group (each entry point loads a module
that registers with :func:`rule_kind`, or a :class:`RuleKind` object).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import import_module
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .draft import DecisionDraft, RuleContext

ENTRY_POINT_GROUP = "ecodata.rule_kinds"
# Keys of a rule that are not kinds: identity, documentation and matching.
ENVELOPE_KEYS = ("id", "description", "description_en", "match", "audiences")

Contribute = Callable[["DecisionDraft", Any, "RuleContext"], None]
# A semantic check returns (code, message_zh, message_en) per problem in a parsed-by-schema value.
Check = Callable[[Any], list[tuple[str, str, str]]]


def _no_problems(value: Any) -> list[tuple[str, str, str]]:
    return []


def _identity(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class RuleKind:
    key: str
    title: str
    title_en: str
    schema: Mapping[str, Any]
    contribute: Contribute
    parse: Callable[[Any], Any] = _identity
    check: Check = _no_problems


_KINDS: dict[str, RuleKind] = {}
_loaded = False


def register(kind: RuleKind) -> RuleKind:
    if kind.key in ENVELOPE_KEYS:
        raise ValueError(f"rule kind key {kind.key!r} clashes with a rule envelope key")
    existing = _KINDS.get(kind.key)
    if existing is not None and existing.contribute is not kind.contribute:
        raise ValueError(f"rule kind {kind.key!r} is already registered")
    _KINDS[kind.key] = kind
    return kind


def unregister(key: str) -> None:
    """Remove a kind (for tests and for plugins being unloaded)."""
    _KINDS.pop(key, None)


def rule_kind(key: str, *, title: str, title_en: str, schema: Mapping[str, Any],
              parse: Callable[[Any], Any] = _identity,
              check: Check = _no_problems) -> Callable[[Contribute], Contribute]:
    """Decorator: register ``contribute(draft, parsed_value, ctx)`` as the rule kind ``key``."""

    def decorator(contribute: Contribute) -> Contribute:
        register(RuleKind(key, title, title_en, schema, contribute, parse, check))
        return contribute

    return decorator


def load_plugins() -> None:
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        loaded = entry.load()
        if isinstance(loaded, RuleKind):
            register(loaded)


def all_kinds() -> dict[str, RuleKind]:
    """Every registered kind, built-ins first; plugins are loaded once on first use."""
    global _loaded
    if not _loaded:
        import_module("publish_rules.kinds")
        load_plugins()
        _loaded = True
    return dict(_KINDS)


def builtin_kind_keys() -> tuple[str, ...]:
    from .kinds import BUILTIN_KEYS

    return BUILTIN_KEYS
