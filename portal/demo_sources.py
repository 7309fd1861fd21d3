"""A small threaded HTTP server on 127.0.0.1 that plays remote catalogues from in-memory payloads.

It serves a CKAN Action API (package_search with rows/start/fq metadata_modified/sort, package_show,
organization_list) per path prefix, and static files (DCAT, data packages, file drops) by path.
The demo uses it for its demo sources; tests and benchmarks use it as a real CKAN peer.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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
        return f"http://{host}:{port}"

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
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (size limit, timeout): nothing to tell it

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
