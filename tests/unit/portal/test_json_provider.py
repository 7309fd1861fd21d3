"""The orjson-backed JSON provider writes the JSON Flask's own provider writes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup

from portal.app import FastJSONProvider


class Day(dt.date):
    """A date subclass, which orjson does not encode by itself."""


@dataclasses.dataclass
class Point:
    x: int
    label: str


def _flask_json(app: Flask, value: Any) -> str:
    reference = DefaultJSONProvider(app)
    reference.ensure_ascii = False
    return reference.dumps(value, separators=(",", ":"))


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)
    app.json = FastJSONProvider(app)
    return app


VALUES: list[Any] = [
    {"b": 1, "a": [1.5, None, True, "重庆市 · 水质"], "c": {"z": {}, "y": []}},
    {"when": dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC), "day": dt.date(2026, 3, 1)},
    {"subclass": Day(2026, 3, 1), "amount": Decimal("12.50"), "id": uuid.UUID(int=7)},
    {"point": Point(1, "站点"), "html": Markup("<b>粗</b>"), "escape": "\"\\\n\t\u2028/"},
    {"huge": 2 ** 70, "negative": -(2 ** 63)},
]


@pytest.mark.parametrize("value", VALUES)
def test_dumps_matches_flask(app: Flask, value: Any) -> None:
    assert app.json.dumps(value) == _flask_json(app, value)


@pytest.mark.parametrize("value", VALUES)
def test_response_matches_flask(app: Flask, value: Any) -> None:
    with app.app_context():
        resp = app.json.response(value)
    assert resp.mimetype == "application/json"
    assert resp.get_data(as_text=True) == _flask_json(app, value) + "\n"


def test_unencodable_value_is_a_type_error(app: Flask) -> None:
    with pytest.raises(TypeError):
        app.json.dumps({"t": dt.time(8, 0)})


def test_keyword_arguments_and_ascii_go_through_flask(app: Flask) -> None:
    assert app.json.dumps({"b": 1, "a": "水"}, indent=2) == json.dumps({"a": "水", "b": 1}, indent=2,
                                                                         ensure_ascii=False)
    app.json.ensure_ascii = True  # type: ignore[attr-defined]
    assert app.json.dumps({"a": "水"}) == '{"a":"\\u6c34"}'


def test_debug_responses_stay_indented(app: Flask) -> None:
    app.debug = True
    with app.app_context():
        assert app.json.response({"a": 1}).get_data(as_text=True) == '{\n  "a": 1\n}\n'
