"""Downloads of released artifacts: same rows in every format, withheld fields absent, GBK text
intact, conditional GET and ranges, Chinese file names, audiences and channels."""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from catalog import publication_demo as demo
from catalog.delivery import formats

WITHHELD = ("contact_person", "contact_phone", "contact_email", "legal_representative")


def fetch(client: Any, path: str, **kwargs: Any) -> Any:
    """GET and close: file responses hold an open file until closed."""
    resp = client.get(path, **kwargs)
    _ = resp.data
    resp.close()
    return resp


def url(name: str, rid: str, fmt: str) -> str:
    return f"/dataset/{name}/resource/{rid}/download.{fmt}"


def canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def parquet_rows(body: bytes) -> tuple[pa.Schema, list[dict[str, Any]]]:
    table = pq.read_table(io.BytesIO(body))
    return table.schema, [{k: canonical(v) for k, v in row.items()} for row in table.to_pylist()]


def csv_rows(body: bytes, schema: pa.Schema) -> list[dict[str, Any]]:
    types = {f.name: (pa.timestamp("s") if pa.types.is_timestamp(f.type) else f.type) for f in schema}
    table = pacsv.read_csv(io.BytesIO(body), convert_options=pacsv.ConvertOptions(column_types=types))
    return [{k: canonical(v) for k, v in row.items()} for row in table.to_pylist()]


def json_rows(rows: list[dict[str, Any]], schema: pa.Schema) -> list[dict[str, Any]]:
    times = {f.name for f in schema if pa.types.is_timestamp(f.type)}
    return [{k: canonical(datetime.fromisoformat(v) if k in times and v else v) for k, v in row.items()}
            for row in rows]


@pytest.mark.parametrize("name", [demo.POLLUTION, demo.AIR])
def test_every_format_holds_the_same_released_rows(client: Any, delivered: Any, name: str) -> None:
    rid = delivered.resources[name]
    bodies = {fmt: fetch(client, url(name, rid, fmt)) for fmt in ("parquet", "csv", "json", "ndjson")}
    assert all(r.status_code == 200 for r in bodies.values()), {f: r.status_code for f, r in bodies.items()}
    schema, expected = parquet_rows(bodies["parquet"].data)
    assert expected, "the release should carry rows"
    assert csv_rows(bodies["csv"].data, schema) == expected
    assert json_rows(json.loads(bodies["json"].data), schema) == expected
    ndjson = [json.loads(line) for line in bodies["ndjson"].data.decode().splitlines() if line]
    assert json_rows(ndjson, schema) == expected


def test_withheld_fields_never_reach_a_download(client: Any, delivered: Any) -> None:
    rid = delivered.resources[demo.POLLUTION]
    for fmt in ("parquet", "csv", "json", "ndjson", "xlsx"):
        body = fetch(client, url(demo.POLLUTION, rid, fmt)).data
        if fmt == "parquet":
            names = pq.read_schema(io.BytesIO(body)).names
        elif fmt == "xlsx":
            sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
            names = [c.value for c in next(sheet.iter_rows(max_row=1))]
        else:
            names = []
            assert demo.SECRET_CONTACT.encode() not in body and demo.SECRET_PHONE.encode() not in body
            text = body.decode()
            assert not any(w in text for w in WITHHELD), fmt
        assert not set(WITHHELD) & set(names), fmt


def test_gbk_export_round_trips_its_chinese_text(client: Any, delivered: Any) -> None:
    rid = delivered.resources[delivered.gbk]
    csv_text = fetch(client, url(delivered.gbk, rid, "csv")).data.decode("utf-8")
    rows = json.loads(fetch(client, url(delivered.gbk, rid, "json")).data)
    parquet = pq.read_table(io.BytesIO(fetch(client, url(delivered.gbk, rid, "parquet")).data))
    for station in delivered.gbk_stations:
        assert station in csv_text
        assert station in {r["station_name"] for r in rows}
        assert station in set(parquet.column("station_name").to_pylist())


def test_csv_with_bom_for_excel(client: Any, delivered: Any) -> None:
    rid = delivered.resources[delivered.gbk]
    plain = fetch(client, url(delivered.gbk, rid, "csv")).data
    with_bom = fetch(client, url(delivered.gbk, rid, "csv") + "?bom=1").data
    assert not plain.startswith(formats.BOM)
    assert with_bom == formats.BOM + plain


def test_conditional_get_range_and_chinese_file_name(client: Any, delivered: Any) -> None:
    rid = delivered.resources[demo.AIR]
    first = fetch(client, url(demo.AIR, rid, "csv"))
    etag = first.headers["ETag"]
    assert fetch(client, url(demo.AIR, rid, "csv"), headers={"If-None-Match": etag}).status_code == 304
    part = fetch(client, url(demo.AIR, rid, "csv"), headers={"Range": "bytes=10-29"})
    assert part.status_code == 206 and part.data == first.data[10:30]
    assert part.headers["Content-Range"] == f"bytes 10-29/{len(first.data)}"
    disposition = first.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition and "%E6%B8%9D%E4%B8%AD" in disposition  # 渝中
    assert f'filename="{demo.AIR}.csv"' in disposition
    stored = fetch(client, url(demo.AIR, rid, "parquet"), headers={"Range": "bytes=0-3"})
    assert stored.status_code == 206 and stored.data == b"PAR1"


def test_xlsx_download_and_its_size_bound(client: Any, delivered: Any, monkeypatch: Any) -> None:
    rid = delivered.resources[demo.AIR]
    table = pq.read_table(io.BytesIO(fetch(client, url(demo.AIR, rid, "parquet")).data))
    sheet = openpyxl.load_workbook(io.BytesIO(fetch(client, url(demo.AIR, rid, "xlsx")).data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == table.num_rows + 1 and list(rows[0]) == table.column_names
    monkeypatch.setattr(formats, "XLSX_MAX_ROWS", 10)
    refused = fetch(client, url(delivered.gbk, delivered.resources[delivered.gbk], "xlsx"))
    assert refused.status_code == 413
    assert "超过 Excel 下载上限 10 行" in refused.data.decode() and "CSV" in refused.data.decode()


def test_audiences_get_their_own_artifact(client: Any, delivered: Any, people: Any) -> None:
    rid = delivered.resources[demo.AIR]
    public = pq.read_table(io.BytesIO(fetch(client, url(demo.AIR, rid, "parquet")).data))
    owner = fetch(client, url(demo.AIR, rid, "parquet"), headers=people.auth("member"))
    assert owner.headers["Cache-Control"].startswith("private")
    owned = pq.read_table(io.BytesIO(owner.data))
    assert set(public.column("flag").to_pylist()) == {"N"}
    assert owned.num_rows > public.num_rows


def test_unknown_or_unreleased_is_404(client: Any, delivered: Any, people: Any, make_record: Any) -> None:
    rid = delivered.resources[demo.AIR]
    assert fetch(client, url(demo.AIR, "no-such-resource", "csv")).status_code == 404
    assert fetch(client, url("no-such-dataset", rid, "csv")).status_code == 404
    assert fetch(client, url(demo.AIR, rid, "exe")).status_code == 404
    made = client.post("/api/v1/datasets", json=make_record(name="cq-air-unreleased"), headers=people.auth("editor"))
    assert made.status_code == 201
    unreleased = made.get_json()["resources"][0]["id"]
    assert fetch(client, url("cq-air-unreleased", unreleased, "csv")).status_code == 404
    assert fetch(client, url("cq-air-unreleased", unreleased, "csv"), headers=people.auth("member")).status_code == 404
