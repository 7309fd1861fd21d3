from __future__ import annotations

import json
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from harvesters.hj212.alerts import AlertEngine
from harvesters.hj212.message import parse_message
from harvesters.hj212.records import SeriesRecord, message_records
from harvesters.hj212.registry import FilePointRegistry, Point
from harvesters.hj212.series import SCHEMA, ParquetSeriesSink, read_series

MN = "C0E100000000000000000011"
POINT = Point(mn=MN, password="cq2026", org="cq-sthjj", name="沙坪坝区天星桥空气自动站", st="22",
              factors=("a34004", "a21026"), limits={"a34004": 75.0}, interval=30.0)
SEGMENT = (f"QN=20260115100000001;ST=22;CN=2011;PW=cq2026;MN={MN};Flag=5;CP=&&DataTime=20260115100000;"
           "a34004-Rtd=118,a34004-Flag=N;a21026-Rtd=9,a21026-Flag=D;a21004-Rtd=38,a21004-Flag=N&&")


@pytest.mark.parametrize("name", ["points.yaml", "points.json"])
def test_file_registry_round_trip_and_reload(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    registry = FilePointRegistry(path)
    assert registry.lookup(MN) is None
    registry.add(POINT)
    assert FilePointRegistry(path).lookup(MN) == POINT
    assert "沙坪坝区" in path.read_text(encoding="utf-8")
    other = FilePointRegistry(path)
    time.sleep(0.01)  # distinct mtime for the second writer
    other.add(Point(mn="C0E100000000000000000012", password="654321", org="cq-sthjj"))
    assert registry.reload_if_changed()
    assert registry.lookup("C0E100000000000000000012") is not None


class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, object]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_alerts_over_limit_flag_and_silence_with_webhook(tmp_path: Path) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Hook.received = []
    engine = AlertEngine(tmp_path, f"http://127.0.0.1:{server.server_address[1]}/alerts")
    try:
        records = message_records(parse_message(SEGMENT), "f" * 64)
        engine.seen(POINT, now=100.0)
        alerts = engine.check_records(POINT, records)
        assert [(a.kind, a.code) for a in alerts] == [("over_limit", "a34004"), ("flag", "a21026")]
        assert engine.check_silence(now=100.0 + 59) == []
        assert [a.kind for a in engine.check_silence(now=100.0 + 61)] == ["silent"]
        assert engine.check_silence(now=100.0 + 200) == []  # raised once until the point reports again
    finally:
        engine.close()
        server.shutdown()
        server.server_close()
    lines = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["kind"] for line in lines] == ["over_limit", "flag", "silent"]
    assert lines[0]["limit"] == 75.0 and lines[0]["frame_sha256"] == "f" * 64
    assert [r["kind"] for r in _Hook.received] == ["over_limit", "flag", "silent"]


def test_failing_webhook_does_not_block(tmp_path: Path) -> None:
    engine = AlertEngine(tmp_path, "http://127.0.0.1:9/unreachable")
    try:
        engine.check_records(POINT, message_records(parse_message(SEGMENT), "e" * 64))
    finally:
        engine.close()
    assert len((tmp_path / "alerts.jsonl").read_text(encoding="utf-8").splitlines()) == 2


def test_series_parquet_partitions_and_keeps_flags(tmp_path: Path) -> None:
    assert [f.name for f in SCHEMA] == list(SeriesRecord._fields)
    sink = ParquetSeriesSink(tmp_path)
    sink(message_records(parse_message(SEGMENT), "a" * 64))
    later = SEGMENT.replace("DataTime=20260115100000", "DataTime=20260116000000")
    sink(message_records(parse_message(later), "b" * 64))
    paths = sink.flush()
    assert sorted(p.parent.name for p in paths) == ["date=2026-01-15", "date=2026-01-16"]
    assert all(p.parent.parent.name == MN for p in paths)
    table = read_series(tmp_path, MN).sort_by("data_time")
    assert table.num_rows == 6
    rows = table.to_pylist()
    assert rows[0]["data_time"] == datetime(2026, 1, 15, 10)
    assert {(r["code"], r["flag"]) for r in rows} == {("a34004", "N"), ("a21026", "D"), ("a21004", "N")}
    assert {r["frame_sha256"] for r in rows} == {"a" * 64, "b" * 64}
    normal = [r["value"] for r in rows if r["flag"] == "N" and r["code"] == "a34004"]
    assert normal == [118.0, 118.0]
