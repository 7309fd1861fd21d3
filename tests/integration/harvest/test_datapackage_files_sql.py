"""Data packages (by URL and zipped), file drops with GBK/GB18030/UTF-8 files, catalogue spreadsheets in
GBK and XLSX, and department databases."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from harvesters.common import license_id

PACKAGES = ("real-packages/co2-ppm/datapackage.json", "frictionless-py/datapackage.json",
            "frictionless-py/detailed.package.json", "frictionless-py/ckan.package.json",
            "frictionless-py/invalid/datapackage.json", "frictionless-py/country.package.json",
            "frictionless-py/invalid.json", "frictionless-py/schema-invalid.json")


@pytest.fixture
def packages(corpora: Path, server: Any, harvest: Any) -> dict[str, Any]:
    base = corpora / "datapackage"
    for path in base.rglob("*"):
        if path.is_file() and "profiles" not in path.parts:
            server.add_file(f"dp/{path.relative_to(base).as_posix()}", path.read_bytes(), "")
    harvest.source("packages", "datapackage", f"{server.url}/dp/", options={"packages": list(PACKAGES)})
    return harvest.run("packages")


def test_packages_map_field_by_field(packages: dict[str, Any], corpora: Path, server: Any, harvest: Any) -> None:
    assert packages["status"] == "finished"
    records = harvest.records()
    for rel in PACKAGES[:6]:
        pkg = json.loads((corpora / "datapackage" / rel).read_text())
        url = f"{server.url}/dp/{rel}"
        rec = records[url]
        assert rec["title"] == (pkg.get("title") or pkg.get("name") or Path(rel).name)
        assert rec["description"] == (pkg.get("description") or rec["title"])
        assert sorted(rec.get("keywords", [])) == sorted(pkg.get("keywords", []))
        assert [r["name"] for r in rec["resources"]] == [r.get("title") or r.get("name") or f"资源{i + 1}"
                                                        for i, r in enumerate(pkg["resources"])]
        for got, res in zip(rec["resources"], pkg["resources"], strict=True):
            if isinstance(res.get("path"), str) and not res["path"].startswith("http"):
                assert got["url"] == f"{server.url}/dp/{Path(rel).parent.as_posix()}/{res['path']}".replace("/./", "/")
            if isinstance(res.get("schema"), dict):
                assert got["table_schema"] == res["schema"]
        licence = (pkg.get("licenses") or [{}])[0]
        assert rec.get("license_id") == (license_id(licence.get("name")) or license_id(licence.get("path")))


def test_co2_package_brings_resources_and_schemas(packages: dict[str, Any], server: Any, harvest: Any,
                                                  corpora: Path) -> None:
    pkg = json.loads((corpora / "datapackage/real-packages/co2-ppm/datapackage.json").read_text())
    rec = harvest.records()[f"{server.url}/dp/real-packages/co2-ppm/datapackage.json"]
    assert rec["name"] == "co2-ppm" and rec["version"] == pkg["version"]
    assert rec["landing_page"] == pkg["homepage"]
    assert rec["extras"]["harvest_license"] == pkg["licenses"][0]["title"]  # PDDL is not in our licence list
    assert [e["name"] for e in rec["data_elements"]] == [f["name"] for f in pkg["resources"][0]["schema"]["fields"]]
    assert rec["data_elements"][0]["type"] == "D" and rec["data_elements"][1]["type"] == "N"
    assert rec["resources"][0]["url"] == f"{server.url}/dp/real-packages/co2-ppm/data/co2-mm-mlo.csv"


def test_invalid_packages_are_clear_record_errors(packages: dict[str, Any], server: Any) -> None:
    errors = {e["remote_id"].rsplit("/dp/", 1)[-1]: e for e in packages["errors"]}
    assert set(errors) == {"frictionless-py/invalid.json", "frictionless-py/schema-invalid.json"}
    assert errors["frictionless-py/invalid.json"]["outcome"] == "failed"
    assert "JSON" in errors["frictionless-py/invalid.json"]["message"]
    assert errors["frictionless-py/schema-invalid.json"]["outcome"] == "invalid"


def test_zipped_package(corpora: Path, server: Any, harvest: Any) -> None:
    base = corpora / "datapackage/real-packages/co2-ppm"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in base.rglob("*"):
            zf.write(path, f"co2-ppm/{path.relative_to(base).as_posix()}")
    url = server.add_file("co2-ppm.zip", buf.getvalue(), "application/zip")
    harvest.source("zipped", "datapackage", url)
    assert harvest.run("zipped")["counts"]["added"] == 1
    rec = harvest.records()[url]
    assert rec["title"] == json.loads((base / "datapackage.json").read_text())["title"]
    assert rec["resources"][0]["url"] == f"{url}#data/co2-mm-mlo.csv"


AIR = "监测站点,监测时间,PM2.5浓度(微克每立方米),空气质量指数\n解放碑,2024-01-01 08:00,35.2,52\n两路口,2024-01-01 08:00,41,60\n"


@pytest.mark.parametrize(("encoding", "label", "prefix"), [
    ("gbk", "GBK", b""), ("gb18030", "GB18030", b""), ("utf-8", "UTF-8 (BOM)", b"\xef\xbb\xbf"), ("utf-8", "UTF-8", b"")])
def test_file_drop_detects_encodings(encoding: str, label: str, prefix: bytes, tmp_path: Path,
                                     harvest: Any) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    text = AIR if encoding != "gb18030" else AIR.replace("解放碑", "解放碑𠀾")  # a character outside GBK
    (drop / "渝中区空气质量小时数据.csv").write_bytes(prefix + text.encode(encoding))
    harvest.source("drop", "files", drop.as_uri())
    assert harvest.run("drop")["counts"]["added"] == 1
    [rec] = harvest.records().values()
    assert rec["title"] == "渝中区空气质量小时数据"
    assert rec["extras"]["harvest_encoding"] == label
    assert [e["name"] for e in rec["data_elements"]] == ["监测站点", "监测时间", "PM2.5浓度(微克每立方米)", "空气质量指数"]
    assert [e["type"] for e in rec["data_elements"]] == ["C", "T", "N", "I"]
    assert rec["resources"][0]["byte_size"] == len(prefix + text.encode(encoding))


def test_file_drop_over_http_and_a_changed_file(server: Any, harvest: Any) -> None:
    csv_gbk = AIR.encode("gbk")
    server.add_file("drop/长江寸滩断面水质.csv", "断面名称,溶解氧\n寸滩,8.1\n".encode("gbk"), "text/csv")
    server.add_file("drop/air.csv", csv_gbk, "text/csv")
    server.add_file("drop/", '<a href="air.csv">air</a> <a href="%E9%95%BF%E6%B1%9F%E5%AF%B8%E6%BB%A9%E6%96%AD%E9%9D%A2%E6%B0%B4%E8%B4%A8.csv">w</a>'
                    '<a href="http://elsewhere.example/x.csv">x</a>', "text/html")
    harvest.source("http-drop", "files", f"{server.url}/drop/", options={"titles": {"air.csv": "渝中区空气质量"}})
    assert harvest.run("http-drop")["counts"]["added"] == 2
    titles = sorted(r["title"] for r in harvest.records().values())
    assert titles == ["渝中区空气质量", "长江寸滩断面水质"]
    server.add_file("drop/air.csv", csv_gbk + "杨家坪,2024-01-01 08:00,30,45\n".encode("gbk"), "text/csv")
    assert harvest.run("http-drop")["counts"] == {"added": 0, "updated": 1, "unchanged": 1, "withdrawn": 0,
                                                  "invalid": 0, "failed": 0}


SHEET_HEADER = ["信息资源名称", "信息资源摘要", "信息资源代码", "共享类型", "共享条件", "开放类型", "更新周期",
                "关键词", "主题", "行政区划", "信息项信息", "联系人", "联系电话", "发布日期", "所属系统"]
SHEET_ROWS = [
    ["重庆市集中式饮用水水源地水质月报", "全市县级及以上集中式饮用水水源地水质监测结果，按月发布。", "216001/000901",
     "无条件共享", "", "无条件开放", "每月", "饮用水；水质", "饮用水源", "重庆市", "断面名称:字符型(50);监测时间:日期型;水质类别:字符型(4)",
     "王敏", "023-67983512", "2024-03-01", "水环境监测系统"],
    ["重庆市声环境功能区监测季报", "各区县声环境功能区昼夜等效声级季度监测结果。", "216001/000902", "有条件共享",
     "仅向区县生态环境部门共享", "无条件开放", "每季度", "噪声、声环境", "噪声", "渝中区、江北区", "", "", "", "", ""],
    ["", "缺少名称的一行", "", "无条件共享", "", "无条件开放", "每年", "", "", "", "", "", "", "", ""],
]


def _check_sheet(harvest: Any, report: dict[str, Any]) -> None:
    assert report["counts"]["added"] == 2 and report["counts"]["invalid"] == 1
    assert report["errors"][0]["problems"][0]["location"]["field"] == "信息资源名称"
    first = harvest.records()["216001/000901"]
    assert first["title"] == SHEET_ROWS[0][0] and first["description"] == SHEET_ROWS[0][1]
    assert first["resource_code"] == "216001/000901" and first["update_cycle"] == "每月"
    assert sorted(first["keywords"]) == sorted(["饮用水", "水质"]) and first["themes"] == ["drinking-water"]
    assert first["districts"] == ["500000"] and first["publish_date"] == "2024-03-01"
    assert first["data_elements"] == [{"name": "断面名称", "type": "C", "length": 50},
                                      {"name": "监测时间", "type": "D"}, {"name": "水质类别", "type": "C", "length": 4}]
    assert first["contact_point"] == {"name": "王敏", "phone": "023-67983512"}
    assert first["extras"]["harvest_column_所属系统"] == "水环境监测系统"
    second = harvest.records()["216001/000902"]
    assert second["share_condition"] == "仅向区县生态环境部门共享" and second["districts"] == ["500103", "500105"]


def test_gbk_catalogue_spreadsheet(tmp_path: Path, harvest: Any) -> None:
    lines = [",".join(SHEET_HEADER)] + [",".join(row) for row in SHEET_ROWS]
    sheet = tmp_path / "生态环境局信息资源目录.csv"
    sheet.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    harvest.source("sheet", "files", sheet.as_uri(), options={"mode": "catalogue"})
    _check_sheet(harvest, harvest.run("sheet"))


def test_xlsx_catalogue_spreadsheet(server: Any, harvest: Any) -> None:
    wb = Workbook()
    wb.active.append(SHEET_HEADER)
    for row in SHEET_ROWS:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    url = server.add_file("目录.xlsx", buf.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    harvest.source("xlsx-sheet", "files", url, options={"mode": "catalogue"})
    _check_sheet(harvest, harvest.run("xlsx-sheet"))


def test_department_database_tables_and_queries(tmp_path: Path, harvest: Any) -> None:
    db = tmp_path / "水质.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE water_quality (断面名称 VARCHAR(50), 监测时间 TIMESTAMP, 溶解氧 NUMERIC(6,2), "
                     "水质类别 VARCHAR(4))")
        conn.executemany("INSERT INTO water_quality VALUES (?, ?, ?, ?)",
                         [("寸滩", "2024-01-01 08:00", 8.1, "II"), ("清溪场", "2024-01-01 08:00", 7.4, "III")])
    harvest.source("water-db", "sql", f"sqlite:///{db}", org="cq-slj", options={
        "tables": ["water_quality", "no_such_table"], "titles": {"water_quality": "长江干流断面水质监测数据"},
        "queries": {"class_ii": "SELECT 断面名称, 水质类别 FROM water_quality WHERE 水质类别 = 'II'"}})
    report = harvest.run("water-db")
    assert report["counts"]["added"] == 2 and report["counts"]["failed"] == 1
    assert report["errors"][0]["remote_id"] == "table:no_such_table"
    table = harvest.records()["table:water_quality"]
    assert table["title"] == "长江干流断面水质监测数据" and table["organization"] == "cq-slj"
    assert [(e["name"], e["type"]) for e in table["data_elements"]] == [
        ("断面名称", "C"), ("监测时间", "T"), ("溶解氧", "N"), ("水质类别", "C")]
    assert table["resources"][0]["table_schema"]["fields"][2] == {"name": "溶解氧", "type": "number"}
    assert table["extras"]["harvest_sql_rows"] == 2
    assert harvest.records()["query:class_ii"]["extras"]["harvest_sql_rows"] == 1
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO water_quality VALUES ('朱沱', '2024-01-01 08:00', 8.4, 'II')")
    again = harvest.run("water-db")
    assert again["counts"]["updated"] == 2 and again["counts"]["unchanged"] == 0
