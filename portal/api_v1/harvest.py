"""/api/v1/harvest: harvest sources, jobs and reports, and the kept original records."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from catalog import harvest_store
from catalog.authz import can_read
from catalog.errors import Forbidden, NotFound, ValidationFailed
from catalog.models import Dataset, HarvestSource
from harvesters import jobs, runner
from harvesters.sources import add_source
from portal.app import get_catalog
from portal.auth import require_user, resolve_actor
from portal.harvest_access import admin_orgs, check_source, start_job

PATH = "/harvest"
blp = Blueprint("harvest", __name__, description="元数据采集 · Harvesting")
SOURCE_FIELDS = ("name", "org", "type", "url", "options", "defaults", "schedule", "allow_private", "title", "notify")


def _source(s: HarvestSource) -> dict[str, Any]:
    return {"id": s.id, "name": s.name, "title": s.title, "org": s.organization.name, "type": s.type, "url": s.url,
            "options": s.options, "defaults": s.defaults, "schedule": s.schedule, "allow_private": s.allow_private,
            "active": s.active, "notify": s.notify, "running_job": s.current_job_id, "created": s.created.isoformat()}


@blp.route("/sources")
class SourceCollection(MethodView):
    @blp.response(200)
    def get(self) -> list[dict[str, Any]]:
        """List the harvest sources you manage."""
        actor = require_user()
        with get_catalog().read() as session:
            return [_source(s) for s in harvest_store.list_sources(session, admin_orgs(actor))]

    @blp.response(201)
    def post(self) -> dict[str, Any]:
        """Register a harvest source (department admin or sysadmin)."""
        actor = require_user()
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ValidationFailed("请求体应为 JSON 对象", "the request body must be a JSON object")
        with get_catalog().write() as session:
            org = harvest_store.get_org_id(session, str(body.get("org", "")))
            orgs = admin_orgs(actor)
            if orgs is not None and org not in orgs:
                raise Forbidden("只有该部门的管理员可以登记采集来源", "only the department's admins may add sources")
            source = add_source(session, **{k: body[k] for k in SOURCE_FIELDS if k in body})
            return _source(source)


@blp.route("/sources/<name>")
class SourceItem(MethodView):
    @blp.response(200)
    def get(self, name: str) -> dict[str, Any]:
        """Read one source."""
        actor = require_user()
        with get_catalog().read() as session:
            source = harvest_store.get_source(session, name)
            check_source(actor, source)
            return _source(source)


@blp.route("/sources/<name>/jobs")
class SourceJobs(MethodView):
    @blp.response(200)
    def get(self, name: str) -> list[dict[str, Any]]:
        """Recent jobs of a source."""
        actor = require_user()
        catalog = get_catalog()
        with catalog.read() as session:
            source = harvest_store.get_source(session, name)
            check_source(actor, source)
            ids = [j.id for j in harvest_store.list_jobs(session, [source.id])]
        return [jobs.report(catalog, i) for i in ids]

    @blp.response(202)
    def post(self, name: str) -> dict[str, Any]:
        """Start a job (``{"dry_run": true}`` to only show what would change)."""
        actor = require_user()
        catalog = get_catalog()
        with catalog.read() as session:
            check_source(actor, harvest_store.get_source(session, name))
        body = request.get_json(silent=True) or {}
        job_id = runner.queue_job(catalog, name, dry_run=bool(body.get("dry_run")))
        start_job(catalog, job_id)
        return jobs.report(catalog, job_id)


@blp.route("/jobs/<job_id>")
class JobItem(MethodView):
    @blp.response(200)
    def get(self, job_id: str) -> dict[str, Any]:
        """A job's report: counts per outcome and the error of every failed or invalid record."""
        actor = require_user()
        catalog = get_catalog()
        with catalog.read() as session:
            job = harvest_store.get_job(session, job_id)
            source = session.get(HarvestSource, job.source_id)
            if source is None:
                raise NotFound(f"采集任务不存在：{job_id}", f"harvest job not found: {job_id}")
            check_source(actor, source)
        return jobs.report(catalog, job_id)


@blp.route("/objects/<object_id>/original")
class OriginalRecord(MethodView):
    @blp.response(200)
    def get(self, object_id: str) -> Response:
        """The original remote record as harvested (for anyone who may see its dataset)."""
        actor = resolve_actor()
        with get_catalog().read() as session:
            obj = harvest_store.get_object(session, object_id)
            ds = session.get(Dataset, obj.dataset_id) if obj.dataset_id else None
            if ds is None or not can_read(actor, ds):
                raise NotFound(f"采集原始记录不存在：{object_id}", f"harvest object not found: {object_id}")
            ext = {"application/json": "json", "application/n-triples": "nt"}.get(obj.content_type, "bin")
            return Response(obj.content, mimetype=obj.content_type or "application/octet-stream", headers={
                "Content-Disposition": f'attachment; filename="harvest-{object_id}.{ext}"'})
