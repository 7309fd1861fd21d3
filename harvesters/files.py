"""File drops: a folder or URL of CSV/XLSX/JSON files (one dataset per file), or a catalogue spreadsheet.

``mode: files`` (default): each file becomes a dataset with one distribution; its header becomes the
data elements and its text encoding (GBK, GB18030, UTF-8 with or without BOM) is detected and kept
in ``harvest_encoding``.  ``mode: catalogue``: the URL is a department's resource list, one row per
dataset, with the national core metadata columns under Chinese headers.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from harvesters.base import (
    HarvestError,
    MappedRecord,
    RawRecord,
    RecordError,
    RemoteRef,
    SourceConfig,
    harvest_extras,
    problem,
)
from harvesters.catalogue_sheet import map_row
from harvesters.common import clip, themes_for
from harvesters.http import HttpClient
from harvesters.registry import register_source_type
from harvesters.tables import ENCODING_LABELS, all_rows, elements, read_rows

EXTENSIONS = ("csv", "tsv", "xlsx", "xlsm", "json")
FORMATS = {"csv": ("CSV", "text/csv"), "tsv": ("TSV", "text/tab-separated-values"), "json": ("JSON", "application/json"),
           "xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
           "xlsm": ("XLSX", "application/vnd.ms-excel.sheet.macroenabled.12")}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def ext_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _local_root(source: SourceConfig) -> Path | None:
    url = source.url
    if url.startswith("file://"):
        return Path(unquote(urlsplit(url).path))
    return Path(url) if url.startswith("/") else None


class FilesSource:
    name = "files"
    options_schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "mode": {"enum": ["files", "catalogue"]},
            "encoding": {"type": "string"},
            "titles": {"type": "object", "additionalProperties": {"type": "string"}},
            "recursive": {"type": "boolean"},
        },
        "additionalProperties": False,
    }

    def list_records(self, source: SourceConfig, since: datetime | None,
                     http: HttpClient) -> Iterator[RemoteRef | RawRecord]:
        if source.option("mode") == "catalogue":
            yield from self._catalogue_rows(source, http)
            return
        root = _local_root(source)
        if root is not None:
            yield from self._local_files(source, root)
            return
        yield from self._remote_files(source, http)

    def _local_files(self, source: SourceConfig, root: Path) -> Iterator[RemoteRef]:
        if not source.allow_private:
            raise HarvestError("读取服务器本地目录需在来源上明确允许（allow_private）",
                               "local folders are only harvested when the source explicitly allows it",
                               code="harvest_private_address")
        if not root.is_dir():
            raise HarvestError(f"目录不存在：{root}", f"folder not found: {root}", code="harvest_bad_url")
        pattern = "**/*" if source.option("recursive", True) else "*"
        for path in sorted(p for p in root.glob(pattern) if p.is_file() and ext_of(p.name) in EXTENSIONS):
            rel = path.relative_to(root).as_posix()
            yield RemoteRef(rel, datetime.fromtimestamp(path.stat().st_mtime, UTC), path.as_uri())

    def _remote_files(self, source: SourceConfig, http: HttpClient) -> Iterator[RemoteRef]:
        if ext_of(urlsplit(source.url).path) in EXTENSIONS:
            yield RemoteRef(urlsplit(source.url).path.rsplit("/", 1)[-1], None, source.url)
            return
        resp = http.get(source.url)
        if "json" in resp.content_type:
            links = [str(u) for u in resp.json() if isinstance(u, str)]
        else:
            parser = _Links()
            parser.feed(resp.content.decode("utf-8", "replace"))
            links = parser.links
        for link in sorted(dict.fromkeys(links)):
            url = urljoin(resp.url, link)
            if ext_of(urlsplit(url).path) in EXTENSIONS and urlsplit(url).hostname == urlsplit(resp.url).hostname:
                yield RemoteRef(unquote(urlsplit(url).path.rsplit("/", 1)[-1]), None, url)

    def _read(self, source: SourceConfig, url: str, http: HttpClient) -> bytes:
        if url.startswith("file://"):
            root = _local_root(source)
            path = Path(unquote(urlsplit(url).path))
            if root is None or not path.resolve().is_relative_to(root.resolve()):
                raise RecordError(f"文件不在来源目录内：{path}", f"file outside the source folder: {path}")
            if path.stat().st_size > http.max_bytes:
                raise RecordError(f"文件超过大小上限：{path.name}", f"file exceeds the size limit: {path.name}",
                                  code="harvest_too_large")
            return path.read_bytes()
        return http.get(url).content

    def fetch(self, source: SourceConfig, ref: RemoteRef, http: HttpClient) -> RawRecord:
        data = self._read(source, ref.url or ref.remote_id, http)
        return RawRecord(ref.remote_id, data, FORMATS.get(ext_of(ref.remote_id), ("", "application/octet-stream"))[1],
                         ref.url, ref.modified)

    def _catalogue_rows(self, source: SourceConfig, http: HttpClient) -> Iterator[RawRecord]:
        root = _local_root(source)
        data = self._read(source, source.url if root is None else root.as_uri(), http) if root else \
            http.get(source.url).content
        try:
            rows, _ = all_rows(data, ext_of(urlsplit(source.url).path) or "csv", source.option("encoding"))
        except RecordError as exc:
            raise HarvestError(f"目录表无法读取：{exc.message}", f"catalogue sheet unreadable: {exc.message_en}",
                               code="harvest_parse_error") from exc
        if not rows:
            return
        header = [str(h).strip() for h in rows[0]]
        for number, row in enumerate(rows[1:], start=2):
            values = {h: ("" if v is None else str(v)) for h, v in zip(header, row, strict=False) if h}
            code = next((values[h] for h in ("信息资源代码", "资源代码") if values.get(h)), None)
            remote_id = code or values.get("信息资源名称") or f"row-{number}"
            yield RawRecord(remote_id, json.dumps({"row": number, "values": values}, ensure_ascii=False,
                                                  sort_keys=True).encode(), "application/x-catalogue-row",
                            source.url, None)

    def to_record(self, raw: RawRecord, source: SourceConfig) -> MappedRecord:
        if raw.content_type == "application/x-catalogue-row":
            row = json.loads(raw.content)
            record, problems = map_row(row["values"], str(row["row"]), source)
            return MappedRecord(record, problems)
        return map_file(raw, source)


def map_file(raw: RawRecord, source: SourceConfig) -> MappedRecord:
    ext = ext_of(raw.remote_id)
    try:
        rows, encoding = read_rows(raw.content, ext, encoding=source.option("encoding"))
    except RecordError as exc:
        return MappedRecord({}, [problem(exc.code, f"文件 {raw.remote_id}：{exc.message}",
                                         f"file {raw.remote_id}: {exc.message_en}", raw.remote_id)])
    stem = re.sub(r"\.[^.]+$", "", raw.remote_id.rsplit("/", 1)[-1])
    title = (source.option("titles") or {}).get(raw.remote_id) or stem
    fmt, media = FORMATS.get(ext, (ext.upper(), "application/octet-stream"))
    els = elements(rows)
    summary = f"{title}（{fmt} 文件 {raw.remote_id}，{len(els)} 个信息项"
    summary += f"，{ENCODING_LABELS.get(encoding, encoding)} 编码）" if encoding else "）"
    resource = {"name": clip(raw.remote_id, 500), "url": raw.url or raw.remote_id, "format": fmt,
                "media_type": media, "byte_size": len(raw.content),
                "checksum": {"algorithm": "sha256", "value": hashlib.sha256(raw.content).hexdigest()}}
    record = {"title": clip(title, 200), "description": summary, "keywords": [], "themes": themes_for(source, [stem]),
              "data_elements": els, "resources": [resource],
              "resource_format": {"category": "电子表格" if ext in ("xlsx", "xlsm", "csv", "tsv") else "自描述格式",
                                  "type": fmt.lower()},
              "extras": harvest_extras({"file": raw.remote_id, "encoding": ENCODING_LABELS.get(encoding or "", encoding),
                                        "codec": encoding, "sample_rows": max(len(rows) - 1, 0)})}
    return MappedRecord(record)


register_source_type(FilesSource())
