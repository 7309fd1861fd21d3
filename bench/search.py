"""Search benchmark: a catalogue of generated Chinese datasets, full reindex time, and
package_search latency over HTTP (keyword + 3 facets), on SQLite and on PostgreSQL.

    .venv/bin/python bench/search.py [--n 100000] [--queries 200] [--backend sqlite|postgresql|both]
                                     [--keep DIR]

Prints one `name: value unit` line per figure.  With ``--keep DIR`` the generated catalogue is kept in
DIR (and, for PostgreSQL, in a fixed schema) and reused by the next run with the same ``--n``, so
repeated measurements skip the load; the reindex is measured every time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from catalog import accounts  # noqa: E402
from catalog.demo_data import demo_departments, generate_datasets  # noqa: E402
from catalog.models import (  # noqa: E402
    DataElement,
    Dataset,
    DatasetTag,
    Group,
    Organization,
    Resource,
    dataset_groups,
    new_id,
    utcnow,
)
from catalog.search_documents import stale_documents  # noqa: E402
from catalog.service import Catalog  # noqa: E402
from catalog.settings import load  # noqa: E402
from schemas import load_vocab  # noqa: E402

META_KEYS = ("title_en", "districts", "classification_code", "publish_date", "temporal_start", "temporal_end",
             "contact_point", "language", "version", "spatial", "resource_format", "extras")
KEYWORDS = ["空气质量", "水质", "细颗粒物", "PM2.5", "噪声", "辐射", "土壤", "饮用水", "化学需氧量", "臭氧",
            "嘉陵江", "长江", "氨氮", "监测站", "污染源", "生态"]
FACETS = '["organization","groups","districts"]'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build(catalog: Catalog, n: int) -> float:
    """Departments through the catalogue's own functions, then n generated datasets in bulk inserts.

    The search benchmark measures indexing and querying; loading 100,000 datasets one validated
    write at a time would take most of an hour, so the rows are written set-wise here."""
    started = time.perf_counter()
    with catalog.db.session() as session:
        for dept in demo_departments():
            accounts.create_org(session, dept["name"], dept["title"], title_en=dept.get("title_en"),
                                code=dept.get("code"))
        orgs = dict(session.execute(sa.select(Organization.name, Organization.id)).all())
        groups = {}
        for theme in load_vocab("themes"):
            group = Group(name=theme["id"], title=theme["zh"], title_en=theme["en"])
            session.add(group)
            session.flush()
            groups[theme["id"]] = group.id
    batch: list[dict] = []
    for record in generate_datasets(n, seed=7):
        batch.append(record)
        if len(batch) == 5000:
            _insert(catalog, batch, orgs, groups)
            batch = []
    if batch:
        _insert(catalog, batch, orgs, groups)
    return time.perf_counter() - started


def _insert(catalog: Catalog, records: list[dict], orgs: dict[str, str], groups: dict[str, str]) -> None:
    rows: dict[str, list[dict]] = {"datasets": [], "tags": [], "groups": [], "elements": [], "resources": []}
    now = utcnow()
    for record in records:
        ds_id = new_id()
        record = {**record, "id": ds_id, "metadata_created": now.isoformat(), "metadata_modified": now.isoformat()}
        for key in ("name", "title", "resource_code", "open_type", "share_type", "update_cycle", "license_id"):
            record.setdefault(key, None)
        rows["datasets"].append({
            "id": ds_id, "name": record["name"], "title": record["title"], "notes": record["description"],
            "org_id": orgs[record["organization"]], "state": "active", "private": False,
            "resource_code": record["resource_code"], "open_type": record["open_type"],
            "share_type": record["share_type"], "update_cycle": record["update_cycle"],
            "license_id": record["license_id"], "meta": {k: v for k, v in record.items() if k in META_KEYS},
            "cached_record": record, "metadata_created": now, "metadata_modified": now})
        rows["tags"] += [{"dataset_id": ds_id, "name": k} for k in dict.fromkeys(record.get("keywords", []))]
        rows["groups"] += [{"dataset_id": ds_id, "group_id": groups[t]} for t in record.get("themes", [])]
        rows["elements"] += [{"dataset_id": ds_id, "position": i, "name": e["name"], "type": e["type"],
                              "tags": []} for i, e in enumerate(record.get("data_elements", []))]
        rows["resources"] += [{"id": new_id(), "dataset_id": ds_id, "position": i, "name": r.get("name"),
                               "url": r.get("url"), "format": r.get("format"), "meta": {}, "created": now}
                              for i, r in enumerate(record.get("resources", []))]
    with catalog.db.session() as session:
        session.execute(sa.insert(Dataset), rows["datasets"])
        session.execute(sa.insert(DatasetTag), rows["tags"])
        session.execute(sa.insert(dataset_groups), rows["groups"])
        session.execute(sa.insert(DataElement), rows["elements"])
        session.execute(sa.insert(Resource), rows["resources"])


def serve(env: dict[str, str], port: int, log: Any) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "portal.cli", "serve", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    for _ in range(600):
        try:
            requests.get(f"http://127.0.0.1:{port}/api/3/action/status_show", timeout=1)
            return proc
        except requests.ConnectionError:
            if proc.poll() is not None:
                raise SystemExit(f"server exited with status {proc.returncode}") from None
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


def measure(port: int, queries: int) -> tuple[float, float, int]:
    rng = random.Random(3)
    http = requests.Session()
    url = f"http://127.0.0.1:{port}/api/3/action/package_search"
    for _ in range(20):
        http.get(url, params={"q": rng.choice(KEYWORDS), "facet.field": FACETS}).raise_for_status()
    times = []
    hits = 0
    for _ in range(queries):
        params = {"q": rng.choice(KEYWORDS), "facet.field": FACETS, "rows": 10}
        t = time.perf_counter()
        resp = http.get(url, params=params)
        times.append((time.perf_counter() - t) * 1000)
        resp.raise_for_status()
        hits += resp.json()["result"]["count"] > 0
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1], hits


def _kept_catalogue(home: Path, n: int) -> bool:
    """Whether ``home`` already holds a finished catalogue of ``n`` generated datasets."""
    marker = home / "bench-catalogue.json"
    return marker.exists() and json.loads(marker.read_text()).get("n") == n


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _missing_stored_documents(catalog: Catalog) -> int:
    with catalog.db.session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Dataset).where(
            Dataset.state != "deleted", stale_documents())) or 0


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _measure_reindex(catalog: Catalog, label: str, note: str) -> None:
    started, cpu_started, children_started = time.perf_counter(), _cpu_seconds(), _children_cpu_seconds()
    count = catalog.indexer.reindex()
    print(f"{label}: {time.perf_counter() - started:.2f} s ({count} datasets, {note})")
    print(f"{label}_cpu: {_cpu_seconds() - cpu_started:.2f} s (this process, every thread)")
    print(f"{label}_workers_cpu: {_children_cpu_seconds() - children_started:.2f} s (analysis worker processes)")
    print(f"{label}_load_average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus")


def run(backend: str, n: int, queries: int, keep: Path | None = None) -> None:
    home = keep / backend if keep else Path(tempfile.mkdtemp(prefix=f"ecodata-bench-{backend}-"))
    home.mkdir(parents=True, exist_ok=True)
    reuse = keep is not None and _kept_catalogue(home, n)
    env = {**os.environ, "ECODATA_HOME": str(home), "ECODATA_LOG_LEVEL": "WARNING"}
    schema = None
    if backend == "postgresql":
        base = load()["ECODATA_TEST_DATABASE_URL"]
        schema = "bench_kept" if keep else f"bench_{os.getpid()}"
        admin = sa.create_engine(base)
        if not reuse:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE; CREATE SCHEMA "{schema}"'))
        env["ECODATA_DATABASE_URL"] = f"{base}?options=-csearch_path%3D{schema}"
    config = load(env)
    catalog = Catalog(config)
    try:
        catalog.upgrade()
        if reuse:
            print(f"{backend}_catalogue_load: 0.0 s ({n} datasets kept in {home})")
        else:
            (home / "bench-catalogue.json").unlink(missing_ok=True)
            load_s = build(catalog, n)
            print(f"{backend}_catalogue_load: {load_s:.1f} s ({n} datasets)")
            if keep:
                (home / "bench-catalogue.json").write_text(json.dumps({"n": n}))
        missing = _missing_stored_documents(catalog)
        if missing:
            # The generated rows carry no stored search documents: the first reindex analyses and
            # stores them, as it would after an upgrade; the second is the steady state.
            _measure_reindex(catalog, f"{backend}_reindex_filling", f"{missing} stored documents made")
        _measure_reindex(catalog, f"{backend}_reindex", "from stored documents")
        size = sum(p.stat().st_size for p in (home / "search").rglob("*") if p.is_file())
        print(f"{backend}_index_size: {size / 1e6:.1f} MB")
        catalog.close()
        port = free_port()
        with open(home.parent / f"{home.name}-serve.log", "w") as log:
            proc = serve(env, port, log)
            try:
                p50, p99, hits = measure(port, queries)
            finally:
                proc.terminate()
                proc.wait(10)
        print(f"{backend}_package_search_p50: {p50:.2f} ms")
        print(f"{backend}_package_search_p99: {p99:.2f} ms")
        print(f"{backend}_queries_with_hits: {hits} of {queries}")
        print(f"{backend}_load_average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus")
    finally:
        if keep is None:
            shutil.rmtree(home, ignore_errors=True)
        if schema and keep is None:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        if schema:
            admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--keep", type=Path, help="keep the catalogue in this folder and reuse it next time")
    args = parser.parse_args()
    for backend in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend]):
        run(backend, args.n, args.queries, args.keep.resolve() if args.keep else None)


if __name__ == "__main__":
    main()
