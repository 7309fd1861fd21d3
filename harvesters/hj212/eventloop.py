"""Run a coroutine on uvloop when it is installed (``pip install ecodata[fast]``), else on asyncio's loop."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def fast_loop_available() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


def run(coro: Coroutine[Any, Any, T], *, fast: bool = True) -> T:
    if fast and fast_loop_available():
        import uvloop

        return uvloop.run(coro)
    return asyncio.run(coro)
