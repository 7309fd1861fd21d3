"""Evidence store: every received frame, unchanged, hash-chained per MN per day, durable before any ack.

Layout: ``<root>/frames/<MN>/<YYYY-MM-DD>.jsonl`` for authenticated frames and
``<root>/quarantine/<YYYY-MM-DD>.jsonl`` for everything refused (bad CRC, unknown MN, garbage …).
Writes are group-committed: entries from all connections collect for a few milliseconds, one worker
thread writes them and makes them durable with a single ``syncfs`` (one ``fdatasync`` per file where
``syncfs`` is missing), and only then are the callbacks — the acks — run.
"""

from __future__ import annotations

import asyncio
import base64
import ctypes
import ctypes.util
import hashlib
import json
import logging
import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

log = logging.getLogger(__name__)
CHINA = timezone(timedelta(hours=8))
GENESIS = "0" * 64
QUARANTINE = "quarantine"
_SAFE_MN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
Callback = Callable[[bool], None]
_ENC: Callable[[str], str] = json.encoder.encode_basestring  # type: ignore[attr-defined]
SYNCFS_ABOVE = 8  # files per batch above which one syncfs replaces per-file fdatasync


def _load_syncfs() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name, use_errno=True) if name else None
    return getattr(libc, "syncfs", None)


_SYNCFS = _load_syncfs()


def safe_mn(mn: str) -> bool:
    return bool(_SAFE_MN.match(mn)) and mn not in (".", "..")


def entry_line(seq: int, received_at: str, peer: str, raw: bytes, prev: str,
               mn: str | None, reason: str | None) -> tuple[bytes, str, str]:
    """One JSON line, its chain hash and the frame sha256.  The hash covers the line without itself."""
    # Written by hand for speed; byte-identical to json.dumps(entry, ensure_ascii=False,
    # separators=(",", ":")), which is what verify recomputes.
    sha = hashlib.sha256(raw).hexdigest()
    text = _ENC
    parts = [f'{{"seq":{seq},"received_at":{text(received_at)},"peer":{text(peer)},'
             f'"mn":{"null" if mn is None else text(mn)},']
    if reason is not None:
        parts.append(f'"reason":{text(reason)},')
    try:
        parts.append(f'"raw":{text(raw.decode("utf-8"))},')
    except UnicodeDecodeError:
        parts.append(f'"raw_b64":"{base64.b64encode(raw).decode("ascii")}",')
    parts.append(f'"sha256":"{sha}","prev":"{prev}"}}')
    body = "".join(parts)
    chain = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return (body[:-1] + f',"hash":"{chain}"}}\n').encode("utf-8"), chain, sha


class _ChainFile:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.torn = b""
        self.head, self.seq = GENESIS, 0
        self.created = not path.exists()
        if not self.created:
            self._recover()
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def _recover(self) -> None:
        data = self.path.read_bytes()
        cut = data.rfind(b"\n") + 1
        if cut < len(data):
            # a write the process died in: never acknowledged, moved to quarantine by the caller
            self.torn = data[cut:]
            os.truncate(self.path, cut)
        lines = data[:cut].splitlines()
        if lines:
            last = json.loads(lines[-1])
            self.head, self.seq = str(last["hash"]), int(last["seq"])


class EvidenceStore:
    def __init__(self, root: str | Path, *, commit_interval: float = 0.002, sync: bool = True) -> None:
        self.root = Path(root)
        self.commit_interval = commit_interval
        self.sync = sync
        self._files: dict[str, _ChainFile] = {}
        self._pending: dict[int, list[bytes]] = {}
        self._callbacks: list[tuple[Callback, bool]] = []
        self._new_dirs: set[Path] = set()
        self.after_batch: Callable[[], None] | None = None
        self._wake = asyncio.Event()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="hj212-commit")
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.committed = 0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._commit_loop())

    def append(self, raw: bytes, peer: str, received_at: datetime, *, mn: str | None,
               reason: str | None = None, on_durable: Callback | None = None) -> str:
        """Queue one frame; ``on_durable(ok)`` runs on the loop after the fsync covering it.

        ``reason`` set (or an MN unfit for a folder name) sends the frame to quarantine.
        Returns the frame's sha256.
        """
        if reason is None and (mn is None or not safe_mn(mn)):
            reason = "bad_mn_for_storage"
        stamp = received_at.astimezone(CHINA)
        chain = self._chain(QUARANTINE if reason else str(mn), stamp.strftime("%Y-%m-%d"))
        chain.seq += 1
        line, chain.head, sha = entry_line(chain.seq, stamp.isoformat(timespec="microseconds"), peer, raw,
                                           chain.head, mn, reason)
        self._pending.setdefault(chain.fd, []).append(line)
        if on_durable is not None:
            self._callbacks.append((on_durable, True))
        self._wake.set()
        return sha

    def _chain(self, key: str, day: str) -> _ChainFile:
        path_key = f"{key}/{day}"
        chain = self._files.get(path_key)
        if chain is None:
            folder = self.root / QUARANTINE if key == QUARANTINE else self.root / "frames" / key
            chain = self._files[path_key] = _ChainFile(folder / f"{day}.jsonl")
            if chain.created:
                self._new_dirs.update((folder, folder.parent))
            self._close_other_days(key, day)
            if chain.torn:
                self._quarantine_torn(chain, day)
        return chain

    def _quarantine_torn(self, chain: _ChainFile, day: str) -> None:
        torn, chain.torn = chain.torn, b""
        log.warning("torn tail of %s moved to quarantine (%d bytes)", chain.path, len(torn))
        self.append(torn, "local", datetime.now(CHINA), mn=None, reason=f"torn_write:{chain.path.name}")

    def _close_other_days(self, key: str, day: str) -> None:
        for path_key in [k for k in self._files if k.startswith(key + "/") and not k.endswith(day)]:
            old = self._files.pop(path_key)
            if old.fd not in self._pending:
                os.close(old.fd)

    async def _commit_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while not (self._closing and not self._pending):
            await self._wake.wait()
            self._wake.clear()
            if self.commit_interval and not self._closing:
                await asyncio.sleep(self.commit_interval)
            batch, callbacks, dirs = self._pending, self._callbacks, self._new_dirs
            self._pending, self._callbacks, self._new_dirs = {}, [], set()
            ok = await loop.run_in_executor(self._executor, self._write_batch, batch, dirs)
            self.committed += sum(len(lines) for lines in batch.values()) if ok else 0
            for callback, _ in callbacks:
                callback(ok)
            if self.after_batch is not None:
                self.after_batch()

    def _write_batch(self, batch: dict[int, list[bytes]], new_dirs: set[Path]) -> bool:
        try:
            for fd, lines in batch.items():
                data = memoryview(b"".join(lines))
                while data:
                    data = data[os.write(fd, data):]
            if self.sync and batch:
                self._sync(list(batch), new_dirs)
            return True
        except OSError:
            log.exception("evidence write failed; frames in this batch are not acknowledged")
            return False

    def _sync(self, fds: list[int], new_dirs: set[Path]) -> None:
        # A few files: fdatasync each (independent of other writers on the disk).  Many files: one
        # syncfs is far cheaper than hundreds of fdatasyncs (measured 7 ms against 50 ms for 500).
        if max(len(fds), len(new_dirs)) > SYNCFS_ABOVE and _SYNCFS is not None and _SYNCFS(fds[0]) == 0:
            return
        for fd in fds:
            os.fdatasync(fd)
        for folder in new_dirs:
            dir_fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    async def close(self) -> None:
        self._closing = True
        self._wake.set()
        if self._task is not None:
            await self._task
        for chain in self._files.values():
            os.close(chain.fd)
        self._files.clear()
        self._executor.shutdown(wait=True)
