"""Keeps the search index in step with the catalogue's change sequence.

Every dataset write adds a ``catalog_changes`` row in the same transaction.  ``sync``
reindexes what changed since the index's remembered sequence number, so an index that
missed an update (a crash between commit and index write, or another process's write)
catches up the next time any process syncs.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from itertools import chain
from queue import Empty, Queue
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import CatalogChange, Dataset, utcnow
from .search.base import SearchIndex
from .search.tantivy_index import POOL_MIN, PREPARE_TASK, analysis_pool
from .search.tantivy_schema import stored_json_batch
from .search_documents import changed_documents, fill_stored_documents, stale_documents, stored_documents

# A sequence number can commit after a higher one (concurrent PostgreSQL transactions).  A gap
# younger than this is waited for; an older one belongs to a transaction that rolled back.
GAP_PATIENCE = timedelta(seconds=30)
BATCH = 2000


def _watermark(seqs: list[int], start: int, oldest_gap_age: Callable[[int], timedelta | None]) -> int:
    """Highest seq up to which every change is known applied."""
    mark = start
    for seq in seqs:
        if seq != mark + 1:
            age = oldest_gap_age(mark + 1)
            if age is None or age < GAP_PATIENCE:
                return mark
        mark = seq
    return mark


class Indexer:
    def __init__(self, sessionmaker: Callable[[], Session], index: SearchIndex) -> None:
        self.sessionmaker = sessionmaker
        self.index = index
        self._lock = threading.Lock()
        self._last_check = 0.0

    def sync(self) -> int:
        """Apply every change after the index's sequence number; returns how many datasets were touched."""
        with self._lock, self.sessionmaker() as session:
            start = self.index.last_seq()
            rows = session.execute(sa.select(CatalogChange.seq, CatalogChange.dataset_id, CatalogChange.at)
                                   .where(CatalogChange.seq > start).order_by(CatalogChange.seq)).all()
            if not rows:
                self._last_check = time.monotonic()
                return 0
            first_at = rows[0].at
            ids = list(dict.fromkeys(r.dataset_id for r in rows))
            now = utcnow()
            mark = _watermark([r.seq for r in rows], start, lambda _s: now - first_at)
            if start == 0 and len(ids) > BATCH:
                # A new or discarded index (first start, another schema version): building it whole
                # is far cheaper than applying the catalogue's history change by change.
                self._fill_stored()
                session.rollback()                       # end the read snapshot: see what was filled
                self.index.rebuild(_read_ahead(stored_documents(session)), mark)
            else:
                for i in range(0, len(ids), BATCH):
                    self._apply(session, ids[i:i + BATCH])
                self.index.commit(mark)
            self._last_check = time.monotonic()
            return len(ids)

    def _apply(self, session: Session, ids: list[str]) -> None:
        docs = changed_documents(session, ids)
        self.index.upsert(list(docs.values()))
        gone = set(ids) - docs.keys()
        if gone:
            self.index.delete(sorted(gone))

    def sync_if_stale(self, max_age: float = 1.0) -> None:
        """Cheap check before a search: another process may have written since we last looked."""
        if time.monotonic() - self._last_check >= max_age:
            self.sync()

    def reindex(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Rebuild the whole index from the catalogue."""
        with self._lock:
            self._fill_stored()
        with self._lock, self.sessionmaker() as session:
            top = session.scalar(sa.select(sa.func.max(CatalogChange.seq))) or 0
            total = session.scalar(sa.select(sa.func.count()).select_from(Dataset)
                                   .where(Dataset.state != "deleted")) or 0
            done = self.index.rebuild(_read_ahead(_reporting(stored_documents(session), total, progress)), top)
            self._last_check = time.monotonic()
            return done

    def _fill_stored(self) -> int:
        """Store the analysed documents the catalogue lacks (datasets written before it kept them, or
        under another analysis), in transactions of their own, so this and every later rebuild reads
        them instead of analysing.  Many are analysed by worker processes."""
        with self.sessionmaker() as session:
            stale = session.scalar(sa.select(sa.func.count()).select_from(Dataset).where(
                Dataset.state != "deleted", stale_documents())) or 0
            if stale < POOL_MIN:
                return fill_stored_documents(session) if stale else 0
            pool = analysis_pool()
            if pool is None:
                return fill_stored_documents(session)
            with pool:
                return fill_stored_documents(session, analyse=lambda docs: list(chain.from_iterable(
                    pool.map(stored_json_batch, [docs[i:i + PREPARE_TASK] for i in range(0, len(docs), PREPARE_TASK)]))))


def _read_ahead(batches: Iterator[list[Any]], depth: int = 4) -> Iterator[list[Any]]:
    """The batches, read by a thread of their own up to ``depth`` ahead: database drivers wait for
    the database without holding the interpreter lock, so reading overlaps with indexing."""
    queue: Queue[tuple[list[Any] | None, BaseException | None]] = Queue(depth)
    stop = threading.Event()

    def read() -> None:
        try:
            for batch in batches:
                if stop.is_set():
                    return
                queue.put((batch, None))
            queue.put((None, None))
        except BaseException as exc:                      # handed to the consumer, raised there
            queue.put((None, exc))

    reader = threading.Thread(target=read, name="reindex-reader", daemon=True)
    reader.start()
    try:
        while True:
            batch, error = queue.get()
            if error is not None:
                raise error
            if batch is None:
                return
            yield batch
    finally:
        stop.set()
        while reader.is_alive():                         # let a reader blocked on a full queue finish
            with contextlib.suppress(Empty):
                queue.get(timeout=0.1)
        reader.join()


def _reporting(batches: Iterator[list[Any]], total: int,
               progress: Callable[[int, int], None] | None) -> Iterator[list[Any]]:
    """The batches, calling ``progress(read, total)`` as each one is read from the catalogue."""
    read = 0
    for batch in batches:
        read += len(batch)
        yield batch
        if progress:
            progress(read, total)
