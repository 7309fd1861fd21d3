"""Web pages for the HJ 212 feed: monitoring points (public where their data is open) and alerts
(members of the owning department)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask, redirect, render_template, request, url_for

from catalog import hj212_points
from catalog.models import Dataset
from catalog.models.hj212 import ALERT_KINDS
from portal.app import get_catalog
from portal.auth import resolve_actor

bp = Blueprint("web_hj212", __name__, template_folder="templates")
KIND_ZH = {"over_limit": "超限值", "flag": "数据标记异常", "silent": "超时未上报"}
POINT_KIND_ZH = {"enterprise": "企业排放口", "station": "监测站"}


@bp.route("/hj212/points")
def points() -> str:
    actor = resolve_actor()
    with get_catalog().read() as session:
        visible = hj212_points.visible_points(session, actor)
        ids = [p.dataset_id for p, _ in visible if p.dataset_id]
        names = {row.id: row.name for row in session.execute(
            sa.select(Dataset.id, Dataset.name).where(Dataset.id.in_(ids)))}
        rows = [{**hj212_points.point_view(p, owner), "dataset_name": names.get(p.dataset_id or ""),
                 "kind_zh": POINT_KIND_ZH[p.kind]} for p, owner in visible]
    return render_template("hj212/points.html", points=rows, signed_in=not actor.anonymous)


@bp.route("/hj212/alerts")
def alerts() -> Any:
    actor = resolve_actor()
    if actor.anonymous:
        return redirect(url_for("web_account.login", next=request.full_path.rstrip("?")))
    kind = request.args.get("kind") or None
    kind = kind if kind in ALERT_KINDS else None
    point = request.args.get("point") or None
    with get_catalog().read() as session:
        rows = [{"mn": a.mn, "point_name": a.point.name, "factor": a.factor, "kind": a.kind,
                 "kind_zh": KIND_ZH[a.kind], "value": a.value, "limit": a.limit, "flag": a.flag,
                 "message": a.message, "data_time": _local(a.data_time), "raised_at": _local(a.raised_at)}
                for a in hj212_points.list_alerts(session, actor, point=point, kind=kind)]
    return render_template("hj212/alerts.html", alerts=rows, kinds=KIND_ZH, kind=kind, point=point)


def _local(stamp: datetime | None) -> datetime | None:
    """Beijing time, as HJ 212 and the department's staff read it."""
    return stamp.astimezone(hj212_points.BEIJING) if stamp is not None else None


def init_app(app: Flask) -> None:
    if "web_account" in app.blueprints:  # the pages extend the site's base template and its sign-in
        app.register_blueprint(bp)

