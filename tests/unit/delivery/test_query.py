"""The data API engine over a serving copy: the sorted fast path agrees with a full scan, paging
covers every row once, aggregates match a plain computation, limits refuse clearly."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from catalog.delivery import query as q
from catalog.delivery.cache import RenderingCache
from catalog.delivery.rowstore import ServingTable, ServingTables
from catalog.errors import ValidationFailed

STATIONS = [("1665A", "解放碑"), ("1666A", "杨家坪"), ("1667A", "礼嘉"), ("3227A", "涪陵区环保局")]
FIELDS = ["station_code", "station_name", "time", "pm25", "flag"]
SECRET = b"test-secret"


def rows() -> list[dict[str, Any]]:
    rng = random.Random(7)
    start = datetime(2024, 1, 30)
    return [{"station_code": code, "station_name": name, "time": start + timedelta(hours=h),
             "pm25": None if rng.random() < 0.05 else float(rng.randint(5, 180)), "flag": rng.choice("NNNNM")}
            for code, name in STATIONS for h in range(24 * 40)]


def serving(tmp_path: Path, *, shuffled: bool) -> ServingTable:
    data = rows()
    if shuffled:
        random.Random(1).shuffle(data)
    path = tmp_path / ("shuffled.parquet" if shuffled else "sorted.parquet")
    pq.write_table(pa.Table.from_pylist(data, schema=pa.schema([
        ("station_code", pa.string()), ("station_name", pa.string()), ("time", pa.timestamp("ms")),
        ("pm25", pa.float64()), ("flag", pa.string())])), path, row_group_size=500)
    tables = ServingTables(RenderingCache(tmp_path / "cache"))
    return tables.get(("a" if shuffled else "b") * 64, path, FIELDS)


def run(table: ServingTable, query: q.RowQuery, **kw: Any) -> q.QueryResult:
    return q.run(table, query, secret=SECRET, artifact="a" * 64, **kw)


def key(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[f] for f in FIELDS)


QUERIES = [
    [q.Filter("station_code", "eq", "1666A"), q.Filter("time", "gte", "2024-02-01"), q.Filter("time", "lt", "2024-03-01")],
    [q.Filter("station_code", "eq", "3227A"), q.Filter("time", "gt", "2024-02-10T05:00:00"),
     q.Filter("time", "lte", "2024-02-11 05:00:00")],
    [q.Filter("station_code", "in", "1665A,1667A"), q.Filter("pm25", "gte", "100")],
    [q.Filter("time", "eq", "2024-02-03 04:00:00")],
    [q.Filter("flag", "eq", "M"), q.Filter("station_name", "eq", "涪陵区环保局")],
    [q.Filter("station_code", "eq", "9999Z")],
]


def test_the_sorted_copy_is_detected(tmp_path: Path) -> None:
    assert serving(tmp_path, shuffled=False).sorted_by == ("station_code", "time")
    assert serving(tmp_path, shuffled=True).sorted_by == ()


@pytest.mark.parametrize("filters", QUERIES)
def test_fast_path_agrees_with_a_full_scan(tmp_path: Path, filters: list[q.Filter]) -> None:
    fast = run(serving(tmp_path, shuffled=False), q.RowQuery(filters=filters, limit=10_000))
    scan = run(serving(tmp_path, shuffled=True), q.RowQuery(filters=filters, limit=10_000))
    assert fast.total == scan.total == len(fast.table)
    assert sorted(map(key, fast.table.to_pylist())) == sorted(map(key, scan.table.to_pylist()))
    values = [f.value for f in filters if f.field == "station_code" and f.op == "eq"]
    assert all(r["station_code"] in values for r in fast.table.to_pylist()) if values else True


def test_cursor_paging_with_sort_visits_every_row_once(tmp_path: Path) -> None:
    table = serving(tmp_path, shuffled=True)
    query = q.RowQuery(filters=[q.Filter("station_code", "eq", "1665A")], sort=[("pm25", True)], limit=97)
    seen: list[dict[str, Any]] = []
    while True:
        page = run(table, query)
        seen += page.table.to_pylist()
        if page.next_cursor is None:
            break
        query.cursor = page.next_cursor
    assert len(seen) == page.total == 24 * 40
    assert len({r["time"] for r in seen}) == len(seen)
    values = [r["pm25"] for r in seen if r["pm25"] is not None]
    assert values == sorted(values, reverse=True)


def test_group_by_station_and_month(tmp_path: Path) -> None:
    result = run(serving(tmp_path, shuffled=False), q.RowQuery(
        group_by=["station", "month"], aggregates=[("mean", "pm25"), ("max", "pm25"), ("count", "*")], limit=100))
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for r in rows():
        groups[(r["station_code"], r["time"].strftime("%Y-%m"))].append(r["pm25"])
    got = {(r["station_code"], r["month"]): r for r in result.table.to_pylist()}
    assert set(got) == set(groups) and result.total == len(groups)
    for k, values in groups.items():
        present = [v for v in values if v is not None]
        assert got[k]["count"] == len(values) and got[k]["max_pm25"] == max(present)
        assert got[k]["mean_pm25"] == pytest.approx(sum(present) / len(present))


def test_whole_table_aggregate(tmp_path: Path) -> None:
    result = run(serving(tmp_path, shuffled=True), q.RowQuery(aggregates=[("count", "*"), ("min", "pm25")]))
    present = [r["pm25"] for r in rows() if r["pm25"] is not None]
    assert result.table.to_pylist() == [{"count": len(rows()), "min_pm25": min(present)}]


def test_limits_refuse_clearly(tmp_path: Path) -> None:
    table = serving(tmp_path, shuffled=True)
    with pytest.raises(q.QueryTooLarge):
        run(table, q.RowQuery(limit=10_001))
    with pytest.raises(q.QueryTooLarge) as work:
        run(table, q.RowQuery(sort=[("pm25", False)]), limits=q.Limits(max_work_bytes=1000))
    assert "筛选" in work.value.message
    with pytest.raises(q.QueryTimeout) as late:
        run(table, q.RowQuery(), limits=q.Limits(timeout_s=0))
    assert late.value.status == 503
    with pytest.raises(ValidationFailed) as unknown:
        run(table, q.RowQuery(fields=["station_code", "contact_phone"]))
    assert unknown.value.code == "unknown_field"
    with pytest.raises(ValidationFailed) as bad:
        run(table, q.RowQuery(filters=[q.Filter("pm25", "gt", "很高")]))
    assert bad.value.code == "bad_filter_value"
