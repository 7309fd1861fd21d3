from __future__ import annotations

import json
import signal
from pathlib import Path

from click.testing import CliRunner

from harvesters.hj212.run import spawn
from harvesters.hj212.verify import chain_files
from portal.commands.hj212 import command


def test_point_add_simulate_and_verify(tmp_path: Path) -> None:
    runner = CliRunner()
    points, root = tmp_path / "points.yaml", tmp_path / "data"
    added = runner.invoke(command, ["point", "add", "C0E1000000000000000000AA", "--org", "cq-sthjj",
                                    "--password", "cq2026", "--name", "渝北区两路空气自动站", "--st", "22",
                                    "--points", str(points)])
    assert added.exit_code == 0, added.output
    assert "渝北区两路空气自动站" in points.read_text(encoding="utf-8")

    child, host, port = spawn(root, points, 0)
    try:
        result = runner.invoke(command, ["simulate", "--to", f"{host}:{port}", "--loggers", "3",
                                         "--interval", "0.2", "--duration", "1", "--json",
                                         "--write-points", str(points)])
    finally:
        child.send_signal(signal.SIGTERM)
        child.communicate(timeout=60)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["acked"] == summary["expected_acks"] > 0

    ok = runner.invoke(command, ["verify", "--root", str(root)])
    assert ok.exit_code == 0 and "intact" in ok.output
    target = chain_files(root)[0]
    data = bytearray(target.read_bytes())
    at = data.index(b"a34004-Rtd=") + len(b"a34004-Rtd=")
    data[at] = ord("9") if data[at] != ord("9") else ord("8")
    target.write_bytes(bytes(data))
    bad = runner.invoke(command, ["verify", "--root", str(root)])
    assert bad.exit_code == 1
    assert f"{target}:1" in bad.output and "hj212.evidence_hash" in bad.output
