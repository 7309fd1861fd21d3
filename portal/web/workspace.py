"""The signed-in department workspace: dashboard, dataset register/edit form, tokens, members."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from catalog import datasets
from catalog.authz import Actor, can_write_in
from catalog.errors import ValidationFailed
from catalog.models import Dataset, Organization
from portal.app import get_catalog
from portal.auth import resolve_actor

from . import forms, plugins
from .i18n import pick

bp = Blueprint("web_workspace", __name__)
EMPTY_ELEMENT_ROWS = 3
DASHBOARD_ROWS = 15


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if resolve_actor().anonymous:
            return redirect(url_for("web_account.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapper


def writable_orgs(actor: Actor) -> list[tuple[str, str]]:
    with get_catalog().read() as session:
        orgs = session.scalars(sa.select(Organization).order_by(Organization.code, Organization.name))
        return [(o.name, pick(o.title, o.title_en)) for o in orgs if can_write_in(actor, o.id)]


@bp.route("/workspace")
@signed_in
def dashboard() -> str:
    actor = resolve_actor()
    with get_catalog().read() as session:
        org_ids = list(actor.roles) if not actor.sysadmin else list(session.scalars(sa.select(Organization.id)))
        orgs = session.scalars(sa.select(Organization).where(Organization.id.in_(org_ids))
                               .order_by(Organization.code)).all()
        live = sa.and_(Dataset.org_id.in_(org_ids), Dataset.state != "deleted")
        total = session.scalar(sa.select(sa.func.count()).select_from(Dataset).where(live)) or 0
        rows = session.scalars(sa.select(Dataset).where(live).order_by(Dataset.metadata_modified.desc())
                               .limit(DASHBOARD_ROWS)).all()
        mine = [{"name": d.name, "title": d.title, "state": d.state, "open_type": d.open_type,
                 "modified": d.metadata_modified, "editable": can_write_in(actor, d.org_id)} for d in rows]
        memberships = [{"name": o.name, "title": pick(o.title, o.title_en),
                        "role": actor.roles.get(o.id, "admin" if actor.sysadmin else "")} for o in orgs]
        counts = {"datasets": total, **_pending_counts(session, actor)}
    return render_template("web/workspace/dashboard.html", datasets=mine, memberships=memberships,
                           counts=counts, can_create=bool(writable_orgs(actor)))


def _pending_counts(session: sa.orm.Session, actor: Actor) -> dict[str, int]:
    """Work waiting for this person: submissions to review and access requests to decide."""
    out: dict[str, int] = {}
    if plugins.has("publication"):
        from catalog.models.publication import Submission
        from catalog.publication import may_review

        pending = session.scalars(sa.select(Submission).where(Submission.state == "pending"))
        out["reviews"] = sum(1 for s in pending if may_review(actor, s.dataset) and s.submitted_by != actor.user_id)
    if plugins.has("access"):
        from catalog.access import may_decide
        from catalog.models.publication import AccessRequest

        waiting = session.scalars(sa.select(AccessRequest).where(AccessRequest.state == "pending"))
        out["requests"] = sum(1 for r in waiting if may_decide(actor, r.dataset.org_id))
    return out


@bp.route("/dataset/new", methods=["GET", "POST"])
@signed_in
def new_dataset() -> str | Response | tuple[str, int]:
    actor = resolve_actor()
    orgs = writable_orgs(actor)
    if not orgs:
        abort(403)
    if request.method == "POST":
        record = forms.record_from_form(request.form)
        try:
            created = get_catalog().create_dataset(actor, record)
        except ValidationFailed as exc:
            return _form(orgs, forms.form_values(record), exc, new=True), 422
        flash(_("数据集已登记。上传数据文件并提交发布后，经审核即可对外提供数据。") if plugins.has("publication")
              else _("数据集已登记"), "success")
        return redirect(url_for("web.dataset", name=created["name"]))
    initial = {"organization": request.args.get("org") or orgs[0][0]}
    return _form(orgs, forms.form_values(initial), None, new=True)


@bp.route("/dataset/edit/<name>", methods=["GET", "POST"])
@signed_in
def edit_dataset(name: str) -> str | Response | tuple[str, int]:
    actor = resolve_actor()
    catalog = get_catalog()
    with catalog.read() as session:
        ds = datasets.get_visible(session, actor, name)
        if not can_write_in(actor, ds.org_id):
            abort(403)
        existing = datasets.dataset_record(ds)
    orgs = writable_orgs(actor)
    if request.method == "POST":
        record = forms.merged_record(existing, forms.record_from_form(request.form))
        try:
            updated = catalog.update_dataset(actor, name, record)
        except ValidationFailed as exc:
            return _form(orgs, forms.form_values(record), exc, new=False, name=name), 422
        flash(_("修改已保存"), "success")
        return redirect(url_for("web.dataset", name=updated["name"]))
    return _form(orgs, forms.form_values(existing), None, new=False, name=name)


def _form(orgs: list[tuple[str, str]], values: dict[str, Any], error: ValidationFailed | None, *,
          new: bool, name: str = "") -> str:
    problems = list(error.problems) if error else []
    by_field = forms.problems_by_field(problems)
    elements = list(values.get("data_elements") or [])
    rows = elements + [{}] * EMPTY_ELEMENT_ROWS
    return render_template("web/workspace/dataset_form.html", sections=forms.fields(orgs), values=values,
                           errors=by_field, problems=problems, error=error, element_rows=rows,
                           element_types=forms.element_types(), new=new, name=name)
