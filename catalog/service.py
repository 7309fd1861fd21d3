"""The catalogue as one object: database, search index and the glue between them.

The portal, the CLI and the harvesters all work through a :class:`Catalog`; the search
index is brought up to date after every committed write.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from . import datasets
from .authz import Actor, principals
from .db import Database
from .indexing import Indexer
from .search import open_index
from .search.base import SearchIndex, SearchQuery, SearchResult
from .settings import Config


class Catalog:
    def __init__(self, config: Config, *, database: Database | None = None,
                 index: SearchIndex | None = None) -> None:
        self.config = config
        config.home.mkdir(parents=True, exist_ok=True)
        self.db = database or Database(config.database_url)
        self.index = index or open_index(config["ECODATA_SEARCH_URL"], config.home)
        self.indexer = Indexer(self.db.sessionmaker, self.index)

    def upgrade(self) -> None:
        self.db.upgrade()

    def start(self) -> None:
        """Migrate and catch the index up with writes it has not seen."""
        self.db.upgrade()
        with self.db.session() as session:
            datasets.fill_record_cache(session)
        self.indexer.sync()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction; the search index is updated once it has committed."""
        with self.db.session() as session:
            yield session
        self.indexer.sync()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.db.session() as session:
            yield session

    def create_dataset(self, actor: Actor, record: dict[str, Any]) -> dict[str, Any]:
        with self.write() as session:
            ds = datasets.create(session, actor, record)
            out = datasets.dataset_record(ds)
        return out

    def update_dataset(self, actor: Actor, name_or_id: str, record: dict[str, Any], *,
                       partial: bool = False) -> dict[str, Any]:
        with self.write() as session:
            ds = datasets.update(session, actor, name_or_id, record, partial=partial)
            out = datasets.dataset_record(ds)
        return out

    def delete_dataset(self, actor: Actor, name_or_id: str) -> None:
        with self.write() as session:
            datasets.delete(session, actor, name_or_id)

    def show_dataset(self, actor: Actor, name_or_id: str) -> dict[str, Any]:
        with self.read() as session:
            return datasets.show(session, actor, name_or_id)

    def search(self, actor: Actor, query: SearchQuery) -> SearchResult:
        self.indexer.sync_if_stale()
        query.principals = principals(actor)
        return self.index.search(query)

    def close(self) -> None:
        self.db.dispose()
