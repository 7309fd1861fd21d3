"""A local cache of derived files keyed by the artifact's sha256 and a format.

Renderings (CSV, JSON, XLSX, Arrow IPC for the data API) are built once per released artifact,
under an exclusive file lock so concurrent first requests build it only once, and moved into place
atomically so a reader never sees half a file.  The key is content-derived, so a new release never
hits a stale rendering and the cache never needs invalidating — only pruning.
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..storage import BlobStore

_SAFE = re.compile(r"^[0-9a-f]{64}$")
_FORMAT = re.compile(r"^[a-z0-9_.-]{1,40}$")


class RenderingCache:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str, fmt: str) -> Path:
        if not _SAFE.match(sha256) or not _FORMAT.match(fmt):
            raise ValueError(f"bad cache key {sha256!r} / {fmt!r}")
        return self.root / sha256[:2] / f"{sha256}.{fmt}"

    def get_or_build(self, sha256: str, fmt: str, build: Callable[[Path], None]) -> Path:
        """The cached file, building it with ``build(tmp_path)`` first if needed."""
        target = self.path(sha256, fmt)
        if target.is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target.with_suffix(target.suffix + ".lock"), "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if not target.is_file():  # another worker may have built it while we waited
                    self._build_atomically(target, build)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return target

    def digest(self, path: Path) -> str:
        """sha256 of a cached file, itself cached next to it (renderings never change once built)."""
        side = Path(str(path) + ".sha256")
        if side.is_file() and side.stat().st_mtime >= path.stat().st_mtime:
            return side.read_text().strip()
        value = file_digest(path)
        tmp = side.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(value)
        os.replace(tmp, side)
        return value

    def _build_atomically(self, target: Path, build: Callable[[Path], None]) -> None:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=".build-", suffix="." + target.name.split(".")[-1])
        os.close(fd)
        tmp = Path(name)
        try:
            build(tmp)
            _give_back_memory()
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)


def _give_back_memory() -> None:
    """Return the rendering's buffers to the OS: a long-lived server should not keep a peak it hit once."""
    import contextlib
    import ctypes
    import gc

    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def file_digest(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def local_blob(store: BlobStore, cache: RenderingCache, key: str, sha256: str) -> Path:
    """A local path of a stored blob: the store's own file, or a cached copy for object storage."""
    path = store.path_for(key)
    if path is not None:
        return path

    def download(tmp: Path) -> None:
        with store.open(key) as src, open(tmp, "wb") as out:
            while chunk := src.read(1 << 20):
                out.write(chunk)

    return cache.get_or_build(sha256, "blob", download)
