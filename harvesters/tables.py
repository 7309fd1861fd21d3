"""Reading the first rows of CSV, XLSX and JSON files from bytes, with the text encoding detected."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from itertools import islice
from typing import Any

from harvesters.base import RecordError

# Tried in order; GBK before its superset GB18030 so we record what the department actually sent.
ENCODINGS = ("utf-8", "gbk", "gb18030", "cp950")
ENCODING_LABELS = {"utf-8-sig": "UTF-8 (BOM)", "utf-8": "UTF-8", "gbk": "GBK", "gb18030": "GB18030",
                   "cp950": "Big5 (CP950)"}
NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")
INTEGER = re.compile(r"^-?\d+$")
DATE = re.compile(r"^\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?$")
DATETIME = re.compile(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}[ T]\d{1,2}:\d{2}(:\d{2})?")


def detect_encoding(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ENCODINGS:
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    raise RecordError("文件编码无法识别（不是 UTF-8、GBK、GB18030 或 Big5）",
                      "unknown text encoding (not UTF-8, GBK, GB18030 or Big5)", code="harvest_encoding_error")


def read_rows(data: bytes, ext: str, limit: int = 200, encoding: str | None = None) -> tuple[list[list[Any]], str | None]:
    """Up to ``limit`` rows (header first) and the detected text encoding (None for XLSX)."""
    if ext in ("xlsx", "xlsm"):
        return _xlsx_rows(data, limit), None
    enc = encoding or detect_encoding(data)
    text = data.decode(enc)
    if ext == "json":
        return _json_rows(text, limit), enc
    dialect = csv.excel_tab if ext == "tsv" else csv.excel
    return [row for row in islice(csv.reader(io.StringIO(text), dialect), limit) if any(c.strip() for c in row)], enc


def all_rows(data: bytes, ext: str, encoding: str | None = None) -> tuple[list[list[Any]], str | None]:
    return read_rows(data, ext, limit=10**7, encoding=encoding)


def _xlsx_rows(data: bytes, limit: int) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException for broken files
        raise RecordError(f"无法读取 Excel 文件：{exc}", f"cannot read the XLSX file: {exc}",
                          code="harvest_parse_error") from exc
    try:
        sheet = wb.worksheets[0]
        rows = [["" if v is None else v for v in row] for row in islice(sheet.iter_rows(values_only=True), limit)]
    finally:
        wb.close()
    return [r for r in rows if any(str(c).strip() for c in r)]


def _json_rows(text: str, limit: int) -> list[list[Any]]:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise RecordError(f"JSON 无法解析：{exc}", f"invalid JSON: {exc}", code="harvest_parse_error") from exc
    items = doc if isinstance(doc, list) else next((v for v in doc.values() if isinstance(v, list)), []) \
        if isinstance(doc, dict) else []
    objects = [i for i in items if isinstance(i, dict)][:limit]
    if not objects:
        return []
    header = list(dict.fromkeys(k for o in objects for k in o))
    return [header] + [[o.get(k, "") for k in header] for o in objects]


def element_type(values: list[Any]) -> str:
    """The national 信息项 data type that fits every non-empty sample value."""
    sample = [str(v).strip() for v in values if str(v).strip()]
    if not sample:
        return "C"
    if all(INTEGER.match(v) for v in sample):
        return "I"
    if all(NUMBER.match(v) for v in sample):
        return "N"
    if all(DATETIME.match(v) for v in sample):
        return "T"
    if all(DATE.match(v) for v in sample):
        return "D"
    return "C"


def elements(rows: list[list[Any]]) -> list[dict[str, Any]]:
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    out = []
    for i, name in enumerate(header):
        name = str(name).strip()
        if name:
            out.append({"name": name[:200], "type": element_type([r[i] for r in body if i < len(r)])})
    return out
