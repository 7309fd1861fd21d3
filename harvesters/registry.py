"""Source-type registry: built-ins and third parties register through the same seam.

Third-party packages declare an entry point in the ``ecodata.harvesters`` group whose object is a
source type (or a zero-argument callable returning one); built-ins are registered the same way by
:func:`load_builtins`.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from catalog.errors import NotFound
from harvesters.base import SourceType

ENTRY_POINT_GROUP = "ecodata.harvesters"
BUILTIN_MODULES = ("harvesters.ckan", "harvesters.dcat", "harvesters.csw", "harvesters.datapackage",
                   "harvesters.files", "harvesters.sql")

_TYPES: dict[str, SourceType] = {}
_loaded = False


def register_source_type(obj: Any) -> SourceType:
    """Register a source type (an instance, or a class/factory called with no arguments)."""
    inst = obj() if isinstance(obj, type) or (callable(obj) and not hasattr(obj, "to_record")) else obj
    if not isinstance(inst, SourceType):
        raise TypeError(f"{obj!r} does not implement the SourceType protocol")
    _TYPES[inst.name] = inst
    return inst


def load_builtins() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in BUILTIN_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        register_source_type(ep.load())


def get_source_type(name: str) -> SourceType:
    load_builtins()
    try:
        return _TYPES[name]
    except KeyError:
        raise NotFound(f"未知的采集来源类型：{name}", f"unknown harvest source type: {name}",
                       code="harvest_unknown_type") from None


def source_types() -> dict[str, SourceType]:
    load_builtins()
    return dict(_TYPES)
