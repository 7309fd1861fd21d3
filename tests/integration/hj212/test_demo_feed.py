"""The demo feed end to end: points in the catalogue, frames through the real receiver, series staged
and released under the disclosure rules, live streaming, alerts stored."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import sqlalchemy as sa

from catalog import publication
from catalog.models.hj212 import Alert, MonitoringPoint
from catalog.models.publication import Release
from catalog.service import Catalog
from harvesters.hj212.demo import DEMO_POINTS, start_demo_feed
from harvesters.hj212.verify import chain_files, verify_frames


def _artifact_rows(catalog: Catalog, release: Release, audience: str) -> list[dict[str, Any]]:
    art = next(a for a in release.artifacts if a.audience == audience and a.format == "parquet")
    with publication.context_for(catalog.config).store.open(art.blob_key) as fh:
        return pq.read_table(io.BytesIO(fh.read())).to_pylist()


def test_demo_feed_registers_streams_and_releases(catalog: Catalog, people: Any, tmp_path: Path) -> None:
    feed = start_demo_feed(catalog, tmp_path, history_minutes=150, port=0)
    try:
        assert set(feed.releases) == {p[0] for p in DEMO_POINTS}
        time.sleep(7)  # a live interval and more
        live = feed.stats()
    finally:
        feed.stop()
    assert live["frames_stored"] >= 5 * 150 + 5
    assert verify_frames(feed.root) == []
    assert len([p for p in chain_files(feed.root) if p.parent.name != "quarantine"]) >= 5
    with catalog.read() as session:
        points = session.scalars(sa.select(MonitoringPoint)).all()
        assert {p.kind for p in points} == {"enterprise", "station"}
        releases = {r.dataset.name: r for r in session.scalars(sa.select(Release))}
        station = releases["hj212-c0e1a0021200000000000004"]
        government = _artifact_rows(catalog, station, "government")
        public = _artifact_rows(catalog, station, "public")
        assert {r["flag"] for r in government} == {"N"}
        assert len(government) >= 60  # minute rows
        assert 0 < len(public) < len(government) / 30  # hourly statistics, an hour late
        newest = max(r["time"] for r in government)
        assert all(r["time"] <= newest for r in public)
        alerts = session.scalars(sa.select(Alert)).all()
        assert {(a.mn, a.kind, a.factor) for a in alerts} == {(DEMO_POINTS[1][0], "over_limit", "a21002")}
        assert all(a.value is not None and a.limit is not None and a.value > a.limit == 150.0 for a in alerts)
