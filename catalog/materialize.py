"""From staged data to per-audience artifacts: rule subject, decisions, redaction, Parquet blobs, manifest.

Blobs are written first (content-addressed, harmless if nothing ends up referencing them); the
caller records the release rows afterwards in one transaction, so a crash never leaves a partial
release.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from publish_rules import Audience, Decision, FieldSpec, RuleSet, Subject, evaluate

from .errors import Conflict
from .redact import RedactionError, apply_decision, preview
from .storage import BlobStore
from .tabular.ingest import write_parquet

# Monitoring times are Beijing wall-clock times (HJ 212); delays are measured on that clock.
BEIJING = timezone(timedelta(hours=8))
MANIFEST_FORMAT = "ecodata-release-manifest/1"


@dataclass(frozen=True)
class Source:
    """One resource's staged table, as pinned by the submission."""

    resource_id: str
    blob_key: str
    sha256: str
    rows: int
    table_schema: dict[str, Any]
    time_field: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"blob_key": self.blob_key, "sha256": self.sha256, "rows": self.rows,
                "table_schema": self.table_schema, "time_field": self.time_field}

    @classmethod
    def from_dict(cls, resource_id: str, data: dict[str, Any]) -> Source:
        return cls(resource_id, data["blob_key"], data["sha256"], int(data["rows"]), data.get("table_schema") or {},
                   data.get("time_field"))


@dataclass(frozen=True)
class AudienceSpec:
    key: str  # "public", "government", "owner" or "grant:<grant id>"
    audience: Audience
    grant_id: str | None = None


@dataclass(frozen=True)
class FileEntry:
    audience: str
    resource_id: str
    blob_key: str
    sha256: str
    size: int
    rows: int
    fields: list[str]
    channels: list[str]
    grant_id: str | None
    format: str = "parquet"

    def to_dict(self) -> dict[str, Any]:
        return {"audience": self.audience, "resource_id": self.resource_id, "format": self.format,
                "blob_key": self.blob_key, "sha256": self.sha256, "size": self.size, "rows": self.rows,
                "fields": self.fields, "channels": self.channels}


def _schema_fields(table_schema: dict[str, Any]) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(f["name"], f.get("type", "string"), tuple(f.get("tags") or ()))
            for f in table_schema.get("fields") or [] if isinstance(f, dict) and f.get("name")]


def _element_tags(record: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    tags: dict[str, tuple[str, ...]] = {}
    for element in record.get("data_elements") or []:
        for key in (element.get("name_en"), element.get("name")):
            if key:
                tags[key] = tuple(element.get("tags") or ())
    return tags


def subject_for(record: dict[str, Any], source: Source) -> Subject:
    """The rule subject of one resource: dataset metadata plus the staged columns and their tags
    (tags from the Table Schema, joined with the tags of the 信息项 of the same name)."""
    element_tags = _element_tags(record)
    fields = tuple(FieldSpec(name, kind, tuple(dict.fromkeys((*tags, *element_tags.get(name, ())))))
                   for name, kind, tags in _schema_fields(source.table_schema))
    named = [r.get("table_schema") for r in record.get("resources") or []
             if r.get("id") == source.resource_id and isinstance(r.get("table_schema"), str)]
    return Subject(
        name=record["name"], department=record.get("organization", ""),
        open_type=record.get("open_type", "不予开放"), share_type=record.get("share_type", "不予共享"),
        themes=tuple(record.get("themes") or ()), tags=tuple(record.get("keywords") or ()),
        code=record.get("resource_code"), table_schema=named[0] if named else None,
        update_cycle=record.get("update_cycle"), fields=fields)


def time_field_of(source: Source) -> str | None:
    if source.time_field:
        return source.time_field
    for kind in ("datetime", "date"):
        for name, field_type, _tags in _schema_fields(source.table_schema):
            if field_type == kind:
                return name
    return None


def read_source(store: BlobStore, source: Source) -> pa.Table:
    """The staged table, refused if its bytes no longer match what was submitted."""
    try:
        with store.open(source.blob_key) as fh:
            data = fh.read()
    except FileNotFoundError:
        raise Conflict(f"暂存数据文件缺失（资源 {source.resource_id}），请重新上传并提交",
                       f"staged data of resource {source.resource_id} is missing from storage") from None
    if hashlib.sha256(data).hexdigest() != source.sha256:
        raise Conflict(f"暂存数据文件已被改动（资源 {source.resource_id}），请重新上传并提交",
                       f"staged data of resource {source.resource_id} no longer matches its checksum")
    return pq.read_table(io.BytesIO(data))


def decide(record: dict[str, Any], source: Source, ruleset: RuleSet, spec: AudienceSpec) -> Decision:
    return evaluate(subject_for(record, source), ruleset, spec.audience)


def _redacted(table: pa.Table, decision: Decision, source: Source, now: datetime) -> pa.Table:
    try:
        return apply_decision(table, decision, now=now.astimezone(BEIJING), time_field=time_field_of(source))
    except RedactionError as exc:
        raise Conflict(f"无法按规则处理资源 {source.resource_id} 的数据：{exc}",
                       f"the rules cannot be applied to resource {source.resource_id}: {exc}") from exc


def materialize(store: BlobStore, record: dict[str, Any], sources: Iterable[Source], ruleset: RuleSet,
                specs: Iterable[AudienceSpec], now: datetime) -> tuple[list[FileEntry], dict[str, Any]]:
    """Write every audience's redacted Parquet; returns the file entries and per-audience outcomes."""
    files: list[FileEntry] = []
    outcomes: dict[str, Any] = {}
    specs = list(specs)
    for source in sources:
        table = read_source(store, source)
        for spec in specs:
            decision = decide(record, source, ruleset, spec)
            _merge_outcome(outcomes, spec.key, decision)
            if not decision.released:
                continue
            out = _redacted(table, decision, source, now)
            ref = write_parquet(out, store, None)
            files.append(FileEntry(spec.key, source.resource_id, ref.key, ref.sha256, ref.size, out.num_rows,
                                   list(out.column_names), sorted(decision.channels), spec.grant_id))
    return files, outcomes


_RANK = {"deny": 0, "metadata_only": 1, "release": 2}


def _merge_outcome(outcomes: dict[str, Any], key: str, decision: Decision) -> None:
    """One outcome per audience over all resources: the most open one (metadata shows if any part does)."""
    entry = {"outcome": decision.outcome, "level": decision.level,
             "delay_seconds": int(decision.delay.total_seconds()), "channels": sorted(decision.channels),
             "license": decision.license}
    known = outcomes.get(key)
    if known is None or _RANK[decision.outcome] > _RANK[known["outcome"]]:
        outcomes[key] = entry


def preview_sources(store: BlobStore, record: dict[str, Any], sources: Iterable[Source], ruleset: RuleSet,
                    specs: Iterable[AudienceSpec], now: datetime) -> dict[str, Any]:
    """Exactly what each audience would get: per audience, per resource fields, rows, delay, channels."""
    specs = list(specs)
    out: dict[str, Any] = {spec.key: {"audience": spec.audience.to_dict(), "resources": {}} for spec in specs}
    for source in sources:
        table = read_source(store, source)
        for spec in specs:
            decision = decide(record, source, ruleset, spec)
            try:
                shown = preview(table, decision, now.astimezone(BEIJING), time_field=time_field_of(source))
            except RedactionError as exc:
                shown = {"outcome": decision.outcome, "error": str(exc)}
            shown["decision"] = decision.to_dict()
            out[spec.key]["resources"][source.resource_id] = shown
    return out


def build_manifest(*, dataset: dict[str, Any], number: int, submission_id: str | None, record: dict[str, Any],
                   ruleset_version: str, approver: str, approved_at: datetime, now: datetime,
                   sources: Iterable[Source], outcomes: dict[str, Any], files: list[FileEntry],
                   audit_head: dict[str, Any] | None, key_id: str, refresh_of: str | None = None) -> dict[str, Any]:
    from .audit import canonical

    return {
        "format": MANIFEST_FORMAT, "dataset": dataset, "release": number, "submission": submission_id,
        "record_sha256": hashlib.sha256(canonical(record)).hexdigest(), "ruleset_version": ruleset_version,
        "approved_by": approver, "approved_at": approved_at.isoformat(), "materialized_at": now.isoformat(),
        "refresh_of": refresh_of, "audit_head": audit_head, "key_id": key_id,
        "sources": {s.resource_id: {"sha256": s.sha256, "rows": s.rows} for s in sources},
        "audiences": outcomes, "files": [f.to_dict() for f in files],
    }
