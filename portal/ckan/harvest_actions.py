"""CKAN-style ``harvest_*`` actions (the names and shapes ckanext-harvest clients use).

They sit on the same sources, jobs and reports as ``/api/v1/harvest`` and the same permissions: a
department admin sees and runs their department's sources, a sysadmin all of them, nobody else any.
"""

from __future__ import annotations

import json
from typing import Any

from catalog import harvest_store
from catalog.errors import Forbidden, Location, Problem, ValidationFailed
from catalog.models import HarvestJob, HarvestSource
from harvesters import jobs, runner
from harvesters.sources import add_source
from portal.app import get_catalog
from portal.auth import require_user
from portal.harvest_access import admin_orgs, check_source, start_job

from . import action

# ckanext-harvest's frequencies as cron expressions (fired at 02:00, when departments' systems are quiet).
FREQUENCIES = {"DAILY": "0 2 * * *", "WEEKLY": "0 2 * * 1", "BIWEEKLY": "0 2 1,15 * *", "MONTHLY": "0 2 1 * *"}
CRON_TO_FREQUENCY = {cron: name for name, cron in FREQUENCIES.items()}
# Our item outcomes under the names of ckanext-harvest's job statistics.
STAT_NAMES = {"added": "added", "updated": "updated", "unchanged": "not modified", "withdrawn": "deleted",
              "invalid": "errored", "failed": "errored"}
JOB_STATUS = {"queued": "New", "running": "Running", "finished": "Finished", "failed": "Finished"}


def _required(params: dict[str, Any], *names: str) -> str:
    for name in names:
        if params.get(name):
            return str(params[name])
    raise ValidationFailed(f"缺少参数 {names[0]}", f"Missing value: {names[0]}", problems=[
        Problem("required", "缺少必填参数", "Missing value", Location(field=names[0]))])


def _schedule(frequency: Any) -> str | None:
    value = str(frequency or "MANUAL").strip()
    if value.upper() == "MANUAL":
        return None
    if value.upper() in FREQUENCIES:
        return FREQUENCIES[value.upper()]
    return value  # a cron expression; add_source validates it


def _config(value: Any) -> dict[str, Any]:
    if not value:
        return {}
    if isinstance(value, dict):
        return value
    try:
        parsed = json.loads(str(value))
    except json.JSONDecodeError as exc:
        raise ValidationFailed("配置（config）不是合法的 JSON", "config is not valid JSON", problems=[
            Problem("invalid_json", f"config 不是合法的 JSON：{exc.msg}（第 {exc.pos} 个字符）",
                    f"config is not valid JSON: {exc.msg} at character {exc.pos}", Location(field="config"))]) from None
    if not isinstance(parsed, dict):
        raise ValidationFailed("配置（config）应为 JSON 对象", "config must be a JSON object", problems=[
            Problem("invalid_type", "config 应为 JSON 对象", "config must be a JSON object", Location(field="config"))])
    return parsed


def source_dict(source: HarvestSource, last: HarvestJob | None, job_count: int) -> dict[str, Any]:
    return {
        "id": source.id, "name": source.name, "title": source.title or source.name, "type": "harvest",
        "url": source.url, "source_type": source.type, "owner_org": source.organization.name,
        "frequency": CRON_TO_FREQUENCY.get(source.schedule or "", source.schedule or "MANUAL"),
        "config": json.dumps(source.options or {}, ensure_ascii=False), "state": "active" if source.active else "deleted",
        "metadata_created": source.created.isoformat(),
        "status": {"job_count": job_count, "last_job": job_dict(last) if last else None,
                   "running_job": source.current_job_id},
    }


def job_dict(job: HarvestJob, counts: dict[str, int] | None = None) -> dict[str, Any]:
    stats: dict[str, int] = dict.fromkeys(("added", "updated", "not modified", "deleted", "errored"), 0)
    for outcome, n in (counts if counts is not None else (job.counts or {})).items():
        stats[STAT_NAMES.get(outcome, outcome)] = stats.get(STAT_NAMES.get(outcome, outcome), 0) + int(n)
    return {
        "id": job.id, "source_id": job.source_id, "status": JOB_STATUS.get(job.status, job.status),
        "ecodata_status": job.status, "dry_run": job.dry_run, "created": _iso(job.created),
        "gather_started": _iso(job.started), "finished": _iso(job.finished), "stats": stats, "error": job.error,
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _source_out(session: Any, source: HarvestSource) -> dict[str, Any]:
    recent = harvest_store.list_jobs(session, [source.id], limit=1)
    return source_dict(source, recent[0] if recent else None, harvest_store.count_jobs(session, source.id))


@action("harvest_source_list")
def harvest_source_list(params: dict[str, Any]) -> list[dict[str, Any]]:
    actor = require_user()
    with get_catalog().read() as session:
        sources = harvest_store.list_sources(session, admin_orgs(actor))
        if params.get("organization_id"):
            sources = [s for s in sources if params["organization_id"] in (s.organization.name, s.org_id)]
        return [_source_out(session, s) for s in sources]


@action("harvest_source_show")
def harvest_source_show(params: dict[str, Any]) -> dict[str, Any]:
    actor = require_user()
    ident = _required(params, "id", "name")
    with get_catalog().read() as session:
        source = harvest_store.get_source(session, ident)
        check_source(actor, source)
        return _source_out(session, source)


@action("harvest_source_create")
def harvest_source_create(params: dict[str, Any]) -> dict[str, Any]:
    actor = require_user()
    name, url = _required(params, "name"), _required(params, "url")
    source_type, org = _required(params, "source_type"), _required(params, "owner_org")
    with get_catalog().write() as session:
        org_id = harvest_store.get_org_id(session, org)
        allowed = admin_orgs(actor)
        if allowed is not None and org_id not in allowed:
            raise Forbidden("只有该部门的管理员可以登记采集来源", "only the department's admins may add sources")
        source = add_source(session, name=name, org=org, type=source_type, url=url,
                            options=_config(params.get("config")), schedule=_schedule(params.get("frequency")),
                            title=params.get("title") or None,
                            allow_private=str(params.get("allow_private", "")).lower() in ("1", "true"))
        return source_dict(source, None, 0)


def _job_for(actor: Any, session: Any, job_id: str) -> HarvestJob:
    job = harvest_store.get_job(session, job_id)
    check_source(actor, harvest_store.get_source(session, job.source_id))
    return job


@action("harvest_job_create")
def harvest_job_create(params: dict[str, Any]) -> dict[str, Any]:
    """Queue a job for a source and start it (``run=false`` only queues it)."""
    actor = require_user()
    ident = _required(params, "source_id", "source")
    catalog = get_catalog()
    with catalog.read() as session:
        source = harvest_store.get_source(session, ident)
        check_source(actor, source)
        name = source.name
    job_id = runner.queue_job(catalog, name, dry_run=str(params.get("dry_run", "")).lower() in ("1", "true"))
    if str(params.get("run", "true")).lower() not in ("0", "false"):
        start_job(catalog, job_id)
    with catalog.read() as session:
        return job_dict(harvest_store.get_job(session, job_id), {})


@action("harvest_job_show")
def harvest_job_show(params: dict[str, Any]) -> dict[str, Any]:
    actor = require_user()
    with get_catalog().read() as session:
        job = _job_for(actor, session, _required(params, "id"))
        return job_dict(job, harvest_store.current_counts(session, job))


@action("harvest_job_list")
def harvest_job_list(params: dict[str, Any]) -> list[dict[str, Any]]:
    actor = require_user()
    with get_catalog().read() as session:
        if params.get("source_id"):
            source = harvest_store.get_source(session, str(params["source_id"]))
            check_source(actor, source)
            source_ids: list[str] | None = [source.id]
        else:
            allowed = admin_orgs(actor)
            source_ids = None if allowed is None else [
                s.id for s in harvest_store.list_sources(session, allowed)]
        found = harvest_store.list_jobs(session, source_ids, limit=int(params.get("limit") or 50))
        if params.get("status"):
            found = [j for j in found if JOB_STATUS.get(j.status) == params["status"] or j.status == params["status"]]
        return [job_dict(j) for j in found]


@action("harvest_job_report")
def harvest_job_report(params: dict[str, Any]) -> dict[str, Any]:
    """The job's errors the way ckanext-harvest reports them: gather errors and errors per record."""
    actor = require_user()
    catalog = get_catalog()
    job_id = _required(params, "id")
    with catalog.read() as session:
        _job_for(actor, session, job_id)
    report = jobs.report(catalog, job_id)
    gather = [report["error"]] if report["error"] else []
    objects = {e["remote_id"]: {"guid": e["remote_id"], "outcome": e["outcome"],
                                "errors": [{"message": p.get("message", ""), "message_en": p.get("message_en", ""),
                                            "type": p.get("code", e["outcome"]), "location": p.get("location")}
                                           for p in (e["problems"] or [{"message": e["message"]}])]}
               for e in report["errors"]}
    return {"job": report, "gather_errors": gather, "object_errors": objects}
