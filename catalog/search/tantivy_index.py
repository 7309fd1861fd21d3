"""The embedded search backend: a Tantivy index in a folder, shared by every process on the machine.

Layout: ``<path>/tantivy/`` holds the index, ``<path>/state.json`` its schema version and the last
catalogue change sequence applied.  Any number of processes may search; writing takes Tantivy's
writer lock, which this class holds only from the first change until the next ``commit``, so
processes take turns.  An index built with another schema version is discarded and rebuilt empty
(``last_seq`` becomes 0, which tells the indexer to reindex everything).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from multiprocessing.pool import Pool
from pathlib import Path
from typing import Any

import orjson
import tantivy

from ..errors import Conflict, ValidationFailed
from .analysis import warm_up
from .base import SearchQuery, SearchResult, check_query, sort_facet_counts
from .state import IndexState, StateFile
from .tantivy_query import build_query
from .tantivy_schema import SCHEMA_VERSION, build_schema, to_document, to_json_batch

SORT_FIELDS: dict[str, tuple[str, tantivy.Order]] = {
    "modified desc": ("modified_sort", tantivy.Order.Desc),
    "modified asc": ("modified_sort", tantivy.Order.Asc),
    "created desc": ("created_sort", tantivy.Order.Desc),
    "created asc": ("created_sort", tantivy.Order.Asc),
    "title asc": ("title_sort", tantivy.Order.Asc),
    "title desc": ("title_sort", tantivy.Order.Desc),
    "name asc": ("name", tantivy.Order.Asc),
    "name desc": ("name", tantivy.Order.Desc),
    "id asc": ("id", tantivy.Order.Asc),
    "id desc": ("id", tantivy.Order.Desc),
}
# Per-segment term buckets kept by the terms aggregation; above every field's cardinality, so
# counts merged across segments are exact rather than estimates.
SEGMENT_BUCKETS = 60_000
LOCK_WAIT_SECONDS = 10.0


TIE_PAD = 20
# A rebuild hands documents to worker processes in tasks of this many, with at most about
# PREPARE_AHEAD tasks waiting, which bounds the memory held by documents on their way.
PREPARE_TASK = 500
PREPARE_AHEAD = 8
REBUILD_HEAP_MB = 256


# Fewer documents left to analyse in one batch than this are analysed here: starting workers (and
# loading the dictionary) would cost more than they save.
POOL_MIN = 2000


def _tasks(batch: Sequence[dict | str]) -> Iterator[list[dict | str]]:
    for i in range(0, len(batch), PREPARE_TASK):
        yield list(batch[i:i + PREPARE_TASK])


def analysis_pool() -> Pool | None:
    """Worker processes for analysis, forked (so they share the loaded dictionary), one per CPU; None
    on a single CPU, where fork is unavailable, or inside a daemonic process."""
    cpus = os.cpu_count() or 1
    if cpus < 2 or "fork" not in multiprocessing.get_all_start_methods() or multiprocessing.current_process().daemon:
        return None                                      # (a daemonic process may not start children)
    warm_up()
    return multiprocessing.get_context("fork").Pool(cpus)


def _prepared(batches: Iterable[Sequence[dict | str]]) -> Iterator[list[str]]:
    """Each batch's documents as JSON, in order.  A string is already that JSON (a document the
    catalogue stored analysed) and passes through; text analysis of the others (most of a rebuild's
    work when nothing is stored) runs in worker processes, started at the first batch with many
    documents to analyse, while this one reads the catalogue and writes the index."""
    pool: Pool | None = None
    pool_tried = False
    waiting: deque[Any] = deque()                       # lists of JSON text, or pending results of one
    try:
        for batch in batches:
            to_analyse = sum(not isinstance(doc, str) for doc in batch)
            if to_analyse >= POOL_MIN and not pool_tried:
                pool, pool_tried = analysis_pool(), True
            if not to_analyse:
                waiting.append(list(batch))
            elif pool is None:
                waiting.append(to_json_batch(batch))
            else:
                waiting.extend(pool.apply_async(to_json_batch, (task,)) for task in _tasks(batch))
            while len(waiting) > PREPARE_AHEAD or (waiting and isinstance(waiting[0], list)):
                yield _ready(waiting.popleft())
        while waiting:
            yield _ready(waiting.popleft())
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


def _ready(item: Any) -> list[str]:
    return item if isinstance(item, list) else item.get()


def _prepared_for_upsert(doc: dict | str) -> tuple[str, tantivy.Document | str]:
    if isinstance(doc, str):
        return str(orjson.loads(doc)["id"]), doc
    return str(doc["id"]), to_document(doc)


class TantivyIndex:
    def __init__(self, path: Path, *, writer_heap_mb: int = 64, writer_threads: int = 0,
                 lock_wait: float = LOCK_WAIT_SECONDS) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._dir = self.path / "tantivy"
        self._state = StateFile(self.path / "state.json")
        self._heap = writer_heap_mb * 1_000_000
        self._threads = writer_threads
        self._lock_wait = lock_wait
        self._writer: tantivy.IndexWriter | None = None
        self._pending: set[str] = set()                  # ids added since the last commit
        self._lock = threading.RLock()
        self._index = self._open()
        self._schema = self._index.schema

    # -- opening -------------------------------------------------------------------------------
    def _open(self) -> tantivy.Index:
        with self._state.locked():
            state = self._state.read()
            index = None
            if state is not None and state.schema_version == SCHEMA_VERSION and tantivy.Index.exists(
                    str(self._dir)):
                with contextlib.suppress(ValueError):     # unreadable: rebuilt like any derived data
                    index = tantivy.Index.open(str(self._dir))
            if index is None:
                index = self._create()
        index.config_reader("commit")
        return index

    def _create(self) -> tantivy.Index:
        shutil.rmtree(self._dir, ignore_errors=True)
        self._dir.mkdir(parents=True)
        index = tantivy.Index(build_schema(), path=str(self._dir))
        self._state.write(IndexState(schema_version=SCHEMA_VERSION, last_seq=0))   # lock already held
        return index

    # -- writing -------------------------------------------------------------------------------
    def _acquire_writer(self) -> tantivy.IndexWriter:
        if self._writer is not None:
            return self._writer
        deadline = time.monotonic() + self._lock_wait
        while True:
            try:
                self._writer = self._index.writer(heap_size=self._heap, num_threads=self._threads)
                self._index.reload()                     # see what other processes committed
                return self._writer
            except ValueError as exc:
                if "LockBusy" not in str(exc):
                    raise                                # not another writer: a bad setting, say
                if time.monotonic() > deadline:
                    raise Conflict("检索索引正在被另一个进程写入，请稍后重试",
                                   f"The search index at {self._dir} is locked by another writer: {exc}",
                                   code="search_index_locked") from exc
                time.sleep(0.05)

    def _release_writer(self) -> None:
        writer, self._writer = self._writer, None
        self._pending.clear()
        if writer is not None:
            # Finishing merges before letting go keeps segment counts low for every reader.
            writer.wait_merging_threads()

    def upsert(self, docs: Sequence[dict | str]) -> None:
        """Add or replace documents by id (the last one wins when an id repeats); a string is the
        document already analysed, as ``to_json`` text."""
        prepared = dict(_prepared_for_upsert(doc) for doc in docs)
        with self._lock:
            writer = self._acquire_writer()
            searcher = self._index.searcher()
            for doc_id, document in prepared.items():
                # A delete costs a pass over every segment at commit: only issue it for ids that exist.
                if doc_id in self._pending or searcher.doc_freq("id", doc_id):
                    writer.delete_documents_by_term("id", doc_id)
                if isinstance(document, str):
                    writer.add_json(document)
                else:
                    writer.add_document(document)
            self._pending.update(prepared)

    def rebuild(self, batches: Iterable[Sequence[dict | str]], seq: int) -> int:
        """Replace every document with these (a string: the document as ``to_json`` text), then
        remember ``seq``.  Readers see the old index until
        the new one is committed in one piece; on any error nothing changes."""
        done = 0
        with self._lock:
            heap, threads = self._heap, self._threads
            # Fewer, larger segments; and one indexing thread, so documents given in the same order
            # land at the same addresses, and ties in sorted results (broken by address) come out
            # alike on every machine and backend.  The analysis in worker processes is the costly part.
            self._heap, self._threads = max(heap, REBUILD_HEAP_MB * 1_000_000), 1
            try:
                writer = self._acquire_writer()
            finally:
                self._heap, self._threads = heap, threads
            try:
                writer.delete_all_documents()
                for prepared in _prepared(batches):
                    for text in prepared:
                        writer.add_json(text)
                    done += len(prepared)
                writer.commit()
            except BaseException:
                self.close()
                raise
            self._state.advance(SCHEMA_VERSION, seq, reset=True)
            self._release_writer()
            self._index.reload()
        return done

    def delete(self, ids: Sequence[str]) -> None:
        with self._lock:
            writer = self._acquire_writer()
            for doc_id in ids:
                writer.delete_documents_by_term("id", str(doc_id))

    def commit(self, seq: int | None = None) -> None:
        """Persist pending changes, then remember ``seq`` (kept if lower than the stored one)."""
        with self._lock:
            if self._writer is not None:
                self._writer.commit()
            self._state.advance(SCHEMA_VERSION, seq)
            self._release_writer()
            self._index.reload()

    def clear(self) -> None:
        """Remove every document and forget the sequence number (the next sync reindexes everything)."""
        with self._lock:
            writer = self._acquire_writer()
            writer.delete_all_documents()
            writer.commit()
            self._state.advance(SCHEMA_VERSION, 0, reset=True)
            self._release_writer()
            self._index.reload()

    def close(self) -> None:
        """Drop uncommitted changes and let another process write."""
        with self._lock:
            if self._writer is not None:
                self._writer.rollback()
            self._release_writer()

    def last_seq(self) -> int:
        state = self._state.read()
        return 0 if state is None else state.last_seq

    def count(self) -> int:
        return int(self._index.searcher().num_docs)

    # -- searching -----------------------------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchResult:
        check_query(query)
        tq, has_text = build_query(self._schema, query)
        searcher = self._index.searcher()
        count, hits = self._hits(searcher, tq, query, has_text)
        facets = self._facets(searcher, tq, list(dict.fromkeys(query.facet_fields)), query.facet_limit)
        ids = [doc_id for doc_id, _address in hits]
        modified = searcher.fast_field_values("modified_us", [address for _id, address in hits]) if hits else []
        return SearchResult(count=count, ids=ids, facets=facets,
                            modified={i: int(m) for i, m in zip(ids, modified, strict=True) if m is not None})

    def _hits(self, searcher: tantivy.Searcher, tq: tantivy.Query, query: SearchQuery,
              by_score: bool) -> tuple[int, list[tuple[str, tantivy.DocAddress]]]:
        """The total and the page's (id, address) hits."""
        sort = query.sort
        if sort == "relevance" and not by_score:
            sort = "modified desc"                      # CKAN: no text means newest first
        kwargs: dict[str, Any] = {}
        if sort in SORT_FIELDS:
            kwargs["order_by_field"], kwargs["order"] = SORT_FIELDS[sort]
        if sort == "relevance":
            return self._ranked(searcher, tq, query)
        # Tantivy wants a positive limit even when only the count is asked for.
        result = searcher.search(tq, max(query.rows, 1), count=True, offset=query.start, **kwargs)
        hits = result.hits[:query.rows]
        total = result.count  # type: ignore[attr-defined]  # set when count=True; missing from the stub
        return int(total or 0), [(searcher.doc(address)["id"][0], address) for _key, address in hits]

    @staticmethod
    def _ranked(searcher: tantivy.Searcher, tq: tantivy.Query,
                query: SearchQuery) -> tuple[int, list[tuple[str, tantivy.DocAddress]]]:
        """Hits by score, equal scores by name.

        The index breaks ties by segment and document number, which depend on how indexing threads
        shared the work; ordering ties by name makes every process and backend rank alike.  Hits up
        to TIE_PAD past the page are read so a tie group straddling the page edge is ordered whole.
        """
        end = query.start + query.rows
        result = searcher.search(tq, end + TIE_PAD, count=True)
        total = int(result.count or 0)  # type: ignore[attr-defined]
        scored = []
        for score, address in result.hits:
            doc = searcher.doc(address)
            scored.append((-round(score, 4), doc["name"][0], doc["id"][0], address))
        scored.sort(key=lambda hit: hit[:3])
        return total, [(doc_id, address) for _s, _n, doc_id, address in scored[query.start:end]]

    def _facets(self, searcher: tantivy.Searcher, tq: tantivy.Query, names: list[str],
                limit: int) -> dict[str, list[tuple[str, int]]]:
        """Exact counts over the whole result set, count descending then value ascending.

        One aggregation pass asks for ``limit + 1`` values per field.  When the value just past the
        limit ties with the last one kept, values beyond what came back may tie too, so that field
        is asked again for every value and cut here.
        """
        if limit == 0 or not names:
            return {name: [] for name in names}
        first = self._terms(searcher, tq, names, SEGMENT_BUCKETS if limit < 0 else limit + 1)
        ties = [n for n, (buckets, _) in first.items()
                if 0 < limit < len(buckets) and buckets[limit][1] == buckets[limit - 1][1]]
        complete = {n: first[n] for n in names if limit < 0} | self._terms(searcher, tq, ties, SEGMENT_BUCKETS)
        for name, (_buckets, other) in complete.items():
            if other:
                raise ValidationFailed("分面取值过多，无法精确统计", f"Too many values to count for facet {name}",
                                       code="search_facet_too_large")
        merged = first | complete
        return {name: sort_facet_counts(dict(merged[name][0]), limit) for name in names}

    @staticmethod
    def _terms(searcher: tantivy.Searcher, tq: tantivy.Query, names: list[str],
               size: int) -> dict[str, tuple[list[tuple[str, int]], int]]:
        """Per field: (value, count) buckets by count descending, and the count of documents left out."""
        if not names:
            return {}
        agg = {n: {"terms": {"field": n, "size": size, "segment_size": SEGMENT_BUCKETS}} for n in names}
        result = searcher.aggregate(tq, agg)
        return {n: ([(str(b["key"]), int(b["doc_count"])) for b in result[n]["buckets"]],
                    int(result[n].get("sum_other_doc_count", 0))) for n in names}
