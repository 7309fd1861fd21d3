"""Display names for vocabulary codes (themes, districts, licences …) in the chosen language."""

from __future__ import annotations

from functools import cache
from typing import Any

from schemas import load_profile, load_vocab

from .i18n import pick


@cache
def _vocab(name: str) -> dict[str, dict[str, Any]]:
    return {str(entry["id"]): entry for entry in load_vocab(name)}


def vocab_entries(name: str) -> list[dict[str, Any]]:
    return list(_vocab(name).values())


def label(vocab: str, code: str | None) -> str:
    """The entry's name, or the code itself when the vocabulary does not know it."""
    entry = _vocab(vocab).get(str(code or ""))
    return pick(entry.get("zh"), entry.get("en")) if entry else str(code or "")


@cache
def profile_properties() -> dict[str, dict[str, Any]]:
    return dict(load_profile()["properties"])


@cache
def profile_defs() -> dict[str, dict[str, Any]]:
    return dict(load_profile().get("$defs", {}))


def field_title(key: str) -> str:
    """The profile's title for a top-level key, or for ``parent.child`` / ``data_elements.name``."""
    head, _, rest = key.partition(".")
    spec = profile_properties().get(head, {})
    if rest:
        spec = _child_spec(spec, rest)
    return pick(spec.get("title"), spec.get("x-title-en")) or key


def _child_spec(spec: dict[str, Any], child: str) -> dict[str, Any]:
    target = spec.get("items", spec)
    ref = target.get("$ref", "")
    if ref.startswith("#/$defs/"):
        target = profile_defs().get(ref.rsplit("/", 1)[1], {})
    return dict(target.get("properties", {}).get(child, {}))


def field_spec(key: str) -> dict[str, Any]:
    head, _, rest = key.partition(".")
    spec = profile_properties().get(head, {})
    return _child_spec(spec, rest) if rest else dict(spec)


LABEL_FILTERS = {
    "theme": "themes", "district": "districts", "license": "licenses", "cycle": "update_cycles",
    "element_type": "element_types",
}
