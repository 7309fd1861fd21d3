"""Ingest benchmark: 2,000,000 hourly air-quality rows from Chongqing stations.

Prints ``name: value unit`` lines: our ingest (validate + Parquet), frictionless validate on the
same file, plain pyarrow CSV→Parquet, and the ratios.  The CSV is cached under bench/out/.

    .venv/bin/python bench/ingest.py [--rows N] [--skip-frictionless]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from catalog.storage import LocalStore  # noqa: E402
from catalog.tabular.ingest import ingest_file  # noqa: E402
from catalog.tabular.schema import load_table_schema  # noqa: E402

OUT = ROOT / "bench" / "out"
STATIONS = [
    ("1665A", "解放碑", "500103"), ("1666A", "杨家坪", "500107"), ("1667A", "礼嘉", "500112"),
    ("1668A", "虎溪", "500106"), ("1669A", "天生", "500109"), ("1670A", "唐家沱", "500105"),
    ("1671A", "白市驿", "500107"), ("1672A", "南坪", "500108"), ("1673A", "茶园", "500108"),
    ("1674A", "缙云山", "500109"), ("1675A", "高家花园", "500106"), ("1676A", "两路", "500112"),
    ("1677A", "蔡家", "500109"), ("1678A", "空港", "500112"), ("1679A", "南泉", "500113"),
    ("1680A", "鱼新街", "500113"), ("1681A", "新山村", "500104"), ("3226A", "万州区天城", "500101"),
    ("3227A", "涪陵区环保局", "500102"), ("3228A", "永川区文理学院", "500118"),
]


def make_csv(rows: int) -> Path:
    path = OUT / f"air_quality_hourly_{rows}.csv"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20240101)
    per_station = -(-rows // len(STATIONS))
    idx = np.arange(rows)
    station = idx // per_station
    hours = idx % per_station
    start = np.datetime64("2019-01-01T00:00:00", "s")
    times = pa.array(start + hours * np.timedelta64(3600, "s"))
    pm25 = np.round(rng.gamma(2.0, 22.0, rows), 0)
    codes, names, districts = (pa.array([s[k] for s in STATIONS]).take(pa.array(station)) for k in range(3))
    table = pa.table({
        "station_code": codes, "station_name": names, "district_code": districts,
        "time": pc.strftime(times, format="%Y-%m-%d %H:%M:%S"),
        "pm25": _with_missing(pm25, rng), "pm10": _with_missing(np.round(pm25 * rng.uniform(1.2, 1.9, rows)), rng),
        "o3": _with_missing(np.round(rng.gamma(2.5, 25.0, rows)), rng),
        "so2": np.round(rng.gamma(2.0, 4.0, rows)), "no2": np.round(rng.gamma(3.0, 12.0, rows)),
        "co": np.round(rng.gamma(4.0, 0.2, rows), 1), "aqi": np.minimum(np.ceil(pm25 * 1.4), 500).astype(int),
        "flag": pa.array(np.where(rng.random(rows) < 0.99, "N", "M")),
    })
    pacsv.write_csv(table, path)
    return path


def _with_missing(values: np.ndarray, rng: np.random.Generator) -> pa.Array:
    text = pc.cast(pa.array(values.astype(np.int64)), pa.string())
    return pc.if_else(pa.array(rng.random(len(values)) < 0.002), "NA", text)


def timed(fn: object) -> float:
    started = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - started


def plain_pyarrow(path: Path, target: Path) -> None:
    pq.write_table(pacsv.read_csv(path), target, compression="zstd")


def frictionless_validate(path: Path, schema: dict[str, object]) -> int:
    from frictionless import Resource, Schema

    warnings.simplefilter("ignore")
    # frictionless 5 accepts labelled missing values only inside a v2 data package; plain strings here.
    descriptor = {k: v for k, v in schema.items() if k not in ("foreignKeys", "$schema")}
    descriptor["missingValues"] = [m["value"] if isinstance(m, dict) else m for m in schema["missingValues"]]
    resource = Resource(path.name, basepath=str(path.parent), schema=Schema.from_descriptor(descriptor))
    report = resource.validate()
    return int(report.stats["errors"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--skip-frictionless", action="store_true")
    args = parser.parse_args()
    path = make_csv(args.rows)
    schema = load_table_schema("air_quality_hourly")
    schema = {k: v for k, v in schema.items() if k != "foreignKeys"}
    with tempfile.TemporaryDirectory() as tmp:
        store = LocalStore(Path(tmp) / "files")
        results = {}
        ours = timed(lambda: results.update(r=ingest_file(path, schema, store)))
        plain = timed(lambda: plain_pyarrow(path, Path(tmp) / "plain.parquet"))
    result = results["r"]
    print(f"rows: {result.rows_total} rows")
    print(f"rows_invalid: {result.rows_invalid} rows")
    print(f"ecodata_ingest: {ours:.2f} s")
    print(f"pyarrow_csv_to_parquet: {plain:.2f} s")
    print(f"ratio_ingest_vs_pyarrow: {ours / plain:.2f} x")
    if not args.skip_frictionless:
        errors: dict[str, int] = {}
        fx = timed(lambda: errors.update(n=frictionless_validate(path, schema)))
        print(f"frictionless_validate: {fx:.2f} s")
        print(f"frictionless_errors: {errors['n']} errors")
        print(f"speedup_vs_frictionless: {fx / ours:.1f} x")


if __name__ == "__main__":
    main()
