"""Which optional parts of the system are installed; their sections render only when they are."""

from __future__ import annotations

from importlib.util import find_spec

from flask import current_app

MODULES = {
    "publication": "catalog.publication",
    "releases": "catalog.releases",
    "access": "catalog.access",
    "harvest": "harvesters.runner",
}


def has(part: str) -> bool:
    try:
        return find_spec(MODULES[part]) is not None
    except ModuleNotFoundError:
        return False


def has_endpoint(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def download_url(name: str, resource_id: str, fmt: str) -> str | None:
    """The released-data download address, when the delivery module has registered its route."""
    adapter = current_app.url_map.bind("")
    for rule in current_app.url_map.iter_rules():
        if "/resource/<" in rule.rule and "/download." in rule.rule and len(rule.arguments) == 3:
            try:
                return adapter.build(rule.endpoint, {**_args(rule.arguments, name, resource_id, fmt)})
            except Exception:  # noqa: BLE001 - a rule of another shape: try the next one
                continue
    return None


def _args(names: set[str], name: str, resource_id: str, fmt: str) -> dict[str, str]:
    values = {}
    for arg in names:
        if "fmt" in arg or "format" in arg or arg == "ext":
            values[arg] = fmt
        elif "res" in arg or arg == "rid":
            values[arg] = resource_id
        else:
            values[arg] = name
    return values
