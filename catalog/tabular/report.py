"""Errors found column-wise, listed row-wise in the Frictionless report format.

A check yields an :class:`ErrorBatch` (one error kind, one field, a boolean mask over rows).
Counting is a mask sum; only the first ``limit`` errors in frictionless order become dicts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

# Order of errors inside one row, as frictionless emits them.
RANK = {"type-error": 0, "constraint-error": 0, "extra-cell": 1, "missing-cell": 2, "blank-row": 3,
        "unique-error": 4, "primary-key": 5, "foreign-key": 6}


@cache
def _error_classes() -> dict[str, Any]:
    """frictionless's error classes by type, for their titles and templates.  Imported on first use:
    frictionless costs a web process ~30 MB that serving released data never needs."""
    from frictionless import errors as ferrors

    return {cls.type: cls for cls in vars(ferrors).values()
            if isinstance(cls, type) and issubclass(cls, ferrors.Error) and hasattr(cls, "type")}

ZH = {
    "type-error": "第{rowNumber}行“{fieldName}”字段（第{fieldNumber}列）的值“{cell}”类型不符：{note}",
    "constraint-error": "第{rowNumber}行“{fieldName}”字段（第{fieldNumber}列）的值“{cell}”不满足约束：{note}",
    "unique-error": "第{rowNumber}行“{fieldName}”字段的值与其他行重复：{note}",
    "primary-key": "第{rowNumber}行的主键（站点+时间）重复或为空：{note}",
    "foreign-key": "第{rowNumber}行引用的编码在参照表中不存在：{note}",
    "blank-row": "第{rowNumber}行是空行",
    "missing-cell": "第{rowNumber}行缺少“{fieldName}”字段（第{fieldNumber}列）的值",
    "extra-cell": "第{rowNumber}行第{fieldNumber}列多出一个值",
    "missing-label": "表头缺少“{fieldName}”列（第{fieldNumber}列）",
    "extra-label": "表头第{fieldNumber}列“{label}”不在表结构中",
    "duplicate-label": "表头第{fieldNumber}列“{label}”重复：{note}",
    "blank-label": "表头第{fieldNumber}列为空",
    "incorrect-label": "表头第{fieldNumber}列“{label}”与表结构字段“{fieldName}”不一致",
    "blank-header": "表头为空",
}


@dataclass
class ErrorBatch:
    type: str
    mask: np.ndarray  # bool per data row
    field_name: str = ""
    field_number: int | None = None
    note: Callable[[int], str] | str = ""
    sub: int = 0  # order among several constraints of one cell
    cell: Callable[[int], str] | None = None
    extra: Callable[[int], dict[str, Any]] | None = None

    def count(self) -> int:
        return int(self.mask.sum())


@dataclass
class Report:
    errors: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    rows: int = 0
    fields: int = 0
    labels: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    name: str = "table"
    place: str = ""
    seconds: float = 0.0

    @property
    def valid(self) -> bool:
        return self.total == 0

    def error_types(self) -> set[tuple[str, int | None, int | None]]:
        return {(e["type"], e.get("rowNumber"), e.get("fieldNumber")) for e in self.errors}

    def to_dict(self) -> dict[str, Any]:
        task = {
            "name": self.name, "type": "table", "valid": self.valid, "place": self.place,
            "labels": self.labels,
            "stats": {"errors": self.total, "warnings": len(self.warnings), "seconds": self.seconds,
                      "rows": self.rows, "fields": self.fields},
            "warnings": self.warnings, "errors": self.errors,
        }
        return {"valid": self.valid, "stats": {"tasks": 1, "errors": self.total, "warnings": len(self.warnings),
                                               "seconds": self.seconds},
                "warnings": [], "errors": [], "tasks": [task]}


def make_error(type_: str, **props: Any) -> dict[str, Any]:
    cls = _error_classes()[type_]
    values = {k: v for k, v in props.items() if v is not None}
    values.setdefault("note", "")
    out = {"type": type_, "title": cls.title, "description": cls.description, "tags": list(cls.tags), **values}
    out["message"] = cls.template.format_map(_Defaults(values))
    out["messageZh"] = ZH.get(type_, cls.title).format_map(_Defaults(values))
    return out


class _Defaults(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def list_errors(batches: list[ErrorBatch], row_number: Callable[[int], int],
                cells: Callable[[int], list[str]], limit: int) -> list[dict[str, Any]]:
    candidates: list[tuple[int, int, int, int, ErrorBatch]] = []
    for order, batch in enumerate(batches):
        for index in np.flatnonzero(batch.mask)[:limit]:
            candidates.append((int(index), RANK[batch.type], batch.field_number or 0, batch.sub * 1000 + order, batch))
    candidates.sort(key=lambda c: c[:4])
    return [_row_error(batch, index, row_number, cells) for index, *_, batch in candidates[:limit]]


def _row_error(batch: ErrorBatch, index: int, row_number: Callable[[int], int],
               cells: Callable[[int], list[str]]) -> dict[str, Any]:
    note = batch.note(index) if callable(batch.note) else batch.note
    props: dict[str, Any] = {"note": note, "cells": cells(index), "rowNumber": row_number(index)}
    if batch.type not in ("blank-row", "primary-key", "foreign-key"):
        props.update(fieldName=batch.field_name, fieldNumber=batch.field_number,
                     cell=batch.cell(index) if batch.cell else "")
    if batch.extra:
        props.update(batch.extra(index))
    return make_error(batch.type, **props)
