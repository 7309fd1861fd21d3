"""Imports point one way: portal → harvesters → catalog → publish_rules (DESIGN.md §2)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LAYERS = ["portal", "harvesters", "catalog", "publish_rules"]
FORBIDDEN = {layer: set(LAYERS[: i + 1]) - {layer} | {"flask", "werkzeug", "flask_smorest"}
             for i, layer in enumerate(LAYERS)}
FORBIDDEN["portal"] = set()


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("layer", LAYERS[1:])
def test_layer_imports_only_downwards(layer: str) -> None:
    offenders = {}
    for path in sorted((ROOT / layer).rglob("*.py")):
        bad = imported_roots(path) & FORBIDDEN[layer]
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("from portal.app import create_app\nimport flask\n")
    assert imported_roots(sample) & FORBIDDEN["catalog"] == {"portal", "flask"}
