"""The Flask application factory: the composition root of ecodata."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from catalog.service import Catalog
from catalog.settings import Config, load

from . import auth


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
