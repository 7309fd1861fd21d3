"""Writing, persistence, other processes, and choosing the backend."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.errors import Conflict
from catalog.search import SearchBackendUnavailable, open_index
from catalog.search.base import SearchQuery
from catalog.search.tantivy_index import TantivyIndex

REPO = Path(__file__).resolve().parents[3]


def ids_for(index: TantivyIndex, q: str = "") -> list[str]:
    return index.search(SearchQuery(q=q, principals=None, rows=1000)).ids


def test_last_seq_and_documents_survive_reopening(index: TantivyIndex, corpus: list[dict]) -> None:
    path = index.path
    index.close()
    reopened = TantivyIndex(path)
    assert reopened.last_seq() == 42
    assert reopened.count() == len(corpus)
    assert "yangtze-wq" in ids_for(reopened, "长江 水质")


def test_last_seq_keeps_the_highest_sequence(index: TantivyIndex) -> None:
    index.commit(41)
    assert index.last_seq() == 42
    index.commit(50)
    index.commit()
    assert index.last_seq() == 50


def test_state_is_a_small_json_beside_the_index(index: TantivyIndex) -> None:
    state = json.loads((index.path / "state.json").read_text(encoding="utf-8"))
    assert state["last_seq"] == 42
    assert (index.path / "tantivy" / "meta.json").exists()


def test_delete_removes_a_document_after_commit(index: TantivyIndex, corpus: list[dict]) -> None:
    index.delete(["yangtze-wq", "no-such-id"])
    assert "yangtze-wq" in ids_for(index)                 # not before the commit
    index.commit(43)
    assert "yangtze-wq" not in ids_for(index)
    assert index.count() == len(corpus) - 1


def test_upsert_replaces_a_document_by_id(index: TantivyIndex, corpus: list[dict]) -> None:
    changed = dict(corpus[0], title="重庆市酸雨监测月报", description="降水pH值与酸雨频率。", keywords=["酸雨"])
    index.upsert([changed])
    index.commit()
    assert ids_for(index, "酸雨") == [changed["id"]]
    assert changed["id"] not in ids_for(index, "空气质量日报")
    assert index.count() == len(corpus)


def test_a_repeated_id_in_one_batch_keeps_the_last(index: TantivyIndex, corpus: list[dict]) -> None:
    first = dict(corpus[1], title="第一版标题")
    second = dict(corpus[1], title="第二版噪声地图")
    index.upsert([first])
    index.upsert([second, dict(second)])
    index.commit()
    assert ids_for(index, "噪声地图") == [corpus[1]["id"]]
    assert ids_for(index, "第一版") == []
    assert index.count() == len(corpus)


def _results(index: TantivyIndex) -> list[tuple[list[str], dict]]:
    queries = [SearchQuery(q=q, principals=None, rows=1000, sort=sort, facet_fields=["org", "themes", "formats"])
               for q in ("", "水质", "空气质量 监测", "PM2.5", "渝中区") for sort in ("relevance", "modified desc")]
    return [(r.ids, r.facets) for r in map(index.search, queries)]


def test_rebuild_in_worker_processes_equals_upserting(index: TantivyIndex, corpus: list[dict],
                                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import catalog.search.tantivy_index as tantivy_index

    monkeypatch.setattr(tantivy_index, "PREPARE_TASK", 3)      # several tasks per batch, several batches
    rebuilt = TantivyIndex(tmp_path / "rebuilt", writer_heap_mb=20, writer_threads=1)
    rebuilt.upsert(corpus[:2])
    rebuilt.commit(7)
    batches = [corpus[i:i + 7] for i in range(0, len(corpus), 7)]
    assert rebuilt.rebuild(iter(batches), 42) == len(corpus)
    assert rebuilt.last_seq() == 42
    assert rebuilt.count() == len(corpus)
    assert _results(rebuilt) == _results(index)
    rebuilt.close()


def test_a_failed_rebuild_leaves_the_index_as_it_was(index: TantivyIndex, corpus: list[dict]) -> None:
    def failing() -> Iterator[list[dict]]:
        yield corpus[:5]
        raise RuntimeError("catalogue unreachable")

    with pytest.raises(RuntimeError):
        index.rebuild(failing(), 99)
    assert index.last_seq() == 42
    assert index.count() == len(corpus)
    index.upsert(corpus[:1])                              # the writer was let go
    index.commit(43)


def test_clear_empties_the_index_and_forgets_the_sequence(index: TantivyIndex) -> None:
    index.clear()
    assert index.count() == 0
    assert index.last_seq() == 0
    assert index.search(SearchQuery(principals=None, facet_fields=["org"])).facets == {"org": []}


def test_an_index_of_another_schema_version_is_rebuilt_empty(index: TantivyIndex) -> None:
    path = index.path
    index.close()
    (path / "state.json").write_text(json.dumps({"schema_version": 0, "last_seq": 42}), encoding="utf-8")
    rebuilt = TantivyIndex(path)
    assert (rebuilt.count(), rebuilt.last_seq()) == (0, 0)


def test_an_unreadable_index_is_rebuilt_empty(index: TantivyIndex) -> None:
    path = index.path
    index.close()
    (path / "tantivy" / "meta.json").write_text("{not json", encoding="utf-8")
    rebuilt = TantivyIndex(path)
    assert (rebuilt.count(), rebuilt.last_seq()) == (0, 0)


def _run(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.PIPE, text=True)


def test_another_process_reads_what_was_committed(index: TantivyIndex) -> None:
    reader = _run("""
        import sys
        from pathlib import Path
        from catalog.search.base import SearchQuery
        from catalog.search.tantivy_index import TantivyIndex
        idx = TantivyIndex(Path(sys.argv[1]))
        print(idx.last_seq(), idx.search(SearchQuery(q="细颗粒物", principals=None, rows=50)).count)
    """, str(index.path))
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    assert out.split() == ["42", str(index.search(SearchQuery(q="PM2.5", principals=None)).count)]


def test_a_second_writer_is_refused_while_another_process_writes(index: TantivyIndex,
                                                                corpus: list[dict]) -> None:
    path = index.path
    index.close()
    holder = _run("""
        import sys
        from pathlib import Path
        from catalog.search.tantivy_index import TantivyIndex
        idx = TantivyIndex(Path(sys.argv[1]), writer_heap_mb=20, writer_threads=1)
        idx.delete(["air-daily"])
        print("holding", flush=True)
        sys.stdin.readline()
        idx.commit(99)
        print("committed", flush=True)
    """, str(path))
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        mine = TantivyIndex(path, writer_heap_mb=20, writer_threads=1, lock_wait=0.2)
        with pytest.raises(Conflict) as exc:
            mine.upsert([corpus[0]])
        assert exc.value.code == "search_index_locked"
        out, err = holder.communicate("go\n", timeout=60)
        assert "committed" in out, err
    finally:
        holder.kill()
        holder.wait()
    mine.upsert([dict(corpus[0], title="重庆市酸雨监测月报")])   # the lock is free again
    mine.commit()
    assert (mine.last_seq(), ids_for(mine, "酸雨")) == (99, ["air-daily"])


def test_open_index_defaults_to_tantivy_under_home(tmp_path: Path) -> None:
    index = open_index("", tmp_path)
    assert isinstance(index, TantivyIndex)
    assert index.path == tmp_path / "search"
    assert (index.count(), index.last_seq()) == (0, 0)


@pytest.mark.parametrize("url", ["elasticsearch://127.0.0.1:9200/ecodata", "http://127.0.0.1:9200",
                                 "https://search.example.cn"])
def test_elasticsearch_urls_say_the_backend_is_not_built(tmp_path: Path, url: str) -> None:
    with pytest.raises(SearchBackendUnavailable) as exc:
        open_index(url, tmp_path)
    assert exc.value.code == "search_backend_not_built"
    assert "Elasticsearch" in exc.value.message and "not built" in exc.value.message_en
    assert not (tmp_path / "search").exists()


def test_an_unknown_search_url_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SearchBackendUnavailable) as exc:
        open_index("solr://127.0.0.1:8983", tmp_path)
    assert exc.value.code == "search_backend_unknown"
