"""/api/v1/hj212: monitoring points (HJ 212 loggers) and their alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from catalog import hj212_points
from catalog.models.hj212 import ALERT_KINDS, Alert
from portal.app import get_catalog
from portal.auth import require_user, resolve_actor

PATH = "/hj212"
blp = Blueprint("hj212", __name__, description="HJ 212 在线监测点与报警 · HJ 212 monitoring points and alerts")


class AlertQuerySchema(ma.Schema):
    point = ma.fields.String(metadata={"description": "MN of one monitoring point"})
    kind = ma.fields.String(validate=ma.validate.OneOf(ALERT_KINDS))
    since = ma.fields.AwareDateTime(metadata={"description": "raised at or after (ISO 8601 with zone)"})
    limit = ma.fields.Integer(load_default=200, validate=ma.validate.Range(min=1, max=1000))


class AlertSchema(ma.Schema):
    id = ma.fields.Integer()
    mn = ma.fields.String()
    point_name = ma.fields.String()
    factor = ma.fields.String(allow_none=True)
    kind = ma.fields.String()
    value = ma.fields.Float(allow_none=True)
    limit = ma.fields.Float(allow_none=True)
    flag = ma.fields.String(allow_none=True)
    message = ma.fields.String()
    frame_sha256 = ma.fields.String(allow_none=True)
    data_time = ma.fields.DateTime(allow_none=True)
    raised_at = ma.fields.DateTime()
    acknowledged_at = ma.fields.DateTime(allow_none=True)


class FactorSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    unit = ma.fields.String()
    limit = ma.fields.Float(allow_none=True)


class PointSchema(ma.Schema):
    mn = ma.fields.String()
    name = ma.fields.String()
    kind = ma.fields.String()
    st = ma.fields.String()
    organization = ma.fields.String()
    district_code = ma.fields.String(allow_none=True)
    lon = ma.fields.Float(allow_none=True)
    lat = ma.fields.Float(allow_none=True)
    factors = ma.fields.List(ma.fields.Nested(FactorSchema))
    dataset_id = ma.fields.String(allow_none=True)
    interval_seconds = ma.fields.Integer()
    state = ma.fields.String()
    extras = ma.fields.Dict()


def alert_view(alert: Alert) -> dict[str, Any]:
    return {"id": alert.id, "mn": alert.mn, "point_name": alert.point.name, "factor": alert.factor,
            "kind": alert.kind, "value": alert.value, "limit": alert.limit, "flag": alert.flag,
            "message": alert.message, "frame_sha256": alert.frame_sha256, "data_time": alert.data_time,
            "raised_at": alert.raised_at, "acknowledged_at": alert.acknowledged_at}


@blp.route("/alerts")
class AlertCollection(MethodView):
    @blp.arguments(AlertQuerySchema, location="query")
    @blp.response(200, AlertSchema(many=True))
    @blp.doc(security=[{"token": []}])
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Alerts of your departments' monitoring points, newest first (members of the owning department only)."""
        actor = require_user()
        since: datetime | None = args.get("since")
        with get_catalog().read() as session:
            rows = hj212_points.list_alerts(session, actor, point=args.get("point"), kind=args.get("kind"),
                                            since=since, limit=args["limit"])
            return [alert_view(a) for a in rows]


@blp.route("/points")
class PointCollection(MethodView):
    @blp.response(200, PointSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Monitoring points: all of your departments' points with their configuration; anyone else sees a
        point only when its series dataset is open to them.  Passwords are never returned."""
        actor = resolve_actor()
        with get_catalog().read() as session:
            return [hj212_points.point_view(p, owner) for p, owner in hj212_points.visible_points(session, actor)]
