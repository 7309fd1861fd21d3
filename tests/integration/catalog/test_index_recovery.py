"""Killing the server between a catalogue commit and its index update leaves search consistent
after a restart (on SQLite and PostgreSQL)."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

HERE = Path(__file__).parent


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(port: int, proc: subprocess.Popen) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}")
        try:
            requests.get(f"http://127.0.0.1:{port}/api/3/action/status_show", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError("server did not start")


def test_search_catches_up_after_a_kill_between_commit_and_index(server_env, people, make_record, tmp_path,
                                                                 catalog) -> None:
    marker = tmp_path / "committed"
    port = free_port()
    crashing = subprocess.Popen([sys.executable, str(HERE / "crashing_server.py"), str(port)],
                                env={**server_env, "CRASH_MARKER": str(marker)})
    try:
        _wait_http(port, crashing)
        def post() -> None:
            # The server dies before answering: the connection error is the point.
            with contextlib.suppress(requests.ConnectionError):
                requests.post(f"http://127.0.0.1:{port}/api/3/action/package_create", json=make_record(),
                              headers=people.auth("editor"), timeout=30)

        create = threading.Thread(target=post, daemon=True)
        create.start()
        for _ in range(300):
            if marker.exists():
                break
            time.sleep(0.05)
        assert marker.exists(), "the write never reached the index update"
        crashing.send_signal(signal.SIGKILL)
        crashing.wait(10)
    finally:
        if crashing.poll() is None:
            crashing.kill()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "portal.cli", "serve", "--port", str(port)], env=server_env)
    try:
        _wait_http(port, server)
        found = requests.get(f"http://127.0.0.1:{port}/api/3/action/package_search",
                             params={"q": "空气质量"}, timeout=10).json()["result"]
        assert [p["name"] for p in found["results"]] == ["cq-air-quality-hourly-yuzhong"]
        listed = requests.get(f"http://127.0.0.1:{port}/api/3/action/package_list", timeout=10).json()
        assert listed["result"] == ["cq-air-quality-hourly-yuzhong"]
    finally:
        server.terminate()
        server.wait(10)
