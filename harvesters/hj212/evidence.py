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
import fcntl
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
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
               mn: str | None, reason: str | None, sha: str | None = None) -> tuple[bytes, str, str]:
    """One JSON line, its chain hash and the frame sha256.  The hash covers the line without itself."""
    # Written by hand for speed; byte-identical to json.dumps(entry, ensure_ascii=False,
    # separators=(",", ":")), which is what verify recomputes.
    sha = sha or hashlib.sha256(raw).hexdigest()
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


# received_at (ISO), peer, raw, mn, reason, sha256
Entry = tuple[str, str, bytes, str | None, str | None, str]
TAIL = 65_536


class _ChainFile:
    """One chain file.  ``shared``: other receiver processes may append too, so every batch takes an
    exclusive ``flock`` and first catches up with lines the others wrote."""

    def __init__(self, path: Path, shared: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.shared = shared
        self.torn = b""
        self.head, self.seq, self.size = GENESIS, 0, 0
        self.created = not path.exists()
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        with self.locked():
            self.catch_up()

    @contextmanager
    def locked(self) -> Iterator[None]:
        if not self.shared:
            yield
            return
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self.fd, fcntl.LOCK_UN)

    def catch_up(self) -> None:
        """Head and sequence from the file's last line; a torn tail (a writer died mid-line, so it
        was never acknowledged) is cut off and kept in ``torn`` for quarantine."""
        size = os.fstat(self.fd).st_size
        if size == self.size:
            return
        window = TAIL
        while True:
            start = max(0, size - window)
            data = os.pread(self.fd, size - start, start)
            cut = data.rfind(b"\n") + 1
            begin = data.rfind(b"\n", 0, cut - 1) + 1 if cut else 0
            if start == 0 or begin > 0:
                break
            window *= 4
        if cut < len(data):
            self.torn += data[cut:]
            os.ftruncate(self.fd, start + cut)
        if cut:
            last = json.loads(data[begin:cut])
            self.head, self.seq = str(last["hash"]), int(last["seq"])
        self.size = start + cut

    def write(self, entries: list[Entry]) -> None:
        with self.locked():
            if self.shared:
                self.catch_up()
            lines = []
            for received_at, peer, raw, mn, reason, sha in entries:
                self.seq += 1
                line, self.head, _ = entry_line(self.seq, received_at, peer, raw, self.head, mn, reason, sha)
                lines.append(line)
            data = memoryview(b"".join(lines))
            self.size += len(data)
            while data:
                data = data[os.write(self.fd, data):]


class EvidenceStore:
    def __init__(self, root: str | Path, *, commit_interval: float = 0.002, sync: bool = True,
                 shared: bool = False) -> None:
        self.root = Path(root)
        self.commit_interval = commit_interval
        self.sync = sync
        self.shared = shared
        self._files: dict[str, _ChainFile] = {}
        self._days: dict[int, str] = {}
        self._pending: dict[_ChainFile, list[Entry]] = {}
        self._callbacks: list[Callback] = []
        self._new_dirs: set[Path] = set()
        self._retired: list[_ChainFile] = []
        self._safe: dict[str, bool] = {}
        self._last_received: datetime | None = None
        self._last_stamp = ("", "")
        self.after_batch: Callable[[], None] | None = None
        self._wake = asyncio.Event()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="hj212-commit")
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.committed = 0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._commit_loop())

    def append(self, raw: bytes, peer: str, received_at: datetime, *, mn: str | None,
               reason: str | None = None, on_durable: Callback | None = None, sha256: str | None = None) -> str:
        """Queue one frame; ``on_durable(ok)`` runs on the loop after the fsync covering it.

        ``reason`` set (or an MN unfit for a folder name) sends the frame to quarantine.
        ``sha256``: the frame's hash, when the caller has it already.  Returns the frame's sha256.
        """
        if reason is None and (mn is None or not self._safe_mn(mn)):
            reason = "bad_mn_for_storage"
        stamp, day = self._stamp(received_at)
        chain = self._chain(QUARANTINE if reason else str(mn), day)
        sha = sha256 or hashlib.sha256(raw).hexdigest()
        entry = (stamp, peer, raw, mn, reason, sha)
        pending = self._pending.get(chain)
        if pending is None:
            self._pending[chain] = [entry]
        else:
            pending.append(entry)
        if on_durable is not None:
            self._callbacks.append(on_durable)
        self._wake.set()
        return sha

    def _safe_mn(self, mn: str) -> bool:
        safe = self._safe.get(mn)
        if safe is None:
            if len(self._safe) >= 65_536:
                self._safe.clear()
            safe = self._safe[mn] = safe_mn(mn)
        return safe

    def _stamp(self, received_at: datetime) -> tuple[str, str]:
        """Beijing ISO time and day of ``received_at``; frames of one read share it, so the last
        one is kept."""
        if received_at != self._last_received:
            stamp = received_at.astimezone(CHINA)
            self._last_received = received_at
            self._last_stamp = (stamp.isoformat(timespec="microseconds"), self._day(stamp))
        return self._last_stamp

    def _day(self, stamp: datetime) -> str:
        # strftime per frame is measurable; one day string per calendar day
        key = stamp.toordinal()
        day = self._days.get(key)
        if day is None:
            self._days = {key: (day := stamp.strftime("%Y-%m-%d"))}
        return day

    def chain_age(self, mn: str) -> float | None:
        """Seconds since any receiver process last wrote today's chain of ``mn`` (None: no file)."""
        now = time.time()
        path = self.root / "frames" / mn / f"{self._day(datetime.fromtimestamp(now, CHINA))}.jsonl"
        try:
            return now - path.stat().st_mtime
        except OSError:
            return None

    def _chain(self, key: str, day: str) -> _ChainFile:
        path_key = f"{key}/{day}"
        chain = self._files.get(path_key)
        if chain is None:
            folder = self.root / QUARANTINE if key == QUARANTINE else self.root / "frames" / key
            chain = self._files[path_key] = _ChainFile(folder / f"{day}.jsonl", self.shared)
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
            self._retired.append(self._files.pop(path_key))

    def _close_retired(self) -> None:
        # a retired (previous day) file may still be in the batch being written: close it after
        keep = [c for c in self._retired if c in self._pending]
        for chain in self._retired:
            if chain not in self._pending:
                os.close(chain.fd)
        self._retired = keep

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
            self.committed += sum(len(entries) for entries in batch.values()) if ok else 0
            self._close_retired()
            self._quarantine_found_torn(batch)
            for callback in callbacks:
                callback(ok)
            if self.after_batch is not None:
                self.after_batch()

    def _quarantine_found_torn(self, batch: dict[_ChainFile, list[Entry]]) -> None:
        for chain in batch:
            if chain.torn:  # another receiver process died mid-write (shared mode)
                self._quarantine_torn(chain, chain.path.stem)

    def _write_batch(self, batch: dict[_ChainFile, list[Entry]], new_dirs: set[Path]) -> bool:
        try:
            for chain, entries in batch.items():
                chain.write(entries)
            if self.sync and batch:
                self._sync([c.fd for c in batch], new_dirs)
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
        for chain in [*self._files.values(), *self._retired]:
            os.close(chain.fd)
        self._files.clear()
        self._retired.clear()
        self._executor.shutdown(wait=True)
