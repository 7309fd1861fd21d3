"""The small JSON file beside a search index: schema version and the last catalogue change applied.

Written after the index commit, via a temporary file and an atomic rename, under an advisory file lock
so that two processes committing at once cannot lose each other's sequence number.  If a crash falls
between the index commit and this write, the remembered sequence lags and the next sync merely
re-applies a few idempotent upserts.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class IndexState:
    schema_version: int
    last_seq: int = 0


class StateFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock_path = path.with_suffix(".lock")

    def read(self) -> IndexState | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        return IndexState(schema_version=int(data["schema_version"]), last_seq=int(data["last_seq"]))

    def write(self, state: IndexState) -> None:
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(asdict(state), fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    @contextmanager
    def locked(self) -> Iterator[None]:
        with self._lock_path.open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def advance(self, schema_version: int, seq: int | None, *, reset: bool = False) -> None:
        """Remember ``seq`` if it is higher than what is stored (or unconditionally with ``reset``)."""
        with self.locked():
            current = self.read()
            last = 0 if reset or current is None else current.last_seq
            if seq is not None:
                last = seq if reset else max(last, seq)
            self.write(IndexState(schema_version=schema_version, last_seq=last))
