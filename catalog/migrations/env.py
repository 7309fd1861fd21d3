"""Alembic environment: the engine comes from the caller (catalog.db.upgrade)."""

from __future__ import annotations

from alembic import context

import catalog.models  # noqa: F401  (registers every table)
from catalog.models.base import Base

target_metadata = Base.metadata


def run_migrations() -> None:
    engine = context.config.attributes["engine"]
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        context.run_migrations()


run_migrations()
