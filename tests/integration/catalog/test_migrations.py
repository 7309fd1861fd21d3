"""Models and migrations never drift apart (on SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from catalog.models import Base


def _diff(engine) -> list:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, Base.metadata)


def test_models_match_migrations(catalog) -> None:
    assert _diff(catalog.db.engine) == []


def test_upgrade_is_idempotent(catalog) -> None:
    catalog.db.upgrade()
    assert _diff(catalog.db.engine) == []
