from __future__ import annotations

import os
from pathlib import Path

import pytest

CORPORA = Path(__file__).resolve().parents[3].parent / "shared" / "corpora"


@pytest.fixture
def corpora() -> Path:
    """The shared third-party corpora; skip (or fail under ECODATA_REQUIRE_SERVICES=1) when absent."""
    if CORPORA.is_dir():
        return CORPORA
    if os.environ.get("ECODATA_REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes", "on"}:
        pytest.fail(f"test corpora missing at {CORPORA}")
    pytest.skip(f"test corpora not available at {CORPORA}")
