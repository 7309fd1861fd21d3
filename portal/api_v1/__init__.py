"""REST API v1 (flask-smorest): OpenAPI 3.1 at /api/v1/openapi.json, docs at /api/v1/docs.

One JSON error shape for every failure: ``{"error": {"code", "message", "message_en", "status",
"problems": [{"code", "message", "location": {...}}]}}``.
"""

from __future__ import annotations

from typing import Any

import swagger_ui_bundle
from flask import Flask, Response, jsonify, send_from_directory
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from catalog.errors import EcodataError

PREFIX = "/api/v1"


def error_response(status: int, code: str, message: str, message_en: str = "",
                   problems: list[dict[str, Any]] | None = None) -> Response:
    body: dict[str, Any] = {"code": code, "message": message, "message_en": message_en or message,
                            "status": status, "problems": problems or []}
    resp = jsonify({"error": body})
    resp.status_code = status
    return resp


def _http_error(exc: HTTPException) -> Response:
    problems = []
    messages = getattr(exc, "data", {}).get("messages") if hasattr(exc, "data") else None
    for location, fields in (messages or {}).items():
        for name, errors in (fields.items() if isinstance(fields, dict) else [("", fields)]):
            for err in errors if isinstance(errors, list) else [errors]:
                problems.append({"code": "invalid", "message": str(err),
                                 "location": {"field": name, "in": location}})
    return error_response(exc.code or 500, (exc.name or "error").lower().replace(" ", "_"),
                          _ZH.get(exc.code or 500, exc.name or "错误"), exc.description or exc.name or "",
                          problems)


_ZH = {400: "请求有误", 401: "需要身份验证", 403: "没有权限", 404: "未找到", 405: "不支持该请求方法",
       409: "冲突", 413: "请求体过大", 422: "请求参数校验未通过", 429: "请求过于频繁", 500: "服务器内部错误"}


def _ecodata_error(exc: EcodataError) -> Response:
    return error_response(exc.status, exc.code, exc.message, exc.message_en,
                          [p.as_dict() for p in exc.problems])


def init_app(app: Flask) -> Api:
    app.config.update(
        API_TITLE="ecodata API", API_VERSION="v1", OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX=PREFIX, OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs", OPENAPI_SWAGGER_UI_URL=f"{PREFIX}/docs/assets/",
        API_SPEC_OPTIONS={
            "info": {"description": "重庆市生态环境监测数据开放平台 REST API。数据集元数据、资源、部门、检索与令牌。",
                     "title": "ecodata API"},
            "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
        },
    )
    api = Api(app, spec_kwargs={"servers": [{"url": "/"}]})

    @app.route(f"{PREFIX}/docs/assets/<path:filename>")
    def swagger_assets(filename: str) -> Response:
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)

    from . import datasets, harvest, hj212, organizations, publication, tokens

    for module in (datasets, harvest, hj212, organizations, publication, tokens, __import__("portal.data.rows_api", fromlist=["blp"])):
        api.register_blueprint(module.blp, url_prefix=f"{PREFIX}{module.PATH}")

    def handle(exc: Exception) -> Response:
        if isinstance(exc, EcodataError):
            return _ecodata_error(exc)
        assert isinstance(exc, HTTPException)
        return _http_error(exc)

    app.register_error_handler(EcodataError, _api_or_reraise(handle, app))
    app.register_error_handler(HTTPException, _api_or_reraise(handle, app))
    return api


def _api_or_reraise(handler: Any, app: Flask) -> Any:
    """API paths get the JSON error shape; other paths fall through to the site's own pages."""
    from flask import request

    def dispatch(exc: Exception) -> Any:
        if request.path.startswith(PREFIX):
            return handler(exc)
        fallback = app.extensions.get("ecodata.page_error_handler")
        if fallback is not None:
            return fallback(exc)
        if isinstance(exc, HTTPException):
            return exc
        return handler(exc)
    return dispatch
