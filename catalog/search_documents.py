"""Search documents built straight from the tables, for bulk indexing.

The ORM path (``records.search_document``) is right for a handful of changed datasets;
rebuilding an index of 100,000 datasets needs a few set-based queries instead of
hundreds of thousands of object loads.  A full rebuild (``all_documents``) goes further: one
streaming query per table, every one in dataset-name order, merged as they are read, so there are
no per-batch lists of ids to bind.  Tests pin that all three paths build the same documents.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, groupby
from operator import itemgetter
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .authz import readers_for
from .models import DataElement, Dataset, DatasetTag, Group, Organization, Resource, dataset_groups
from .models.publication import Release, StagedTable
from .search.tantivy_schema import analysis_stamp, stored_json_batch, with_distinct_readers
from .visibility import narrow_documents, narrowed, release_state

_DATASET_COLUMNS = (Dataset.id, Dataset.name, Dataset.title, Dataset.notes, Dataset.meta, Dataset.org_id,
                    Dataset.state, Dataset.private, Dataset.open_type, Dataset.share_type, Dataset.update_cycle,
                    Dataset.license_id, Dataset.metadata_modified, Dataset.metadata_created,
                    Dataset.resource_code, Organization.name.label("org_name"),
                    Organization.title.label("org_title"))


def _grouped(session: Session, stmt: Any) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for key, value in session.execute(stmt):
        out[key].append(value)
    return out


def _children(session: Session, ids: Sequence[str]) -> tuple[dict[str, list[Any]], ...]:
    tags = _grouped(session, sa.select(DatasetTag.dataset_id, DatasetTag.name)
                    .where(DatasetTag.dataset_id.in_(ids)).order_by(DatasetTag.dataset_id, DatasetTag.name))
    themes = _grouped(session, sa.select(dataset_groups.c.dataset_id, Group.name)
                      .join(Group, Group.id == dataset_groups.c.group_id)
                      .where(dataset_groups.c.dataset_id.in_(ids)).order_by(dataset_groups.c.dataset_id,
                                                                            Group.name))
    formats = _grouped(session, sa.select(Resource.dataset_id, Resource.format)
                       .where(Resource.dataset_id.in_(ids), Resource.format.is_not(None)))
    elements = _grouped(session, sa.select(DataElement.dataset_id, DataElement.name)
                        .where(DataElement.dataset_id.in_(ids))
                        .order_by(DataElement.dataset_id, DataElement.position))
    return tags, themes, formats, elements


def documents(session: Session, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Search documents of the given datasets (deleted ones are skipped)."""
    rows = list(session.execute(sa.select(*_DATASET_COLUMNS).join(Organization, Organization.id == Dataset.org_id)
                                .where(Dataset.id.in_(ids), Dataset.state != "deleted")).all())
    # Code-point order by name, whatever the database's collation: equal-scoring hits then rank
    # the same on every backend (the index breaks ties by insertion order).
    rows.sort(key=lambda r: r.name)
    tags, themes, formats, elements = _children(session, ids)
    docs = []
    for r in rows:
        meta = r.meta or {}
        docs.append({
            "id": r.id, "name": r.name, "title": r.title, "title_en": meta.get("title_en") or "",
            "description": r.notes or "", "keywords": sorted(tags.get(r.id, [])), "org": r.org_name,
            "org_title": r.org_title, "themes": sorted(themes.get(r.id, [])), "tags": sorted(tags.get(r.id, [])),
            "formats": sorted({f.upper() for f in formats.get(r.id, []) if f}),
            "districts": list(meta.get("districts") or []), "update_cycle": r.update_cycle or "",
            "open_type": r.open_type, "license_id": r.license_id or "", "state": r.state,
            "readers": readers_for(r.org_id, r.state, r.private, r.open_type, r.share_type),
            "modified": r.metadata_modified, "created": r.metadata_created,
            "resource_code": r.resource_code or "", "elements": elements.get(r.id, []),
        })
    narrow_documents(session, docs)
    return docs


def _binary(column: Any, session: Session) -> Any:
    return column.collate("C") if session.get_bind().dialect.name == "postgresql" else column


_D, _O = Dataset.__table__.c, Organization.__table__.c
_LIVE = _D.state != "deleted"


def _dataset_rows(session: Session) -> Any:
    """Every live dataset with its department, in name order.  Only the two values search needs are
    read out of ``meta``, so the (large) JSON document is never parsed in Python."""
    meta = Dataset.__table__.c.meta
    stmt = (sa.select(_D.id, _D.name, _D.title, _D.notes, _D.org_id, _D.state, _D.private, _D.open_type,
                      _D.share_type, _D.update_cycle, _D.license_id, _D.metadata_modified, _D.metadata_created,
                      _D.resource_code, meta["title_en"].as_string().label("title_en"),
                      meta["districts"].label("districts"), _O.name.label("org_name"),
                      _O.title.label("org_title"))
            .join(Organization.__table__, _O.id == _D.org_id).where(_LIVE).order_by(_binary(_D.name, session)))
    return _stream(session, stmt)


def _stream(session: Session, stmt: Any) -> Any:
    return session.connection().execution_options(stream_results=True, yield_per=5000).execute(stmt)


def _grouped_by_name(result: Any) -> Iterator[tuple[str, Any]]:
    """(dataset name, its rows) from a result ordered by dataset name; rows are read a few thousand at
    a time and grouped in C, as per-row fetching would cost more than the rest of the document build."""
    rows = chain.from_iterable(result.partitions())
    return ((name, list(group)) for name, group in groupby(rows, key=itemgetter(0)))


def _child_rows(session: Session, table: Any, value: Any, *order: Any, where: Any = None) -> Iterator[Any]:
    """(dataset name, rows of (name, value)) of one child table, in dataset-name order."""
    stmt = (sa.select(_D.name, value).select_from(table).join(Dataset.__table__, _D.id == table.c.dataset_id)
            .where(_LIVE).order_by(_binary(_D.name, session), *order))
    if where is not None:
        stmt = stmt.where(where)
    return _grouped_by_name(_stream(session, stmt))


def _children_streams(session: Session) -> tuple[Iterator[Any], ...]:
    tags, groups, resources, elements = (DatasetTag.__table__, dataset_groups, Resource.__table__,
                                         DataElement.__table__)
    group = Group.__table__.c
    themes = (sa.select(_D.name, group.name).select_from(groups).join(Group.__table__, group.id == groups.c.group_id)
              .join(Dataset.__table__, _D.id == groups.c.dataset_id).where(_LIVE)
              .order_by(_binary(_D.name, session), _binary(group.name, session)))
    return (_child_rows(session, tags, tags.c.name, _binary(tags.c.name, session)),
            _grouped_by_name(_stream(session, themes)),
            _child_rows(session, resources, resources.c.format, where=resources.c.format.is_not(None)),
            _child_rows(session, elements, elements.c.name, elements.c.position))


def _take(groups: Iterator[tuple[str, Any]], pending: list[Any], name: str) -> list[Any]:
    """The values of dataset ``name`` from a stream of (dataset name, rows) groups in the datasets' order.

    ``pending`` holds the one group read ahead.  Groups of a dataset the dataset stream did not see
    (one written while the streams were being read) are skipped, so they cannot hold up the rest."""
    while True:
        if not pending:
            group = next(groups, None)
            if group is None:
                return []
            pending.append(group)
        if pending[0][0] > name:
            return []
        group_name, rows = pending.pop()
        if group_name == name:
            return [row[1] for row in rows]


def _release_state(session: Session) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """(manifest of each dataset's latest active release, datasets that carry data), for every dataset:
    the set-wise form of what ``visibility.narrow_documents`` reads per batch."""
    manifests = {dataset_id: manifest for dataset_id, manifest in session.execute(
        sa.select(Release.dataset_id, Release.manifest).where(Release.state == "active").order_by(Release.number))}
    carrying = set(session.scalars(sa.union(sa.select(StagedTable.dataset_id), sa.select(Release.dataset_id))))
    return manifests, carrying


def _stream_document(r: Any, tags: list[str], themes: list[str], formats: list[str], elements: list[str],
                     manifests: dict[str, dict[str, Any]], carrying: set[str]) -> dict[str, Any]:
    owner = f"org:{r.org_id}"
    by_attributes = readers_for(r.org_id, r.state, r.private, r.open_type, r.share_type)
    return {
        "id": r.id, "name": r.name, "title": r.title, "title_en": r.title_en or "",
        "description": r.notes or "", "keywords": tags, "org": r.org_name,
        "org_title": r.org_title, "themes": themes, "tags": list(tags),
        "formats": sorted({f.upper() for f in formats if f}),
        "districts": list(r.districts or []), "update_cycle": r.update_cycle or "",
        "open_type": r.open_type, "license_id": r.license_id or "", "state": r.state,
        "readers": narrowed(owner, by_attributes, manifests.get(r.id), r.id in carrying),
        "modified": r.metadata_modified, "created": r.metadata_created,
        "resource_code": r.resource_code or "", "elements": elements,
    }


def all_documents(session: Session, batch: int = 5000) -> Iterator[list[dict[str, Any]]]:
    """Every live dataset's document, in batches, in name order (code points, the same on SQLite and
    PostgreSQL): five streaming queries read side by side."""
    manifests, carrying = _release_state(session)
    streams = _children_streams(session)
    pending: list[list[Any]] = [[] for _ in streams]
    for chunk in _chunks(chain.from_iterable(_dataset_rows(session).partitions()), batch):
        docs = []
        for r in chunk:
            tags, themes, formats, elements = (_take(rows, ahead, r.name)
                                               for rows, ahead in zip(streams, pending, strict=True))
            docs.append(_stream_document(r, tags, themes, formats, elements, manifests, carrying))
        yield docs


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    for _key, group in groupby(enumerate(rows), key=lambda item: item[0] // size):
        yield list(map(itemgetter(1), group))


# -- documents kept in the catalogue --------------------------------------------------------------

def stale_documents(stamp: str | None = None) -> Any:
    """Where a dataset's stored index document is missing or was made under another analysis."""
    stamp = stamp or analysis_stamp()
    return sa.or_(_D.search_doc.is_(None), _D.search_doc_version.is_(None), _D.search_doc_version != stamp)


_STORED_COLUMNS = (_D.id, _D.org_id, _D.state, _D.private, _D.open_type, _D.share_type, _D.search_doc,
                   _D.search_doc_version)


def _completed(session: Session, rows: Iterable[Any], stamp: str, manifests: dict[str, dict[str, Any]],
               carrying: set[str]) -> dict[str, dict[str, Any] | str]:
    """Index documents by id, in the rows' order, from rows of ``_STORED_COLUMNS``: the stored text
    completed with the readers worked out now (the ``to_json`` text), or, where the stored document
    is missing or was made under another analysis, the search document, to be analysed when indexed.
    A dataset deleted since its row was read is left out."""
    out: dict[str, dict[str, Any] | str] = {}
    stale = []
    for ds_id, org_id, state, private, open_type, share_type, text, version in rows:   # (a hot loop)
        if text is None or version != stamp:
            stale.append(ds_id)
            out[ds_id] = {}                              # its place in the order, filled below
            continue
        readers = narrowed(f"org:{org_id}", readers_for(org_id, state, private, open_type, share_type),
                           manifests.get(ds_id), ds_id in carrying)
        out[ds_id] = with_distinct_readers(text, readers)
    if stale:
        out.update((doc["id"], doc) for doc in documents(session, stale))
        for ds_id in stale:
            if not out[ds_id]:
                del out[ds_id]
    return out


def stored_documents(session: Session, batch: int = 5000) -> Iterator[list[dict[str, Any] | str]]:
    """Every live dataset's index document, in batches, in name order, as ``all_documents`` gives them
    but mostly already analysed (see ``_completed``)."""
    stamp = analysis_stamp()
    manifests, carrying = _release_state(session)
    stmt = sa.select(*_STORED_COLUMNS).where(_LIVE).order_by(_binary(_D.name, session))
    for chunk in _chunks(chain.from_iterable(_stream(session, stmt).partitions()), batch):
        yield list(_completed(session, chunk, stamp, manifests, carrying).values())


def changed_documents(session: Session, ids: Sequence[str]) -> dict[str, dict[str, Any] | str]:
    """Index documents of these datasets for an incremental update, by id, in name order, deleted ones
    left out (see ``_completed``).  Every write stores its dataset's analysed document, so an update
    normally analyses nothing."""
    rows = sorted(session.execute(sa.select(*_STORED_COLUMNS, _D.name).where(_D.id.in_(ids), _LIVE)),
                  key=lambda r: r.name)                  # code points, as ``documents`` orders them
    manifests, carrying = release_state(session, [r.id for r in rows])
    return _completed(session, (tuple(r)[:-1] for r in rows), analysis_stamp(), manifests, carrying)


def fill_stored_documents(session: Session, batch: int = 2000,
                          analyse: Callable[[list[dict[str, Any]]], list[str]] | None = None) -> int:
    """Store the index document of live datasets that lack a current one (written before the column
    existed, or under another analysis); returns how many.  ``analyse``: documents → ``stored_json``
    texts, e.g. spread over worker processes.  A row written meanwhile (its modified time moved) is
    left to the write that moved it, which stored its own document."""
    stamp = analysis_stamp()
    analyse = analyse or stored_json_batch
    done, after = 0, ""
    while True:
        ids = list(session.scalars(sa.select(_D.id).where(_LIVE, stale_documents(stamp), _D.id > after)
                                   .order_by(_D.id).limit(batch)))
        if not ids:
            return done
        after = ids[-1]
        docs = documents(session, ids)
        texts = analyse(docs)
        session.execute(sa.update(cast(sa.Table, Dataset.__table__))
                        .where(_D.id == sa.bindparam("doc_id"), _D.metadata_modified == sa.bindparam("modified"))
                        .values(search_doc=sa.bindparam("text"), search_doc_version=stamp),
                        [{"doc_id": d["id"], "modified": d["modified"], "text": t}
                         for d, t in zip(docs, texts, strict=True)])
        session.commit()
        done += len(docs)
