"""Serving benchmark over HTTP on one released 2,000,000-row air-quality table, against Datasette.

Prints ``name: value unit`` lines: full-table CSV download throughput (ours from the cached
rendering vs Datasette's streamed CSV export of the same rows), the server's peak RSS during the
download, data API one-station-one-month latency p50/p99 and requests/s with 4 concurrent clients
(ours vs Datasette's JSON API on its indexed station_code column).

    .venv/bin/python bench/serve.py [--rows N] [--requests 300] [--seconds 10] [--datasette-requests 60]

Our server is gunicorn (one gthread worker, 8 threads), whose file wrapper uses sendfile; memory is
the worker's resident set.

Datasette runs from its own virtualenv under bench/out/ (created on first use), never the project's.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import serve_setup as setup  # noqa: E402
from ingest import STATIONS  # noqa: E402

UrlFor = Callable[[str, str, str], str]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=5).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server at {url} did not come up")


def start_ours(rows: int, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ECODATA_HOME": str(setup.home_for(rows)), "ECODATA_SECRET_KEY": "bench",
           "ECODATA_SITE_URL": f"http://127.0.0.1:{port}", "ECODATA_LOG_LEVEL": "WARNING"}
    # One gunicorn worker with threads: its file wrapper sends cached files with zero-copy sendfile.
    cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", "1", "-k", "gthread", "--threads", "8",
           "-b", f"127.0.0.1:{port}", "portal.wsgi:app"]
    for old in (setup.home_for(rows) / "cache" / "delivery").glob("*/*.csv-*"):
        old.unlink()  # so the first download measures rendering, the second a cached send
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/3", proc)
    except BaseException:
        proc.terminate()
        raise
    return proc


def worker_pid(master: subprocess.Popen[bytes]) -> int:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return int(children[0]) if children else master.pid


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024


def start_datasette(db: Path, port: int) -> subprocess.Popen[bytes]:
    cmd = [str(setup.datasette_bin()), "serve", "-i", str(db), "-h", "127.0.0.1", "-p", str(port),
           "--setting", "sql_time_limit_ms", "60000", "--setting", "max_returned_rows", "1000",
           "--setting", "max_csv_mb", "0"]  # no size cap, so the export holds every row
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/-/versions.json", proc)
    except BaseException:
        proc.terminate()
        raise
    return proc


class RssPeak:
    """Samples the resident set size of a process every few milliseconds while running."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kb, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            with open(f"/proc/{self.pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        self.peak_kb = max(self.peak_kb, int(line.split()[1]))
            time.sleep(0.005)

    def __enter__(self) -> RssPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def curl(url: str, headers: dict[str, str] | None = None, target: str = "/dev/null") -> tuple[int, float]:
    """Bytes and seconds of a full download (curl, so the client is not the bottleneck)."""
    args = ["curl", "-sS", "-o", target, "-w", "%{size_download} %{time_total} %{http_code}", url]
    for key, value in (headers or {}).items():
        args += ["-H", f"{key}: {value}"]
    size, seconds, code = subprocess.run(args, check=True, capture_output=True, text=True).stdout.split()
    if code != "200":
        raise RuntimeError(f"{url} answered {code}")
    return int(size), float(seconds)


def counted_download(url: str, headers: dict[str, str] | None = None) -> tuple[int, float, int]:
    """Bytes, seconds and data rows (lines minus the header) of one CSV download kept on disk."""
    target = setup.OUT / "serve-check.csv"
    try:
        size, seconds = curl(url, headers, str(target))
        with open(target, "rb") as fh:
            rows = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1
        return size, seconds, rows
    finally:
        target.unlink(missing_ok=True)


def station_months(n: int) -> list[tuple[str, str, str]]:
    rng = random.Random(20261130)
    out = []
    for _ in range(n):
        year, month = rng.randint(2019, 2025), rng.randint(1, 12)
        end = f"{year + (month == 12)}-{month % 12 + 1:02d}-01"
        out.append((rng.choice(STATIONS)[0], f"{year}-{month:02d}-01", end))
    return out


def latencies(url_for: UrlFor, queries: list[tuple[str, str, str]]) -> list[float]:
    session, out = requests.Session(), []
    for station, start, end in queries:
        began = time.perf_counter()
        resp = session.get(url_for(station, start, end))
        resp.raise_for_status()
        out.append(time.perf_counter() - began)
    return out


def throughput(url_for: UrlFor, queries: list[tuple[str, str, str]], clients: int, seconds: float) -> float:
    done = [0] * clients
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        session = requests.Session()
        while time.monotonic() < stop:
            station, start, end = queries[(done[i] * clients + i) % len(queries)]
            session.get(url_for(station, start, end)).raise_for_status()
            done[i] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / seconds


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000


def measure_ours(rows: int, state: dict[str, str], queries: list[tuple[str, str, str]], args: argparse.Namespace) \
        -> dict[str, float]:
    port = free_port()
    proc = start_ours(rows, port)
    base = f"http://127.0.0.1:{port}"
    try:
        csv_url = f"{base}/dataset/{state['name']}/resource/{state['resource_id']}/download.csv"
        auth = {"Authorization": state["token"]}
        worker = worker_pid(proc)
        idle = rss_mb(worker)
        with RssPeak(worker) as first_peak:
            _, first = curl(csv_url, auth)  # renders and caches the CSV
        with RssPeak(worker) as peak:
            size, seconds = curl(csv_url, auth)
        rows = counted_download(csv_url, auth)[2]
        rows_url = f"{base}/api/v1/datasets/{state['name']}/resources/{state['resource_id']}/rows"

        def url_for(station: str, start: str, end: str) -> str:
            return f"{rows_url}?station={station}&start={start}&end={end}&limit=1000"

        latencies(url_for, queries[:20])  # warm the serving copy
        lat = latencies(url_for, queries)
        rps = throughput(url_for, queries, 4, args.seconds)
        return {"size": size, "seconds": seconds, "first": first, "peak_mb": peak.peak_kb / 1024, "idle_mb": idle,
                "rows": rows,
                "first_peak_mb": first_peak.peak_kb / 1024, "p50": pct(lat, 50), "p99": pct(lat, 99), "rps": rps}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def measure_datasette(rows: int, queries: list[tuple[str, str, str]], args: argparse.Namespace) -> dict[str, float]:
    db = setup.sqlite_copy(rows)
    port = free_port()
    proc = start_datasette(db, port)
    base = f"http://127.0.0.1:{port}/{db.stem}/air_quality"
    try:
        size, seconds, rows = counted_download(f"{base}.csv?_stream=on&_size=max")

        def url_for(station: str, start: str, end: str) -> str:
            return f"{base}.json?station_code={station}&time__gte={start}&time__lt={end}&_size=1000"

        latencies(url_for, queries[:5])
        lat = latencies(url_for, queries[:args.datasette_requests])
        rps = throughput(url_for, queries, 4, args.seconds)
        return {"size": size, "seconds": seconds, "p50": pct(lat, 50), "p99": pct(lat, 99), "rps": rps,
                "rows": rows}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def report(ours: dict[str, float], theirs: dict[str, float], rows: int) -> None:
    ours_mbs = ours["size"] / ours["seconds"] / 1e6
    theirs_mbs = theirs["size"] / theirs["seconds"] / 1e6
    print(f"rows: {rows} rows")
    print(f"csv_rows_served: {ours['rows']} rows")
    print(f"datasette_csv_rows_served: {theirs['rows']} rows")
    print(f"csv_bytes: {ours['size']} bytes")
    print(f"csv_first_download_incl_rendering: {ours['first']:.2f} s")
    print(f"csv_download_throughput: {ours_mbs:.1f} MB/s")
    print(f"datasette_csv_bytes: {theirs['size']} bytes")
    print(f"datasette_csv_throughput: {theirs_mbs:.1f} MB/s")
    print(f"csv_throughput_vs_datasette: {ours_mbs / theirs_mbs:.1f} x")
    print(f"server_peak_rss_during_download: {ours['peak_mb']:.0f} MB")
    print(f"server_rss_idle_before_download: {ours['idle_mb']:.0f} MB")
    print(f"server_peak_rss_during_first_download_incl_rendering: {ours['first_peak_mb']:.0f} MB")
    print(f"data_api_station_month_p50: {ours['p50']:.1f} ms")
    print(f"data_api_station_month_p99: {ours['p99']:.1f} ms")
    print(f"datasette_json_station_month_p50: {theirs['p50']:.1f} ms")
    print(f"datasette_json_station_month_p99: {theirs['p99']:.1f} ms")
    print(f"data_api_4_clients: {ours['rps']:.0f} req/s")
    print(f"datasette_json_4_clients: {theirs['rps']:.0f} req/s")
    print(f"data_api_rps_vs_datasette: {ours['rps'] / theirs['rps']:.1f} x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--datasette-requests", type=int, default=60,
                        help="sequential Datasette requests for its p50/p99 (each takes seconds)")
    args = parser.parse_args()
    state = setup.released_dataset(args.rows)
    queries = station_months(args.requests)
    ours = measure_ours(args.rows, state, queries, args)
    theirs = measure_datasette(args.rows, queries, args)
    report(ours, theirs, args.rows)


if __name__ == "__main__":
    main()
