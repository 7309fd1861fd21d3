"""Bulk (set-based) and per-dataset (ORM) search documents are the same."""

from __future__ import annotations

import sqlalchemy as sa

from catalog import accounts, datasets
from catalog.authz import Actor
from catalog.demo_data import demo_datasets, demo_departments
from catalog.models import Dataset
from catalog.records import search_document
from catalog.search_documents import all_documents, documents

SYSTEM = Actor(name="test", sysadmin=True)


def _load_demo(catalog, count: int = 25) -> None:
    with catalog.write() as session:
        for dept in demo_departments():
            accounts.create_org(session, dept["name"], dept["title"], code=dept.get("code"))
        for record in demo_datasets()[:count]:
            datasets.create(session, SYSTEM, record)


def _comparable(doc: dict) -> dict:
    return {**doc, "formats": sorted(doc["formats"]), "modified": doc["modified"].isoformat(),
            "created": doc["created"].isoformat()}


def test_bulk_documents_equal_orm_documents(catalog) -> None:
    _load_demo(catalog)
    with catalog.read() as session:
        rows = list(session.scalars(sa.select(Dataset)))
        orm = {d.id: _comparable(search_document(d)) for d in rows}
        bulk = {d["id"]: _comparable(d) for d in documents(session, list(orm))}
        streamed = [d for batch in all_documents(session, batch=7) for d in batch]
    assert bulk == orm
    assert {d["id"]: _comparable(d) for d in streamed} == orm
    assert [d["name"] for d in streamed] == sorted(d["name"] for d in streamed)     # code-point order


def test_deleted_datasets_have_no_document(catalog) -> None:
    _load_demo(catalog, count=3)
    with catalog.write() as session:
        victim = session.scalars(sa.select(Dataset).order_by(Dataset.name)).first()
        datasets.delete(session, SYSTEM, victim.id)
    with catalog.read() as session:
        ids = list(session.scalars(sa.select(Dataset.id)))
        assert victim.id not in {d["id"] for d in documents(session, ids)}
        assert victim.id not in {d["id"] for batch in all_documents(session) for d in batch}
    assert catalog.index.count() == 2


def test_a_discarded_index_is_rebuilt_whole_by_the_next_sync(catalog, monkeypatch) -> None:
    import catalog.indexing as indexing
    from catalog.search.base import SearchQuery

    _load_demo(catalog, count=6)
    with catalog.write() as session:
        victim = session.scalars(sa.select(Dataset).order_by(Dataset.name)).first()
        datasets.delete(session, SYSTEM, victim.id)
    everything = SearchQuery(principals=None, rows=100, sort="name asc")
    before = catalog.index.search(everything).ids
    seq = catalog.index.last_seq()
    catalog.index.clear()                                 # what a new schema version does
    monkeypatch.setattr(indexing, "BATCH", 2)             # more changes than one batch: the rebuild path
    assert catalog.indexer.sync() > 2
    assert catalog.index.last_seq() == seq
    assert catalog.index.search(everything).ids == before
    assert victim.id not in before
