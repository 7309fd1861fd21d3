"""Write a new migration from the difference between the models and the head schema.

Usage: python -m catalog.migrations.new "what changed"
Runs against a scratch SQLite database upgraded to every head, so it needs no server.  The
new revision branches off the core revision, so parts of the catalogue that add tables
independently never fight over one linear history.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from catalog.db import alembic_config, make_engine, upgrade

CORE_REVISION = "9a24c74f1a25"


def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'scratch.db'}")
        upgrade(engine)
        script = command.revision(alembic_config(engine), message=message, autogenerate=True,
                                  head=CORE_REVISION, splice=True)
        engine.dispose()
    for rev in script if isinstance(script, list) else [script]:
        if rev is not None:
            _tidy(Path(rev.path))


def _tidy(path: Path) -> None:
    # Autogenerate renders the JSONB variant with a bare ``Text()``; qualify it.
    path.write_text(path.read_text().replace("astext_type=Text()", "astext_type=sa.Text()"))


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "schema change")
