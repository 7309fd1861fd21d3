"""Draft a Table Schema for a file that came without one; the department confirms or edits it."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .cells import parse_column
from .read import RawTable
from .schema import FieldSpec

CANDIDATES = ("integer", "number", "boolean", "datetime", "date", "string")
DEFAULT_MISSING = ("", "NA", "/")


def infer_schema(table: RawTable, *, missing_values: tuple[str, ...] = DEFAULT_MISSING) -> dict[str, Any]:
    """The narrowest type every non-missing cell of each column converts to; ``string`` otherwise."""
    fields = [_infer_field(label or f"field{i + 1}", table, i, missing_values)
              for i, label in enumerate(table.labels)]
    return {"fields": fields, "missingValues": list(missing_values)}


def _infer_field(name: str, table: RawTable, index: int, missing: tuple[str, ...]) -> dict[str, Any]:
    raw = table.columns.column(index)
    empty = bool(pc.all(pc.is_in(raw, value_set=pa.array(missing, pa.string()))).as_py())
    for type_ in CANDIDATES[-1:] if empty else CANDIDATES:
        parsed = parse_column(FieldSpec(name, type_, missing_values=missing), raw)
        if not pc.any(parsed.type_error).as_py():
            out: dict[str, Any] = {"name": name, "type": type_}
            if not pc.any(parsed.missing).as_py():
                out["constraints"] = {"required": True}
            return out
    return {"name": name, "type": "string"}
