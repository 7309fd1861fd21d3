"""The Flask application factory: the composition root of ecodata."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any, cast

import orjson
from flask import Flask, Response
from flask.json.provider import DefaultJSONProvider
from werkzeug.sansio.response import Response as BaseResponse

from catalog.service import Catalog
from catalog.settings import Config, load

from . import auth


class FastJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with orjson doing the encoding: the same JSON (sorted keys, dates as HTTP
    dates, Decimal and UUID as strings, non-ASCII as UTF-8) about ten times faster, which matters for
    the ~50 KB search replies.  Anything orjson refuses (integers beyond 64 bits, custom ``dumps``
    arguments, ``ensure_ascii``) goes through Flask's own encoder, so nothing encodes differently
    except NaN and infinities, which orjson writes as null (they are not JSON)."""

    ensure_ascii = False
    _OPTIONS = (orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
                | orjson.OPT_PASSTHROUGH_DATACLASS)

    def _encode(self, obj: Any) -> bytes | None:
        """UTF-8 JSON, or None when Flask's encoder must do it."""
        if self.ensure_ascii:
            return None
        try:
            return orjson.dumps(obj, default=self.default, option=self._OPTIONS)
        except orjson.JSONEncodeError:
            return None

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Compact JSON, as ``response`` writes it; keyword arguments ask for Flask's encoder."""
        if kwargs:
            return super().dumps(obj, **kwargs)
        encoded = self._encode(obj)
        return super().dumps(obj, separators=(",", ":")) if encoded is None else encoded.decode()

    def response(self, *args: Any, **kwargs: Any) -> BaseResponse:
        if (self.compact is None and self._app.debug) or self.compact is False:
            return super().response(*args, **kwargs)  # indented for people reading it
        encoded = self._encode(self._prepare_response_obj(args, kwargs))
        if encoded is None:
            return super().response(*args, **kwargs)
        response_class = cast(type[Response], self._app.response_class)  # a Flask app's
        return response_class(encoded + b"\n", mimetype=self.mimetype)


def _secret_key(config: Config) -> str:
    if config["ECODATA_SECRET_KEY"]:
        return str(config["ECODATA_SECRET_KEY"])
    path = config.home / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(config: Config | None = None, *, catalog: Catalog | None = None,
               **flask_config: Any) -> Flask:
    config = config or load()
    app = Flask(__name__, static_folder=str(Path(__file__).parent / "static"))
    app.json = FastJSONProvider(app)
    app.config.update(
        SECRET_KEY=_secret_key(config),
        JSON_AS_ASCII=False,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=str(config["ECODATA_SITE_URL"]).startswith("https://"),
        MAX_CONTENT_LENGTH=2 * 1024 ** 3,
    )
    app.config.update(flask_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    logging.basicConfig(level=config["ECODATA_LOG_LEVEL"])

    app.extensions["ecodata.config"] = config
    app.extensions["ecodata.catalog"] = catalog or Catalog(config)
    app.extensions["ecodata.catalog"].start()

    auth.init_app(app)
    _register_blueprints(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from .api_v1 import init_app as init_api_v1
    from .ckan import bp as ckan_bp

    app.register_blueprint(ckan_bp)
    init_api_v1(app)
    for hook in _optional_blueprints():
        hook(app)


def _optional_blueprints() -> list[Any]:
    """Blueprints of other parts of the portal register through ``init_app`` functions listed here."""
    from importlib import import_module

    hooks = []
    for module in ("portal.web", "portal.dcat", "portal.admin", "portal.data", "portal.wellknown", "portal.web_hj212"):
        try:
            mod = import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        hooks.append(mod.init_app)
    return hooks


def get_catalog() -> Catalog:
    from flask import current_app

    return current_app.extensions["ecodata.catalog"]  # type: ignore[no-any-return]
