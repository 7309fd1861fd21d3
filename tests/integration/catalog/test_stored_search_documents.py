"""The analysed index document kept beside each dataset: written with every dataset change, equal to
the one analysis of the catalogue gives, recomputed when stale, and a rebuild from it searches alike."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from catalog import accounts, datasets
from catalog.authz import Actor
from catalog.demo_data import demo_datasets, demo_departments
from catalog.models import Dataset
from catalog.models.publication import StagedTable
from catalog.search.base import SearchQuery
from catalog.search.tantivy_schema import analysis_stamp, stored_json, to_json
from catalog.search_documents import all_documents, changed_documents, stored_documents

SYSTEM = Actor(name="test", sysadmin=True)
FACETS = ["org", "themes", "tags", "formats", "districts", "readers"]
QUERIES = [
    SearchQuery(principals=None, rows=50, facet_fields=FACETS),
    SearchQuery(q="空气质量", principals=None, rows=50, facet_fields=FACETS),
    SearchQuery(q="水质 监测", principals=None, rows=50, facet_fields=FACETS),
    SearchQuery(q="PM2.5", principals=frozenset({"public"}), rows=50, facet_fields=FACETS),
    SearchQuery(principals=None, rows=50, sort="title asc"),
]


def _load_demo(catalog: Any, count: int = 12) -> None:
    records = demo_datasets()[:count]
    with catalog.write() as session:
        for dept in demo_departments():
            accounts.create_org(session, dept["name"], dept["title"], code=dept.get("code"))
        datasets.create(session, SYSTEM, records[0])                 # one on its own
        out = datasets.create_many(session, SYSTEM, records[1:])      # the rest as a batch
    assert all(isinstance(o, str) for o in out)


def _stored(catalog: Any) -> dict[str, tuple[str | None, str | None]]:
    with catalog.read() as session:
        return {r.id: (r.search_doc, r.search_doc_version) for r in session.execute(
            sa.select(Dataset.id, Dataset.search_doc, Dataset.search_doc_version))}


def _computed(catalog: Any) -> dict[str, dict[str, Any]]:
    with catalog.read() as session:
        return {d["id"]: d for batch in all_documents(session, batch=5) for d in batch}


def _assert_stored_current(catalog: Any) -> None:
    stored, computed = _stored(catalog), _computed(catalog)
    for ds_id, (text, version) in stored.items():
        if ds_id in computed:
            assert version == analysis_stamp()
            assert text == stored_json(computed[ds_id])
        else:                                             # deleted
            assert text is None and version is None


def _stage_data_on_first(catalog: Any) -> None:
    with catalog.write() as session:
        ds = session.scalars(sa.select(Dataset).order_by(Dataset.name)).first()
        session.add(StagedTable(resource_id=ds.resources[0].id, dataset_id=ds.id, blob_key="k", sha256="0" * 64,
                                size=1, rows=1))


def _results(catalog: Any) -> list[Any]:
    return [catalog.index.search(q) for q in QUERIES]


def test_stored_documents_equal_computed_after_every_kind_of_write(catalog: Any) -> None:
    _load_demo(catalog)
    _assert_stored_current(catalog)
    with catalog.read() as session:
        first, second, third = session.scalars(sa.select(Dataset.name).order_by(Dataset.name).limit(3))
    catalog.update_dataset(SYSTEM, first, {"title": "更新后的标题 细颗粒物", "keywords": ["噪声", "PM2.5", "B"]},
                           partial=True)
    with catalog.write() as session:
        datasets.set_state(session, SYSTEM, datasets.get_dataset(session, second), "withdrawn", "withdrawn")
    catalog.delete_dataset(SYSTEM, third)
    _assert_stored_current(catalog)


def test_rebuild_reads_stored_documents_as_the_analysis_would_write_them(catalog: Any) -> None:
    _load_demo(catalog)
    _stage_data_on_first(catalog)                         # narrows readers without a dataset write
    with catalog.read() as session:
        stored = [item for batch in stored_documents(session, batch=5) for item in batch]
        computed = [to_json(d) for batch in all_documents(session, batch=5) for d in batch]
    assert all(isinstance(item, str) for item in stored)
    assert stored == computed


def test_rebuild_from_stored_documents_searches_like_rebuild_from_analysis(catalog: Any) -> None:
    _load_demo(catalog)
    with catalog.write() as session:
        datasets.delete(session, SYSTEM, session.scalars(sa.select(Dataset.name).order_by(Dataset.name)).first())
    with catalog.read() as session:
        top = catalog.index.last_seq()
        catalog.index.rebuild(all_documents(session), top)
    analysed = _results(catalog)
    assert catalog.indexer.reindex() == len(_computed(catalog))
    assert _results(catalog) == analysed
    assert analysed[0].count == len(_computed(catalog))


def test_stale_or_missing_stored_documents_are_recomputed(catalog: Any) -> None:
    _load_demo(catalog)
    with catalog.read() as session:
        names = list(session.scalars(sa.select(Dataset.name).order_by(Dataset.name)))
    catalog.indexer.reindex()
    before = _results(catalog)
    with catalog.write() as session:                      # another analysis; written before the column
        session.execute(sa.update(Dataset).where(Dataset.name == names[0])
                        .values(search_doc='{"id":"wrong"}', search_doc_version="0:old"))
        session.execute(sa.update(Dataset).where(Dataset.name.in_(names[1:4]))
                        .values(search_doc=None, search_doc_version=None))
    with catalog.read() as session:
        items = [item for batch in stored_documents(session) for item in batch]
    assert sum(not isinstance(item, str) for item in items) == 4      # analysed again, not passed through
    assert catalog.indexer.reindex() == len(names)
    assert _results(catalog) == before
    _assert_stored_current(catalog)                       # and stored again for the next rebuild


def test_incremental_update_reads_stored_documents_as_the_analysis_would_write_them(catalog: Any) -> None:
    _load_demo(catalog)
    _stage_data_on_first(catalog)                         # narrows readers without a dataset write
    with catalog.write() as session:                      # one stale, one missing: analysed here
        names = list(session.scalars(sa.select(Dataset.name).order_by(Dataset.name)))
        session.execute(sa.update(Dataset).where(Dataset.name == names[1])
                        .values(search_doc='{"id":"wrong"}', search_doc_version="0:old"))
        session.execute(sa.update(Dataset).where(Dataset.name == names[2]).values(search_doc=None))
    with catalog.read() as session:
        ids = list(session.scalars(sa.select(Dataset.id).order_by(Dataset.name)))
        changed = changed_documents(session, [*reversed(ids), "no-such-dataset"])
        computed = {d["id"]: d for batch in all_documents(session, batch=5) for d in batch}
    assert list(changed) == list(computed)                # every live one, in name order
    assert [isinstance(item, str) for item in changed.values()] == [i not in (1, 2) for i in range(len(ids))]
    assert {ds_id: item if isinstance(item, str) else to_json(item) for ds_id, item in changed.items()} == {
        ds_id: to_json(doc) for ds_id, doc in computed.items()}


def test_incremental_updates_search_like_a_rebuild(catalog: Any) -> None:
    _load_demo(catalog)
    catalog.indexer.sync()
    with catalog.read() as session:
        first, second = session.scalars(sa.select(Dataset.name).order_by(Dataset.name).limit(2))
    catalog.update_dataset(SYSTEM, first, {"title": "嘉陵江 细颗粒物 自动监测", "keywords": ["PM2.5"]}, partial=True)
    catalog.delete_dataset(SYSTEM, second)
    catalog.indexer.sync()
    incremental = _results(catalog)
    catalog.indexer.reindex()
    assert _results(catalog) == incremental               # ties included: sort keys never tie
    assert catalog.index.search(SearchQuery(q="嘉陵江 细颗粒物", principals=None)).ids[0] == _id_of(catalog, first)


def _id_of(catalog: Any, name: str) -> str:
    with catalog.read() as session:
        return str(session.scalar(sa.select(Dataset.id).where(Dataset.name == name)))
