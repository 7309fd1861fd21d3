"""Recompute every evidence chain; name the file, line and MN/day of anything altered."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from catalog.errors import Location, Problem
from harvesters.hj212.evidence import GENESIS, QUARANTINE

_MESSAGES = {
    "hj212.evidence_unreadable": ("存证记录无法解析，文件可能被改动", "evidence line is not valid JSON"),
    "hj212.evidence_hash": ("存证记录内容与其哈希不符，记录被改动", "entry does not match its hash"),
    "hj212.evidence_frame": ("原始报文与其SHA-256不符，报文被改动", "raw frame does not match its sha256"),
    "hj212.evidence_chain": ("哈希链断裂：记录被删除、插入或调换", "hash chain broken (entry removed, added "
                                                                  "or reordered)"),
}


def chain_files(root: str | Path) -> list[Path]:
    base = Path(root)
    return sorted(base.glob("frames/*/*.jsonl")) + sorted(base.glob(f"{QUARANTINE}/*.jsonl"))


def iter_entries(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            yield number, json.loads(line)


def raw_bytes(entry: dict[str, Any]) -> bytes:
    if "raw_b64" in entry:
        return base64.b64decode(entry["raw_b64"])
    return str(entry["raw"]).encode("utf-8")


def _problem(code: str, path: Path, line: int) -> Problem:
    zh, en = _MESSAGES[code]
    record = f"{path.parent.name}/{path.stem}"
    return Problem(code, f"{zh}（{record} 第{line}行）", f"{en} ({record} line {line})",
                   Location(record=record, file=str(path), line=line))


def _check_line(raw_line: bytes, prev: str) -> tuple[str | None, str]:
    """Error code (or None) and the hash the next line must point to."""
    try:
        entry = json.loads(raw_line)
        claimed = entry.pop("hash")
    except (ValueError, KeyError, AttributeError, TypeError):
        return "hj212.evidence_unreadable", prev
    body = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    if hashlib.sha256(body.encode("utf-8")).hexdigest() != claimed:
        return "hj212.evidence_hash", claimed
    try:
        if hashlib.sha256(raw_bytes(entry)).hexdigest() != entry.get("sha256"):
            return "hj212.evidence_frame", claimed
    except (ValueError, TypeError):
        return "hj212.evidence_frame", claimed
    if entry.get("prev") != prev:
        return "hj212.evidence_chain", claimed
    return None, claimed


def verify_file(path: Path) -> list[Problem]:
    problems: list[Problem] = []
    prev = GENESIS
    with path.open("rb") as fh:
        for number, raw_line in enumerate(fh, start=1):
            code, prev = _check_line(raw_line, prev)
            if code:
                problems.append(_problem(code, path, number))
    return problems


def verify_frames(root: str | Path) -> list[Problem]:
    """Every chain under ``root``; an empty list means nothing was altered."""
    return [p for path in chain_files(root) for p in verify_file(path)]
