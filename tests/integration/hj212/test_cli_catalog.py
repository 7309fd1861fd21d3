"""``ecodata hj212`` against the catalogue as real processes: point add → serve (two worker processes
on one port) → simulate → stage → submit/approve applies the disclosure rules."""

from __future__ import annotations

import asyncio
import io
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import sqlalchemy as sa

from catalog import publication
from catalog.models.hj212 import MonitoringPoint
from catalog.service import Catalog
from harvesters.hj212.run import spawn
from harvesters.hj212.simulator import SimulatorOptions, sim_mn, simulate
from harvesters.hj212.stage import SYSTEM
from harvesters.hj212.verify import chain_files, verify_frames


def _read(ctx: publication.PublishContext, key: str) -> Any:
    with ctx.store.open(key) as fh:
        return pq.read_table(io.BytesIO(fh.read()))


def ecodata(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "portal.cli", "hj212", *args], env=env, text=True,
                          capture_output=True, timeout=300)


def test_points_from_catalogue_served_by_two_workers_then_staged_and_released(
        server_env: dict[str, str], catalog: Catalog, people: Any, tmp_path: Path) -> None:
    mns = [sim_mn(i) for i in range(3)]
    for i, mn in enumerate(mns):
        out = ecodata(server_env, "point", "add", mn, "--org", "cq-sthjj", "--password", "123456", "--st", "31",
                      "--name", f"重庆某化工有限公司{i + 1}号锅炉烟气排放口", "--district", "500115",
                      "--factor", "a34004:颗粒物:mg/m³:20", "--factor", "a21026:二氧化硫:mg/m³:100",
                      "--factor", "a21004:氮氧化物:mg/m³:150", "--interval", "5")
        assert out.returncode == 0, out.stderr
    with catalog.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(MonitoringPoint)) == 3

    root = tmp_path / "feed"
    child, host, port = spawn(root, None, 0, "--max-fps", "0", "--workers", "2", env=server_env)
    try:
        summary = asyncio.run(simulate(host, port, SimulatorOptions(loggers=3, duration=3.0, burst=True,
                                                                    window=4)))
    finally:
        child.send_signal(signal.SIGTERM)
        out, _ = child.communicate(timeout=120)
    assert '"workers": 2' in out
    assert summary.acked == summary.expected_acks > 0 and summary.errors == 0
    assert verify_frames(root) == []
    assert len([p for p in chain_files(root) if p.parent.name != "quarantine"]) == 3

    staged = ecodata(server_env, "stage", "--root", str(root))
    assert staged.returncode == 0, staged.stderr
    assert staged.stdout.count("rows staged") == 3
    name = f"hj212-{mns[0].lower()}"
    ctx = publication.context_for(catalog.config)
    with catalog.write() as session:
        sub = publication.submit(session, SYSTEM, name)
        release = publication.approve(session, ctx, SYSTEM, sub.id)
        arts = {a.audience: a for a in release.artifacts if a.format == "parquet"}
        tables = {k: _read(ctx, a.blob_key) for k, a in arts.items()}
    government, public = tables["government"], tables["public"]
    assert set(government.column("flag").to_pylist()) == {"N"}
    assert {"avg", "min", "max", "unit"} <= set(government.column_names)  # minute rows, every field
    assert "contact_person" not in public.column_names
    assert any(c.endswith("_mean") for c in public.column_names)  # statistics only
    assert public.num_rows <= 3  # one day per factor at most, and nothing younger than the delay
