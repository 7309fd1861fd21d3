"""Data delivery routes: downloads of released artifacts, the zip bulk download, datapackage.json,
released Table Schemas; the data API is a flask-smorest blueprint (``rows_api``) listed in api_v1."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from .downloads import bp

    app.register_blueprint(bp)
