"""Realistic subjects for the disclosure-rule tests (Chongqing monitoring datasets)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from publish_rules import RuleSet, Subject, load_ruleset

TABLES = Path(__file__).resolve().parents[3] / "schemas" / "tables"


def table_fields(schema: str, *extra: tuple[str, str, tuple[str, ...]]) -> tuple:
    """(name, type, tags) of a shipped Table Schema, plus data elements a dataset adds."""
    fields = json.loads((TABLES / f"{schema}.json").read_text(encoding="utf-8"))["fields"]
    return tuple((f["name"], f["type"], tuple(f.get("tags", ()))) for f in fields) + extra


AIR_FIELDS = table_fields("air_quality_hourly", ("maintainer_phone", "string", ("personal",)))
POLLUTION_FIELDS = table_fields("pollution_source_emissions")
RADIATION_FIELDS = table_fields("radiation_dose_rate", ("safety_officer", "string", ("personal",)))


def air_subject(**overrides: object) -> Subject:
    values: dict[str, object] = dict(
        name="cq-air-hourly-2026", department="cq-sthjj", open_type="无条件开放", share_type="无条件共享",
        themes=("air",), tags=("空气质量", "PM2.5"), code="216001/000101", table_schema="air_quality_hourly",
        update_cycle="实时", fields=AIR_FIELDS)
    values.update(overrides)
    return Subject(**values)  # type: ignore[arg-type]


def pollution_subject(**overrides: object) -> Subject:
    values: dict[str, object] = dict(
        name="cq-pollution-source-online", department="cq-sthjj", open_type="无条件开放",
        share_type="无条件共享", themes=("pollution-source",), tags=("重点排污单位", "在线监控"),
        code="216003/000017", table_schema="pollution_source_emissions", update_cycle="实时",
        fields=POLLUTION_FIELDS)
    values.update(overrides)
    return Subject(**values)  # type: ignore[arg-type]


def radiation_subject(**overrides: object) -> Subject:
    values: dict[str, object] = dict(
        name="cq-radiation-sources", department="cq-sthjj", open_type="有条件开放",
        share_type="无条件共享", themes=("radiation",), tags=("放射源",), code="216005/000004",
        table_schema=None, update_cycle="每月", fields=RADIATION_FIELDS)
    values.update(overrides)
    return Subject(**values)  # type: ignore[arg-type]


def health_subject(**overrides: object) -> Subject:
    values: dict[str, object] = dict(
        name="cq-drinking-water-health", department="cq-wsjkw", open_type="无条件开放",
        share_type="无条件共享", themes=("drinking-water",), tags=("饮用水卫生",), code="316010/000002",
        update_cycle="每季度",
        fields=(("site_name", "C", ()), ("sample_date", "D", ()), ("coliform", "N", ()),
                ("patient_name", "C", ("personal",))))
    values.update(overrides)
    return Subject(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def shipped() -> RuleSet:
    return load_ruleset()


FACTORIES = {"air": air_subject, "pollution": pollution_subject, "radiation": radiation_subject,
             "health": health_subject}


@pytest.fixture(scope="session")
def subjects() -> dict[str, object]:
    """Subject factories by short name; call with overrides, e.g. ``subjects['air'](open_type=...)``."""
    return FACTORIES
