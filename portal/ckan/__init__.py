"""CKAN-compatible Action API at /api/3/action/ (CKAN's envelope, errors and auth header)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from catalog.errors import EcodataError, Forbidden, NotFound, Unauthorized, ValidationFailed

bp = Blueprint("ckan", __name__, url_prefix="/api")
Action = Callable[[dict[str, Any]], Any]
ACTIONS: dict[str, Action] = {}


def action(name: str) -> Callable[[Action], Action]:
    def register(fn: Action) -> Action:
        ACTIONS[name] = fn
        return fn
    return register


def _params() -> dict[str, Any]:
    if request.method == "POST":
        if request.is_json or (request.data and not request.form):
            body = request.get_json(force=True, silent=True)
            if not isinstance(body, dict):
                raise ValidationFailed("请求体必须是 JSON 对象", "The request body must be a JSON object")
            return body
        params: dict[str, Any] = request.form.to_dict()
        params.update({k: v for k, v in request.args.items() if k not in params})
        return params
    out: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        out[key] = values if len(values) > 1 else values[0]
    return out


def _envelope(name: str, success: bool, payload: Any, status: int = 200) -> Response:
    body = {"help": url_for("ckan.action_api", name="help_show", _external=True) + f"?name={name}",
            "success": success}
    body["result" if success else "error"] = payload
    resp = jsonify(body)
    resp.status_code = status
    return resp


def _error(name: str, exc: EcodataError) -> Response:
    if isinstance(exc, NotFound):
        return _envelope(name, False, {"__type": "Not Found Error", "message": exc.message or "Not found"}, 404)
    if isinstance(exc, Forbidden | Unauthorized):
        return _envelope(name, False, {"__type": "Authorization Error", "message": exc.message}, 403)
    if isinstance(exc, ValidationFailed):
        error: dict[str, Any] = {"__type": "Validation Error", "message": exc.message}
        for p in exc.problems:
            error.setdefault(p.location.field or "__root__", []).append(p.message)
        return _envelope(name, False, error, 409)
    return _envelope(name, False, {"__type": "Validation Error", "message": exc.message}, exc.status)


@bp.route("/3/action/<name>", methods=["GET", "POST"], endpoint="action_api")
@bp.route("/action/<name>", methods=["GET", "POST"])
def dispatch(name: str) -> Response:
    fn = ACTIONS.get(name)
    if fn is None:
        return _envelope(name, False, {"__type": "Not Found Error",
                                       "message": f"未知的操作：{name}（Action not found）"}, 400)
    try:
        return _envelope(name, True, fn(_params()))
    except EcodataError as exc:
        return _error(name, exc)


@bp.route("/3", methods=["GET"])
@bp.route("/", methods=["GET"])
def version() -> Response:
    return Response(json.dumps({"version": 3}), mimetype="application/json")


from . import (  # noqa: E402,F401  (registers the actions)
    actions,
    datastore,  # noqa: E402,F401  (datastore_search over released resources)
    harvest_actions,
    write_actions,
)
