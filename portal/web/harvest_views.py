"""Harvest sources of a department: register a source, start a job, read job reports."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from catalog.authz import Actor
from catalog.errors import EcodataError
from portal.app import get_catalog
from portal.auth import resolve_actor
from portal.harvest_access import admin_orgs, start_job

from .i18n import pick
from .workspace import signed_in

bp = Blueprint("web_harvest", __name__)
TYPE_NAMES = {"ckan": "CKAN 门户", "dcat": "DCAT 目录（RDF）", "csw": "CSW 目录服务", "datapackage": "数据包",
              "files": "文件目录（CSV/XLSX/JSON）", "sql": "数据库视图"}


@bp.route("/workspace/harvest", methods=["GET", "POST"])
@signed_in
def sources() -> str | Response | tuple[str, int]:
    from catalog import harvest_store
    from harvesters.registry import load_builtins, source_types

    actor = resolve_actor()
    orgs = admin_orgs(actor)
    if orgs == []:
        abort(403)
    load_builtins()
    error, values = None, request.form.to_dict()
    if request.method == "POST":
        error = _add(actor, values)
        if error is None:
            flash(_("采集来源已登记"), "success")
            return redirect(url_for("web_harvest.source", name=values["name"]))
    with get_catalog().read() as session:
        rows = [{"name": s.name, "title": s.title or s.name, "type": s.type, "url": s.url,
                 "org": pick(s.organization.title, s.organization.title_en), "schedule": s.schedule,
                 "running": bool(s.current_job_id)} for s in harvest_store.list_sources(session, orgs)]
        from .workspace import writable_orgs

        choices = [(code, title) for code, title in writable_orgs(actor)]
    types = [(name, TYPE_NAMES.get(name, name)) for name in source_types()]
    return render_template("web/workspace/harvest_sources.html", sources=rows, types=types, orgs=choices,
                           error=error, values=values), (422 if error else 200)


def _add(actor: Actor, values: dict[str, Any]) -> str | None:
    from catalog import harvest_store
    from harvesters.sources import add_source

    try:
        options = json.loads(values.get("options") or "{}")
    except json.JSONDecodeError as exc:
        return _("选项须为 JSON 对象：%(e)s", e=str(exc))
    try:
        with get_catalog().write() as session:
            org_id = harvest_store.get_org_id(session, values.get("org", ""))
            allowed = admin_orgs(actor)
            if allowed is not None and org_id not in allowed:
                abort(403)
            add_source(session, name=values.get("name", ""), org=values.get("org", ""), type=values.get("type", ""),
                       url=values.get("url", ""), options=options if isinstance(options, dict) else {},
                       schedule=values.get("schedule") or None, title=values.get("title") or None)
    except EcodataError as exc:
        details = "；".join(pick(p.message, p.message_en) for p in exc.problems)
        return pick(exc.message, exc.message_en) + (f"：{details}" if details else "")
    return None


@bp.route("/workspace/harvest/<name>", methods=["GET", "POST"])
@signed_in
def source(name: str) -> str | Response:
    from catalog import harvest_store
    from harvesters import jobs, runner

    actor = resolve_actor()
    catalog = get_catalog()
    with catalog.read() as session:
        row = harvest_store.get_source(session, name)
        allowed = admin_orgs(actor)
        if allowed is not None and row.org_id not in allowed:
            abort(404)
        info = {"name": row.name, "title": row.title or row.name, "type": row.type, "url": row.url,
                "options": row.options, "schedule": row.schedule}
        job_ids = [j.id for j in harvest_store.list_jobs(session, [row.id], limit=20)]
    if request.method == "POST":
        try:
            job_id = runner.queue_job(catalog, name, dry_run=request.form.get("dry_run") == "1")
            start_job(catalog, job_id)
        except EcodataError as exc:
            flash(pick(exc.message, exc.message_en), "error")
            return redirect(url_for("web_harvest.source", name=name))
        flash(_("采集任务已启动"), "success")
        return redirect(url_for("web_harvest.job", job_id=job_id))
    return render_template("web/workspace/harvest_source.html", source=info,
                           jobs=[jobs.report(catalog, i) for i in job_ids])


@bp.route("/workspace/harvest/job/<job_id>")
@signed_in
def job(job_id: str) -> str:
    from catalog import harvest_store
    from catalog.models import HarvestSource
    from harvesters import jobs

    actor = resolve_actor()
    catalog = get_catalog()
    with catalog.read() as session:
        found = harvest_store.get_job(session, job_id)
        src = session.get(HarvestSource, found.source_id)
        allowed = admin_orgs(actor)
        if src is None or (allowed is not None and src.org_id not in allowed):
            abort(404)
    return render_template("web/workspace/harvest_job.html", report=jobs.report(catalog, job_id))
