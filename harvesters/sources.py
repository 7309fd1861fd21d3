"""Registering harvest sources and turning a stored source into the :class:`SourceConfig` a type sees."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
from croniter import croniter
from sqlalchemy.orm import Session

from catalog import harvest_store
from catalog.errors import Location, Problem, ValidationFailed
from catalog.models import HarvestSource
from harvesters.base import OPEN_TYPES, SHARE_TYPES, SourceConfig
from harvesters.registry import get_source_type
from schemas import vocab_ids

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,99}$")
UPDATE_CYCLES = ("实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "不定期")
DEFAULT_KEYS = ("share_type", "open_type", "update_cycle", "theme", "share_condition", "open_condition",
                "share_basis", "open_basis")
# Options every source type accepts; they govern the runner and the HTTP client, not the mapping.
COMMON_OPTIONS: dict[str, dict[str, Any]] = {
    "timeout": {"type": "number", "exclusiveMinimum": 0},
    "retries": {"type": "integer", "minimum": 0, "maximum": 10},
    "rate_limit": {"type": "number", "minimum": 0},
    "max_bytes": {"type": "integer", "minimum": 1},
    "page_size": {"type": "integer", "minimum": 1, "maximum": 5000},
    "job_timeout": {"type": "number", "exclusiveMinimum": 0},
    "incremental": {"type": "boolean"},
    "theme_map": {"type": "object", "additionalProperties": {"type": "string"}},
}


def _bad(field: str, zh: str, en: str) -> ValidationFailed:
    return ValidationFailed("采集来源配置有误", "Invalid harvest source",
                            problems=[Problem("invalid", zh, en, Location(field=field))])


def validate_options(type_name: str, options: dict[str, Any]) -> None:
    stype = get_source_type(type_name)
    schema = dict(stype.options_schema)
    schema["properties"] = {**COMMON_OPTIONS, **schema.get("properties", {})}
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(options), key=lambda e: list(e.path))
    if errors:
        problems = [Problem("invalid", f"选项 {'.'.join(map(str, e.path)) or '(整体)'} 有误：{e.message}",
                            f"option {'.'.join(map(str, e.path)) or '(root)'}: {e.message}",
                            Location(field="options." + ".".join(map(str, e.path))))
                    for e in errors]
        raise ValidationFailed("采集来源选项不符合该类型的要求", "Options do not match the source type",
                               problems=problems)


def validate_defaults(defaults: dict[str, Any]) -> None:
    checks = (("share_type", SHARE_TYPES), ("open_type", OPEN_TYPES), ("update_cycle", UPDATE_CYCLES),
              ("theme", tuple(vocab_ids("themes"))))
    for key, allowed in checks:
        if key in defaults and defaults[key] not in allowed:
            raise _bad(key, f"{key} 取值“{defaults[key]}”无效，允许：{'、'.join(allowed)}",
                       f"{key} '{defaults[key]}' is not one of {', '.join(allowed)}")
    unknown = set(defaults) - set(DEFAULT_KEYS)
    if unknown:
        raise _bad("defaults", f"未知的默认属性：{'、'.join(sorted(unknown))}",
                   f"unknown default attributes: {', '.join(sorted(unknown))}")


def add_source(session: Session, *, name: str, org: str, type: str, url: str,
               options: dict[str, Any] | None = None, defaults: dict[str, Any] | None = None,
               schedule: str | None = None, allow_private: bool = False, title: str | None = None,
               notify: dict[str, Any] | None = None) -> HarvestSource:
    """Validate and store a harvest source."""
    if not NAME.match(name):
        raise _bad("name", f"来源名称“{name}”须为 2–100 位小写字母、数字、连字符或下划线",
                   f"source name '{name}' must be 2-100 lowercase letters, digits, '-' or '_'")
    options = options or {}
    validate_options(type, options)
    validate_defaults(defaults or {})
    if schedule and not croniter.is_valid(schedule):
        raise _bad("schedule", f"调度表达式“{schedule}”不是合法的 cron 表达式",
                   f"schedule '{schedule}' is not a valid cron expression")
    return harvest_store.create_source(session, name=name, org=org, type=type, url=url, options=options,
                                       defaults=defaults or {}, schedule=schedule,
                                       allow_private=allow_private, title=title, notify=notify)


def source_config(source: HarvestSource, *, allow_private: bool = False) -> SourceConfig:
    defaults = {k: v for k, v in (source.defaults or {}).items() if k in DEFAULT_KEYS}
    return SourceConfig(name=source.name, type=source.type, url=source.url, options=dict(source.options or {}),
                        org=source.organization.name,
                        allow_private=bool(source.allow_private or allow_private), id=source.id, **defaults)
