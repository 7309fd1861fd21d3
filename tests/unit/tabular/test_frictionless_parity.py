"""Our validator and frictionless report the same error types at the same rows and fields.

Every data package in ../shared/corpora/datapackage is validated both ways, resource by resource.
Not replicated (skipped with the reason): compressed/remote/SQL/XLS/ODS sources and missing files
(frictionless reports scheme/source errors), byte-count and hash-count checks against declared
``bytes``/``hash``, and package-descriptor errors (a package frictionless refuses to load).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from catalog.tabular.read import Dialect, read_table, records_to_raw
from catalog.tabular.validate import validate_table

CORPORA = Path(__file__).resolve().parents[3].parent / "shared" / "corpora"
NOT_REPLICATED = {"byte-count", "hash-count", "scheme-error", "source-error", "error", "pipeline-error",
                  "format-error", "encoding-error"}
READABLE = {"csv", "tsv", "json", "ndjson", "jsonl", "parquet", "xlsx"}


def _packages() -> list[Path]:
    if not CORPORA.is_dir():
        return []
    found = []
    for path in sorted((CORPORA / "datapackage").rglob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(data, dict) and "resources" in data:
            found.append(path)
    return found


def _ids() -> list[str]:
    return [str(p.relative_to(CORPORA / "datapackage")) for p in _packages()] or ["corpora-missing"]


@pytest.mark.parametrize("package_path", _packages() or [None], ids=_ids())
def test_same_errors_as_frictionless(package_path: Path | None, corpora: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    assert package_path is not None
    # Some corpus packages name relative outputs (a pipeline writing database.db): keep them out of the tree.
    monkeypatch.chdir(tmp_path)
    from frictionless import FrictionlessException, Package

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            package = Package(str(package_path))
            report = package.validate()
        except FrictionlessException as exc:
            pytest.skip(f"frictionless refuses the package descriptor: {exc.error.type}")
        if report.errors:
            pytest.skip(f"package-level errors not replicated: {[e.type for e in report.errors]}")
        compared = [_compare(package, task) for task in report.tasks]
    if not any(compared):
        pytest.skip("no resource of this package is of a kind we replicate")


def _compare(package: Any, task: Any) -> bool:
    theirs = {(e.type, getattr(e, "row_number", None), getattr(e, "field_number", None)) for e in task.errors}
    if {t for t, _, _ in theirs} & NOT_REPLICATED:
        return False
    resource = package.get_resource(task.name)
    raw = _read(resource)
    if raw is None:
        return False
    schema = resource.schema.to_descriptor() if resource.schema else {"fields": []}
    ours = validate_table(raw, schema, foreign_tables=_foreign(package, resource)).report.error_types()
    assert ours == theirs, f"{task.name}: only frictionless {theirs - ours}; only ours {ours - theirs}"
    return True


def _read(resource: Any) -> Any:
    if resource.data is not None and not isinstance(resource.data, str):
        return records_to_raw(resource.data)
    if not isinstance(resource.path, str) or resource.format not in READABLE:
        return None
    path = Path(resource.normpath)
    if not path.is_file() or path.read_bytes()[:4] in (b"PK\x03\x04",) or path.read_bytes()[:2] == b"\x1f\x8b":
        return None  # missing, or compressed despite a .csv name: we do not read archives
    descriptor = resource.dialect.to_descriptor() if resource.dialect else {}
    descriptor = {**descriptor, **descriptor.get("csv", {})}
    dialect = Dialect(delimiter=descriptor.get("delimiter", ","), header=descriptor.get("header", True))
    return read_table(path, dialect=dialect, fmt=resource.format)


def _foreign(package: Any, resource: Any) -> dict[str, Any]:
    tables = {}
    for fk in resource.schema.foreign_keys if resource.schema else []:
        name = fk["reference"]["resource"]
        if name and name != resource.name and package.has_resource(name):
            ref = package.get_resource(name)
            ref_schema = ref.schema.to_descriptor()
            ref_schema.pop("foreignKeys", None)
            tables[name] = validate_table(_read(ref), ref_schema).typed
    return tables
