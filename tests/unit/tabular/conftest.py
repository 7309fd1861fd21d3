from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CORPORA = REPO.parent / "shared" / "corpora"


def corpora_or_skip() -> Path:
    if CORPORA.is_dir():
        return CORPORA
    if os.environ.get("ECODATA_REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes", "on"}:
        pytest.fail(f"test corpora missing at {CORPORA}")
    pytest.skip(f"test corpora not available at {CORPORA}")
