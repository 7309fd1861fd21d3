"""Data, not code: the metadata profile, vocabularies and table schemas, plus this tiny loader.

Files are read as package data (importlib.resources) so an installed wheel works the same as a
checkout.  Parsed files are cached; callers get copies of the entries, so mutating them is safe.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

__all__ = ["load_profile", "load_vocab", "load_vocab_document", "schema_path", "vocab_ids", "vocab_index"]


def schema_path(*parts: str) -> Path:
    """Path of a file shipped in this package, e.g. ``schema_path("vocab", "themes.yaml")``."""
    return Path(str(files(__name__).joinpath(*parts)))


@cache
def _read_yaml(name: str) -> dict[str, Any]:
    text = files(__name__).joinpath("vocab", f"{name}.yaml").read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise ValueError(f"vocabulary {name!r} has no 'entries' list")
    return document


@cache
def _read_profile(name: str) -> dict[str, Any]:
    text = files(__name__).joinpath("profile", f"{name}.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def load_vocab_document(name: str) -> dict[str, Any]:
    """The whole vocabulary file: ``entries`` plus headers such as ``code_scheme``."""
    return json.loads(json.dumps(_read_yaml(name)))


def load_vocab(name: str) -> list[dict[str, Any]]:
    """Entries of ``vocab/<name>.yaml``; each has at least ``id``, ``zh`` and ``en``."""
    return [dict(entry) for entry in _read_yaml(name)["entries"]]


@cache
def _ids(name: str) -> frozenset[str]:
    return frozenset(str(entry["id"]) for entry in _read_yaml(name)["entries"])


def vocab_ids(name: str) -> set[str]:
    return set(_ids(name))


def vocab_index(name: str) -> dict[str, dict[str, Any]]:
    """Entries keyed by id."""
    return {str(entry["id"]): entry for entry in load_vocab(name)}


def load_profile(name: str = "dataset") -> dict[str, Any]:
    """The JSON Schema ``profile/<name>.schema.json`` (a fresh copy)."""
    return json.loads(json.dumps(_read_profile(name)))
