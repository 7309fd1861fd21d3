"""Harvest benchmark: a local threaded CKAN Action API serving generated Chinese packages, a first
harvest and an unchanged re-harvest into a fresh catalogue.

    .venv/bin/python bench/harvest.py [--n 10000] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench]

Prints one `name: value unit` line per figure.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from catalog import accounts  # noqa: E402
from catalog.service import Catalog  # noqa: E402
from catalog.settings import load  # noqa: E402
from harvesters.runner import run_source  # noqa: E402
from harvesters.sources import add_source  # noqa: E402
from portal.demo_sources import THEME_MAP, FixtureServer, generate_packages  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    server = FixtureServer().start()
    url = server.add_ckan("ckan", generate_packages(args.n))
    with tempfile.TemporaryDirectory() as home:
        catalog = Catalog(load({}, ECODATA_HOME=home, ECODATA_DATABASE_URL=args.database_url))
        catalog.start()
        with catalog.write() as session:
            accounts.create_org(session, "cq-jczx", "重庆市生态环境监测中心")
            add_source(session, name="bench-ckan", org="cq-jczx", type="ckan", url=url, allow_private=True,
                       options={"theme_map": THEME_MAP})
        for label in ("harvest_first", "harvest_unchanged"):
            started, cpu = time.perf_counter(), time.process_time()
            report = run_source(catalog, "bench-ckan")
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            done = sum(report["counts"].values())
            print(f"{label}: {done / elapsed:,.0f} records/s", flush=True)
            print(f"{label}_seconds: {elapsed:.2f} s", flush=True)
            # CPU time of this process (runner + the in-process CKAN server): the figure a loaded machine
            # cannot distort, for comparing changes.
            print(f"{label}_per_cpu_second: {done / cpu:,.0f} records/s", flush=True)
            print(f"{label}_counts: {report['counts']}", file=sys.stderr)
        # Wall-clock figures mean little on a busy machine: the load they were taken under.
        print(f"load_average_1min: {os.getloadavg()[0]:.2f}", flush=True)
        catalog.close()
    server.stop()


if __name__ == "__main__":
    main()
