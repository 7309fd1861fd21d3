"""ingest_file end to end on local storage, including a process killed in the middle of an ingest."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq

from catalog.storage import LocalStore
from catalog.tabular.ingest import ingest_file
from catalog.tabular.schema import load_table_schema

REPO = Path(__file__).resolve().parents[3]
HEADER = "station_code,station_name,district_code,time,pm25,pm10,o3,so2,no2,co,aqi,flag\n"
STATIONS = [("1672A", "南坪", "500108"), ("1665A", "解放碑", "500103"), ("1666A", "杨家坪", "500107")]


def hourly_csv(path: Path, hours: int, *, bad_rows: int = 0, encoding: str = "gbk") -> Path:
    lines = []
    for h in range(hours):
        for code, name, district in STATIONS:
            day, hour = divmod(h, 24)
            lines.append(f"{code},{name},{district},2024-01-{day + 1:02d} {hour:02d}:00:00,"
                         f"{30 + h % 50},{50 + h % 70},{20 + h % 90},7,35,0.9,{45 + h % 40},N")
    lines += ["1665A,解放碑,500103,2024-01-01 00:30:00,负数,1,1,1,1,0.1,1,N"] * bad_rows
    path.write_bytes((HEADER + "\n".join(lines) + "\n").encode(encoding))
    return path


def schema() -> dict[str, object]:
    s = load_table_schema("air_quality_hourly")
    s.pop("foreignKeys")
    return s


def test_ingest_writes_sorted_parquet_and_keeps_original(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "files")
    src = hourly_csv(tmp_path / "小时数据.csv", 48, bad_rows=2)
    seen: list[tuple[int, int]] = []
    result = ingest_file(src, schema(), store, progress=lambda done, total: seen.append((done, total)))
    assert result.encoding == "gbk"
    assert (result.rows_total, result.rows_valid, result.rows_invalid) == (146, 144, 2)
    # two type errors, and the second bad row repeats the first one's station and time
    assert not result.valid and result.report["tasks"][0]["stats"]["errors"] == 3
    assert seen[0] == (0, 146) and seen[-1] == (146, 146)
    assert store.path_for(result.original.key).read_bytes() == src.read_bytes()
    assert result.parquet is not None
    parquet_path = store.path_for(result.parquet.key)
    assert hashlib.sha256(parquet_path.read_bytes()).hexdigest() == result.parquet.sha256
    meta = pq.ParquetFile(parquet_path).metadata
    assert meta.row_group(0).column(0).compression == "ZSTD"
    assert meta.row_group(0).column(0).statistics.has_min_max
    table = pq.read_table(parquet_path)
    assert table.column("station_code").to_pylist()[:1] == ["1665A"]
    assert table.column("station_code").to_pylist()[-1] == "1672A"
    assert table.column("station_name").to_pylist()[0] == "解放碑"
    invalid = pq.read_table(store.path_for(result.invalid_rows.key))  # type: ignore[union-attr]
    assert invalid.column("_row_number").to_pylist() == [146, 147]
    assert invalid.column("pm25").to_pylist() == ["负数", "负数"]


def test_station_filter_prunes_row_groups(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import catalog.tabular.ingest as ingest

    monkeypatch.setattr(ingest, "ROW_GROUP_ROWS", 100)
    store = LocalStore(tmp_path / "files")
    result = ingest_file(hourly_csv(tmp_path / "h.csv", 200), schema(), store)
    fragment = next(ds.dataset(store.path_for(result.parquet.key)).get_fragments())  # type: ignore[union-attr]
    groups = fragment.split_by_row_group(ds.field("station_code") == "1666A")
    assert 2 <= len(groups) <= 3 < fragment.metadata.num_row_groups


KILLER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    sys.path.insert(0, {repo!r})
    import catalog.tabular.ingest as ingest
    from catalog.storage import LocalStore
    from catalog.tabular.schema import load_table_schema
    ingest.ROW_GROUP_ROWS = 50
    schema = load_table_schema("air_quality_hourly"); schema.pop("foreignKeys")
    def progress(done, total):
        if done > total // 2 + 100:  # inside the Parquet writing phase
            os.kill(os.getpid(), signal.SIGKILL)
    ingest.ingest_file(Path({src!r}), schema, LocalStore(Path({root!r})), progress=progress)
""")


def test_killed_ingest_leaves_nothing_half_written(tmp_path: Path) -> None:
    src = hourly_csv(tmp_path / "h.csv", 200)
    root = tmp_path / "files"
    code = KILLER.format(repo=str(REPO), src=str(src), root=str(root))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert proc.returncode == -9, proc.stderr.decode()
    store = LocalStore(root)
    keys = list(store.list())
    assert len(keys) == 1  # the original upload, stored completely before validation
    for key in keys:
        assert hashlib.sha256(store.path_for(key).read_bytes()).hexdigest() == key.rsplit("/", 1)[1]  # type: ignore[union-attr]
    assert store.path_for(keys[0]).read_bytes() == src.read_bytes()  # type: ignore[union-attr]


def test_report_is_json_serializable(tmp_path: Path) -> None:
    result = ingest_file(hourly_csv(tmp_path / "h.csv", 2, bad_rows=1), schema(), LocalStore(tmp_path / "f"))
    text = json.dumps(result.report, ensure_ascii=False)
    assert "类型不符" in text and '"rowNumber": 8' in text
