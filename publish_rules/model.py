"""The engine's vocabulary: what is decided about (Subject), for whom (Audience), and the Decision.

Everything here is an immutable value; the engine never reads a database, the network or a clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, NamedTuple

# Openness, least open first: a rule may only move a dataset down this list.
LEVELS: tuple[str, ...] = ("none", "conditional", "government", "public")
LEVEL_LABELS = {"none": ("不予提供", "not released"), "conditional": ("有条件开放", "conditional"),
                "government": ("政务共享", "government only"), "public": ("无条件开放", "open to all")}
# Field actions, least restrictive first.
ACTIONS: tuple[str, ...] = ("keep", "coarsen", "round", "mask", "drop")
ACTION_LABELS = {"keep": ("保留", "keep"), "coarsen": ("时间粗化", "coarsen time"),
                 "round": ("坐标/数值取舍", "round"), "mask": ("脱敏遮盖", "mask"), "drop": ("删除", "drop")}
PERIODS: tuple[str, ...] = ("hour", "day", "month")
PERIOD_LABELS = {"hour": ("小时", "hour"), "day": ("日", "day"), "month": ("月", "month")}
AGG_FUNCTIONS: tuple[str, ...] = ("mean", "min", "max", "count")
CHANNELS: frozenset[str] = frozenset({"portal", "download", "data_api", "dcat", "bulk"})
AUDIENCE_KINDS: tuple[str, ...] = ("public", "government", "grant", "owner")
RULE_AUDIENCES: tuple[str, ...] = ("public", "government", "grant")
OUTCOMES: tuple[str, ...] = ("deny", "metadata_only", "release")
OPEN_TYPES: tuple[str, ...] = ("无条件开放", "有条件开放", "不予开放")
SHARE_TYPES: tuple[str, ...] = ("无条件共享", "有条件共享", "不予共享")
UPDATE_CYCLES: tuple[str, ...] = ("实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "不定期", "其他")
NUMERIC_TYPES = frozenset({"N", "Y", "B", "I", "F", "number", "integer"})
TEMPORAL_TYPES = frozenset({"D", "T", "date", "datetime", "time"})


class FieldSpec(NamedTuple):
    """One 信息项 / Table Schema field as the rules see it."""

    name: str
    type: str = "C"
    tags: tuple[str, ...] = ()


def _tuple(values: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(values or ())


@dataclass(frozen=True)
class Subject:
    """What a decision is about: a dataset's metadata plus its fields' tags."""

    name: str
    department: str
    open_type: str = "无条件开放"
    share_type: str = "无条件共享"
    themes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    code: str | None = None
    table_schema: str | None = None
    update_cycle: str | None = None
    fields: tuple[FieldSpec, ...] = ()

    def __post_init__(self) -> None:
        for name in ("themes", "tags"):
            object.__setattr__(self, name, _tuple(getattr(self, name)))
        specs = tuple(FieldSpec(f[0], f[1] if len(f) > 1 else "C", _tuple(f[2] if len(f) > 2 else ()))
                      for f in self.fields)
        object.__setattr__(self, "fields", specs)

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Subject:
        """Build the subject from a catalogue record (the metadata profile's shape)."""
        schemas = [r.get("table_schema") for r in record.get("resources") or ()]
        named = [s for s in schemas if isinstance(s, str)]
        return cls(
            name=record["name"], department=record.get("organization", ""),
            open_type=record.get("open_type", "不予开放"), share_type=record.get("share_type", "不予共享"),
            themes=record.get("themes") or (), tags=record.get("keywords") or (),
            code=record.get("resource_code"), table_schema=named[0] if named else None,
            update_cycle=record.get("update_cycle"),
            fields=tuple(FieldSpec(e["name"], e.get("type", "C"), tuple(e.get("tags") or ()))
                         for e in record.get("data_elements") or ()),
        )

    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field_tags(self) -> frozenset[str]:
        return frozenset(t for f in self.fields for t in f.tags)


@dataclass(frozen=True)
class GrantScope:
    """An approved grant (数据利用协议): which datasets it covers and, optionally, which fields."""

    datasets: frozenset[str]
    fields: frozenset[str] | None = None

    def covers(self, subject: Subject) -> bool:
        return subject.name in self.datasets or (subject.code is not None and subject.code in self.datasets)


@dataclass(frozen=True)
class Audience:
    kind: str
    department: str | None = None
    grant_scope: GrantScope | None = None

    def __post_init__(self) -> None:
        if self.kind not in AUDIENCE_KINDS:
            raise ValueError(f"unknown audience kind {self.kind!r}; expected one of {AUDIENCE_KINDS}")
        if self.kind == "grant" and self.grant_scope is None:
            raise ValueError("a grant audience needs its grant_scope")

    @classmethod
    def public(cls) -> Audience:
        return cls("public")

    @classmethod
    def government(cls, department: str | None = None) -> Audience:
        return cls("government", department)

    @classmethod
    def grant(cls, datasets: Iterable[str], fields: Iterable[str] | None = None,
              department: str | None = None) -> Audience:
        scope = GrantScope(frozenset(datasets), frozenset(fields) if fields is not None else None)
        return cls("grant", department, scope)

    @classmethod
    def owner(cls, department: str) -> Audience:
        return cls("owner", department)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "department": self.department}
        if self.grant_scope is not None:
            out["grant_scope"] = {"datasets": sorted(self.grant_scope.datasets),
                                  "fields": sorted(self.grant_scope.fields)
                                  if self.grant_scope.fields is not None else None}
        return out


@dataclass(frozen=True)
class FieldAction:
    """What happens to one field.  Only the parameters of ``action`` are meaningful."""

    action: str = "keep"
    keep_first: int = 0
    keep_last: int = 0
    mask_char: str = "*"
    decimals: int = 0
    unit: str = "day"

    def rank(self) -> int:
        return ACTIONS.index(self.action)

    def stricter(self, other: FieldAction) -> FieldAction:
        """The more restrictive of two actions; equal kinds merge to the tighter parameters."""
        if self.rank() != other.rank():
            return self if self.rank() > other.rank() else other
        if self.action == "mask":
            return FieldAction("mask", min(self.keep_first, other.keep_first),
                               min(self.keep_last, other.keep_last), min(self.mask_char, other.mask_char))
        if self.action == "round":
            return FieldAction("round", decimals=min(self.decimals, other.decimals))
        if self.action == "coarsen":
            return FieldAction("coarsen", unit=max(self.unit, other.unit, key=PERIODS.index))
        return self

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.action}
        if self.action == "mask":
            out.update(keep_first=self.keep_first, keep_last=self.keep_last, char=self.mask_char)
        elif self.action == "round":
            out["decimals"] = self.decimals
        elif self.action == "coarsen":
            out["unit"] = self.unit
        return out


@dataclass(frozen=True)
class RowFilter:
    """One row condition.  ``op``: keep_if_in | drop_if_in | drop_if_matches | drop_if_null."""

    field: str
    op: str
    values: tuple[str, ...] = ()
    pattern: str | None = None
    rule_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "op": self.op, "rule": self.rule_id}
        if self.values:
            out["values"] = list(self.values)
        if self.pattern is not None:
            out["pattern"] = self.pattern
        return out


@dataclass(frozen=True)
class Aggregate:
    """Publish rows only as time-bucketed statistics.  ``group_by`` None: every non-numeric field."""

    period: str
    functions: frozenset[str] = frozenset(AGG_FUNCTIONS)
    group_by: tuple[str, ...] | None = None
    time_field: str | None = None

    def coarsest(self, other: Aggregate) -> Aggregate:
        period = max(self.period, other.period, key=PERIODS.index)
        # No common statistic left means only the keys and periods go out: still the stricter choice.
        functions = self.functions & other.functions
        if self.group_by is None or other.group_by is None:
            keys = other.group_by if self.group_by is None else self.group_by
        else:
            keys = tuple(k for k in self.group_by if k in other.group_by)
        return Aggregate(period, functions, keys, self.time_field or other.time_field)

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "functions": [f for f in AGG_FUNCTIONS if f in self.functions],
                "group_by": list(self.group_by) if self.group_by is not None else None,
                "time_field": self.time_field}


@dataclass(frozen=True)
class Reason:
    """Why one facet of a decision is what it is: a rule (or the dataset itself) and its contribution."""

    facet: str
    detail: str
    detail_en: str
    rule_id: str | None = None
    file: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"facet": self.facet, "rule": self.rule_id, "file": self.file, "line": self.line,
                "detail": self.detail, "detail_en": self.detail_en}


@dataclass(frozen=True)
class Decision:
    outcome: str
    fields: Mapping[str, FieldAction]
    dropped_fields: frozenset[str]
    row_filters: tuple[RowFilter, ...]
    aggregate: Aggregate | None
    delay: timedelta
    license: str | None
    channels: frozenset[str]
    reasons: tuple[Reason, ...]
    audience: Audience = field(default_factory=Audience.public)
    level: str = "none"
    dataset: str = ""
    ruleset_version: str = ""
    # Owner decisions keep columns the metadata does not declare; every other audience fails closed.
    full_access: bool = False

    @property
    def released(self) -> bool:
        return self.outcome == "release"

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset, "audience": self.audience.to_dict(), "outcome": self.outcome,
            "level": self.level, "full_access": self.full_access,
            "fields": {name: action.to_dict() for name, action in self.fields.items()},
            "dropped_fields": sorted(self.dropped_fields),
            "row_filters": [f.to_dict() for f in self.row_filters],
            "aggregate": self.aggregate.to_dict() if self.aggregate else None,
            "delay_seconds": int(self.delay.total_seconds()), "license": self.license,
            "channels": sorted(self.channels), "reasons": [r.to_dict() for r in self.reasons],
            "ruleset_version": self.ruleset_version,
        }
