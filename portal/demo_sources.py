"""A small threaded HTTP server on 127.0.0.1 that plays remote catalogues from in-memory payloads.

It serves a CKAN Action API (package_search with rows/start/fq metadata_modified/sort, package_show,
organization_list) per path prefix, and static files (DCAT, data packages, file drops) by path.
The demo uses it for its demo sources; tests and benchmarks use it as a real CKAN peer.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

_SINCE = re.compile(r"metadata_modified:\[(\S+) TO \*\]")


class FixtureServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.ckan: dict[str, list[dict[str, Any]]] = {}
        self.files: dict[str, tuple[bytes, str]] = {}
        self.redirects: dict[str, str] = {}
        self.failures: dict[str, int] = {}  # path → how many more times to answer 503 (retry tests)
        self.delays: dict[str, float] = {}  # path → seconds to wait before answering (timeout tests)
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer((host, port), _handler(self))
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FixtureServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def add_file(self, path: str, content: bytes | str, content_type: str = "application/octet-stream") -> str:
        data = content.encode() if isinstance(content, str) else content
        self.files["/" + path.lstrip("/")] = (data, content_type)
        return f"{self.url}/{path.lstrip('/')}"

    def add_ckan(self, prefix: str, packages: list[dict[str, Any]]) -> str:
        self.ckan["/" + prefix.strip("/")] = packages
        return f"{self.url}/{prefix.strip('/')}"

    # ------------------------------------------------------------------ CKAN API

    def ckan_action(self, prefix: str, action: str, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        packages = self.ckan[prefix]
        if action == "package_search":
            return 200, _ok(_search(packages, query))
        if action == "package_show":
            found = [p for p in packages if query.get("id") in (p.get("id"), p.get("name"))]
            if found:
                return 200, _ok(found[0])
            return 404, {"success": False, "error": {"message": "Not found", "__type": "Not Found Error"}}
        if action == "package_list":
            return 200, _ok([p.get("name") for p in packages])
        if action == "organization_list":
            orgs = {(p.get("organization") or {}).get("name") for p in packages} - {None}
            return 200, _ok(sorted(orgs))
        return 400, {"success": False, "error": {"message": f"unknown action {action}"}}


def _ok(result: Any) -> dict[str, Any]:
    return {"help": "fixture", "success": True, "result": result}


def _search(packages: list[dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
    items = list(packages)
    since = _SINCE.search(query.get("fq", ""))
    if since:
        stamp = since.group(1).rstrip("Z")
        items = [p for p in items if (p.get("metadata_modified") or "") >= stamp]
    if query.get("sort", "").startswith("metadata_modified"):
        items.sort(key=lambda p: (p.get("metadata_modified") or "", p.get("id") or ""))
    start, rows = int(query.get("start", 0)), int(query.get("rows", 10))
    return {"count": len(items), "results": items[start:start + rows], "sort": query.get("sort", "")}


def _handler(server: FixtureServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
            return

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            parts = urlsplit(self.path)
            parts = parts._replace(path=unquote(parts.path))
            server.requests.append(parts.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            if server.delays.get(parts.path):
                time.sleep(server.delays[parts.path])
            if server.failures.get(parts.path, 0) > 0:
                server.failures[parts.path] -= 1
                self._send(503, b"busy", "text/plain")
            elif parts.path in server.redirects:
                self._send(302, b"", "text/plain", {"Location": server.redirects[parts.path]})
            elif "/api/3/action/" in parts.path:
                prefix, _, action = parts.path.partition("/api/3/action/")
                if prefix not in server.ckan:
                    self._send(404, b"not found", "text/plain")
                    return
                status, body = server.ckan_action(prefix, action, query)
                self._send(status, json.dumps(body, ensure_ascii=False).encode(), "application/json")
            elif self.path in server.files or parts.path in server.files:
                data, ctype = server.files.get(self.path) or server.files[parts.path]
                self._send(200, data, ctype)
            else:
                self._send(404, b"not found", "text/plain")

        def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (size limit)
                self.wfile.write(body)

    return Handler


# ---------------------------------------------------------------------- generated CKAN packages

STATIONS = ("解放碑", "两路口", "杨家坪", "南坪", "观音岩", "唐家沱", "虎溪", "礼嘉", "天生", "白市驿", "缙云山", "蔡家")
DISTRICTS = (("渝中区", "500103"), ("江北区", "500105"), ("沙坪坝区", "500106"), ("九龙坡区", "500107"),
             ("南岸区", "500108"), ("北碚区", "500109"), ("渝北区", "500112"), ("巴南区", "500113"),
             ("万州区", "500101"), ("涪陵区", "500102"), ("永川区", "500118"), ("合川区", "500117"))
SUBJECTS = (("空气质量自动监测小时数据", "大气", ["空气质量", "PM2.5", "臭氧"]),
            ("地表水水质自动监测数据", "地表水", ["水质", "溶解氧", "氨氮"]),
            ("声环境功能区监测数据", "噪声", ["噪声", "等效声级"]),
            ("重点排污单位在线监测数据", "污染源", ["污染源", "排放", "在线监测"]),
            ("土壤环境质量例行监测数据", "土壤", ["土壤", "重金属"]),
            ("辐射环境自动监测数据", "辐射", ["辐射", "γ剂量率"]))
THEME_MAP = {"大气": "air", "地表水": "surface-water", "噪声": "noise", "污染源": "pollution-source",
             "土壤": "soil", "辐射": "radiation"}


def generate_package(i: int, *, org: str = "cq-jczx", org_title: str = "重庆市生态环境监测中心",
                     modified: str = "2026-01-01T00:00:00.000000", revision: int = 0) -> dict[str, Any]:
    """One realistic Chinese CKAN package dict (deterministic for ``i``)."""
    district, code = DISTRICTS[i % len(DISTRICTS)]
    station = STATIONS[(i // len(DISTRICTS)) % len(STATIONS)]
    subject, group, tags = SUBJECTS[i % len(SUBJECTS)]
    year = 2015 + i % 11
    title = f"{district}{station}{subject}（{year}年，第{i}号）"
    notes = (f"{district}{station}监测点位{year}年{subject}，由{org_title}按国家监测技术规范采集、审核后发布。"
             f"包含监测时间、监测项目、浓度值及数据标识。" + (f"（第{revision}次修订）" if revision else ""))
    return {
        "id": f"pkg-{i:06d}", "name": f"cq-monitoring-{i:06d}", "title": title, "notes": notes,
        "metadata_created": "2025-06-01T08:00:00.000000", "metadata_modified": modified,
        "license_id": "cc-by", "license_title": "Creative Commons Attribution", "url": f"https://sthjj.cq.gov.cn/data/{i}",
        "version": f"{year}.{revision}", "maintainer": f"{org_title}数据管理科", "maintainer_email": "sjk@cqemc.cn",
        "organization": {"name": org, "title": org_title},
        "groups": [{"name": group, "title": group}], "tags": [{"name": t, "display_name": t} for t in tags + [district]],
        "extras": [{"key": "district_code", "value": code}, {"key": "temporal_start", "value": f"{year}-01-01"},
                   {"key": "temporal_end", "value": f"{year}-12-31"}, {"key": "station", "value": station}],
        "resources": [
            {"id": f"res-{i:06d}-csv", "name": f"{title} CSV", "format": "CSV", "mimetype": "text/csv",
             "url": f"https://sthjj.cq.gov.cn/files/{i:06d}.csv", "size": 20480 + i},
            {"id": f"res-{i:06d}-api", "name": "数据接口", "format": "JSON",
             "url": f"https://sthjj.cq.gov.cn/api/monitoring/{i:06d}", "description": "按时间范围查询的接口"},
        ],
    }


def generate_packages(n: int, **kwargs: Any) -> list[dict[str, Any]]:
    return [generate_package(i, **kwargs) for i in range(n)]


# ---------------------------------------------------------------------- the demo's sources

DEMO_ORGS = {"cq-sthjjczx": "重庆市生态环境监测中心", "cq-swjczz": "重庆市水文监测总站", "cq-qxj": "重庆市气象局",
             "cq-ghzrzyj": "重庆市规划和自然资源局", "cq-nyncw": "重庆市农业农村委员会", "cq-lyj": "重庆市林业局"}
_TTL = """@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix hydra: <http://www.w3.org/ns/hydra/core#> .
{datasets}
<{base}/dcat/catalog.ttl?page={page}> a hydra:PartialCollectionView {next} ."""
_TTL_DATASET = """<{base}/dcat/ds/{n}> a dcat:Dataset ; dct:title "{title}"@zh ; dct:description "{title}，由重庆市水文监测总站逐日整编发布。"@zh ;
  dct:identifier "swjczz-{n}" ; dcat:keyword "水文", "水位", "流量" ; dct:publisher [ foaf:name "重庆市水文监测总站" ] ;
  dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/DAILY> ;
  dcat:distribution [ a dcat:Distribution ; dct:title "逐日数据 CSV" ; dcat:accessURL <{base}/files/hydro-{n}.csv> ; dct:format "CSV" ] ."""
_HYDRO = ("长江寸滩站逐日水位流量", "嘉陵江北碚站逐日水位流量", "乌江武隆站逐日水位流量", "涪江小河坝站逐日水位流量")


def _dcat_pages(srv: FixtureServer) -> None:
    for page in (1, 2):
        items = [(n, _HYDRO[n]) for n in range((page - 1) * 2, page * 2)]
        body = "\n".join(_TTL_DATASET.format(base=srv.url, n=n, title=t) for n, t in items)
        nxt = f"; hydra:next <{srv.url}/dcat/catalog.ttl?page=2>" if page == 1 else ""
        srv.add_file(f"dcat/catalog.ttl?page={page}", _TTL.format(datasets=body, base=srv.url, page=page, next=nxt),
                     "text/turtle")
    srv.files["/dcat/catalog.ttl"] = srv.files["/dcat/catalog.ttl?page=1"]


def _datapackage(srv: FixtureServer) -> None:
    fields = [{"name": "观测时间", "type": "datetime"}, {"name": "气温", "type": "number", "description": "摄氏度"},
              {"name": "降水量", "type": "number", "description": "毫米"}]
    srv.add_file("dp/sites/shapingba.csv", "观测时间,气温,降水量\n2024-07-01T08:00:00,31.2,0.0\n", "text/csv")
    srv.add_file("dp/sites/datapackage.json", json.dumps({
        "name": "cq-weather-hourly", "title": "重庆市国家气象观测站逐小时观测数据",
        "description": "沙坪坝国家基本气象站逐小时气温、降水观测数据。", "keywords": ["气象", "气温", "降水"],
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": [{"name": "shapingba", "title": "沙坪坝站逐小时观测", "path": "shapingba.csv", "format": "csv",
                       "mediatype": "text/csv", "schema": {"fields": fields}}]}, ensure_ascii=False), "application/json")


def _file_drop(srv: FixtureServer) -> None:
    srv.add_file("drop/主城区土地利用现状.csv", "图斑编号,地类名称,面积(公顷)\nTB001,林地,12.5\n".encode("gbk"), "text/csv")
    srv.add_file("drop/地质灾害隐患点.csv", "隐患点编号,区县,类型\nDZ001,万州区,滑坡\n".encode("gbk"), "text/csv")
    links = "".join(f'<a href="{name}">{name}</a>' for name in ("主城区土地利用现状.csv", "地质灾害隐患点.csv"))
    srv.add_file("drop/", f"<html><body>{links}</body></html>", "text/html")
    rows = ["信息资源名称,信息资源摘要,共享类型,开放类型,更新周期,关键词,主题,行政区划",
            "重庆市耕地土壤环境质量监测数据,全市耕地土壤重金属例行监测结果,无条件共享,无条件开放,每年,土壤;耕地,土壤,重庆市",
            "重庆市农村生活污水处理设施运行数据,各区县农村生活污水处理设施出水水质,无条件共享,无条件开放,每季度,污水;农村,污染源,重庆市"]
    srv.add_file("nyncw/信息资源目录.csv", ("\r\n".join(rows) + "\r\n").encode("gbk"), "text/csv")


def _forest_db(home: Path) -> Path:
    path = home / "demo-sources" / "lyj.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS forest_fire_risk (区县 TEXT, 日期 DATE, 火险等级 INTEGER)")
        if not conn.execute("SELECT count(*) FROM forest_fire_risk").fetchone()[0]:
            conn.executemany("INSERT INTO forest_fire_risk VALUES (?, ?, ?)",
                             [("北碚区", "2024-08-01", 4), ("南川区", "2024-08-01", 3)])
    return path


def start_demo_sources(home: Path, host: str = "127.0.0.1", port: int = 0) -> FixtureServer:
    """Serve the demo's remote catalogues (CKAN, DCAT, data package, file drops) from a local thread."""
    srv = FixtureServer(host, port).start()
    srv.add_ckan("ckan", generate_packages(40, org="cq-sthjjczx", org_title=DEMO_ORGS["cq-sthjjczx"]))
    _dcat_pages(srv)
    _datapackage(srv)
    _file_drop(srv)
    _forest_db(home)
    return srv


def demo_source_specs(base_url: str, home: Path) -> list[dict[str, Any]]:
    db = home / "demo-sources" / "lyj.db"
    return [
        {"name": "jczx-ckan", "org": "cq-sthjjczx", "type": "ckan", "url": f"{base_url}/ckan",
         "options": {"theme_map": THEME_MAP}, "defaults": {"update_cycle": "每日"}},
        {"name": "swjczz-dcat", "org": "cq-swjczz", "type": "dcat", "url": f"{base_url}/dcat/catalog.ttl",
         "defaults": {"theme": "surface-water", "update_cycle": "每日"}},
        {"name": "qxj-datapackage", "org": "cq-qxj", "type": "datapackage", "url": f"{base_url}/dp/sites/datapackage.json",
         "defaults": {"theme": "meteorology", "update_cycle": "实时"}},
        {"name": "ghzrzyj-files", "org": "cq-ghzrzyj", "type": "files", "url": f"{base_url}/drop/",
         "defaults": {"theme": "ecology"}},
        {"name": "nyncw-catalogue", "org": "cq-nyncw", "type": "files", "url": f"{base_url}/nyncw/信息资源目录.csv",
         "options": {"mode": "catalogue"}},
        {"name": "lyj-database", "org": "cq-lyj", "type": "sql", "url": f"sqlite:///{db}",
         "options": {"tables": ["forest_fire_risk"], "titles": {"forest_fire_risk": "重庆市森林火险等级预报"}},
         "defaults": {"theme": "ecology", "update_cycle": "每日"}},
    ]


def register_demo_sources(catalog: Any, base_url: str, *, harvest: bool = True) -> list[dict[str, Any]]:
    """Register the six demo departments' sources (idempotent) and harvest them; returns the job reports."""
    from catalog import accounts, harvest_store
    from catalog.errors import NotFound
    from harvesters.runner import run_source
    from harvesters.sources import add_source

    specs = demo_source_specs(base_url, catalog.config.home)
    with catalog.write() as session:
        for code, title in DEMO_ORGS.items():
            try:
                accounts.get_org(session, code)
            except NotFound:
                accounts.create_org(session, code, title)
        for spec in specs:
            try:
                # The demo server listens on a new port each time: keep the source, follow its URL.
                harvest_store.get_source(session, spec["name"]).url = spec["url"]
            except NotFound:
                add_source(session, allow_private=True, **spec)
    return [run_source(catalog, spec["name"]) for spec in specs] if harvest else []
