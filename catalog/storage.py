"""The file storage seam: content-addressed blobs on local disk or S3-compatible object storage.

Keys are the sha256 of the content laid out as ``aa/bb/<sha256>`` so that no folder grows huge and
the same bytes are stored once.  Writes are atomic: a reader never sees a half-written blob.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable
from urllib.parse import urlparse

_CHUNK = 1 << 20


@dataclass(frozen=True)
class BlobRef:
    key: str
    sha256: str
    size: int


@runtime_checkable
class BlobStore(Protocol):
    def put_file(self, path: Path) -> BlobRef: ...

    def put_bytes(self, data: bytes) -> BlobRef: ...

    def open(self, key: str) -> IO[bytes]: ...

    def path_for(self, key: str) -> Path | None: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def size(self, key: str) -> int: ...

    def list(self, prefix: str = "") -> Iterator[str]: ...


def key_for(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def file_sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"invalid blob key: {key!r}")
    return key


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalStore:
    """Blobs under ``<root>/<aa>/<bb>/<sha256>``; served zero-copy through :meth:`path_for`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def put_file(self, path: Path) -> BlobRef:
        sha, size = file_sha256(Path(path))
        key = key_for(sha)
        if not self.exists(key):
            with open(path, "rb") as src:
                self._write_atomic(key, src)
        return BlobRef(key, sha, size)

    def put_bytes(self, data: bytes) -> BlobRef:
        sha = hashlib.sha256(data).hexdigest()
        key = key_for(sha)
        if not self.exists(key):
            self._write_atomic(key, _BytesReader(data))
        return BlobRef(key, sha, len(data))

    def adopt(self, tmp_path: Path, sha256: str) -> BlobRef:
        """Move an already fsynced temporary file (written inside ``tmp_dir()``) into place."""
        target = self._path(key_for(sha256))
        target.parent.mkdir(parents=True, exist_ok=True)
        size = Path(tmp_path).stat().st_size
        if target.exists():  # same content already stored
            Path(tmp_path).unlink()
            return BlobRef(key_for(sha256), sha256, size)
        os.replace(tmp_path, target)
        _fsync_dir(target.parent)
        return BlobRef(key_for(sha256), sha256, size)

    def tmp_dir(self) -> Path:
        tmp = self.root / ".tmp"
        tmp.mkdir(exist_ok=True)
        return tmp

    def _write_atomic(self, key: str, src: Any) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.tmp_dir(), prefix="put-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := src.read(_CHUNK):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
            _fsync_dir(target.parent)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> IO[bytes]:
        return open(self._path(key), "rb")

    def path_for(self, key: str) -> Path | None:
        path = self._path(key)
        return path if path.is_file() else None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def size(self, key: str) -> int:
        return self._path(key).stat().st_size

    def list(self, prefix: str = "") -> Iterator[str]:
        for path in sorted(self.root.rglob("*")):
            rel = path.relative_to(self.root).as_posix()
            if path.is_file() and not rel.startswith(".tmp/") and rel.startswith(prefix):
                yield rel


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self._view = memoryview(data)
        self._pos = 0

    def read(self, n: int) -> bytes:
        chunk = self._view[self._pos:self._pos + n]
        self._pos += len(chunk)
        return bytes(chunk)


class S3Store:
    """Blobs in an S3-compatible bucket under an optional prefix.  S3 puts are atomic by nature."""

    def __init__(self, bucket: str, prefix: str = "", *, endpoint: str = "", client: Any = None) -> None:
        import boto3  # imported here so local-only installs never pay for it

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client or boto3.client("s3", endpoint_url=endpoint or None)

    def _object(self, key: str) -> str:
        _check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put_file(self, path: Path) -> BlobRef:
        sha, size = file_sha256(Path(path))
        key = key_for(sha)
        if not self.exists(key):
            self.client.upload_file(str(path), self.bucket, self._object(key),
                                    ExtraArgs={"Metadata": {"sha256": sha}})
        return BlobRef(key, sha, size)

    def put_bytes(self, data: bytes) -> BlobRef:
        sha = hashlib.sha256(data).hexdigest()
        key = key_for(sha)
        if not self.exists(key):
            self.client.put_object(Bucket=self.bucket, Key=self._object(key), Body=data,
                                   Metadata={"sha256": sha})
        return BlobRef(key, sha, len(data))

    def open(self, key: str) -> IO[bytes]:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._object(key))
        except self.client.exceptions.NoSuchKey as exc:
            raise FileNotFoundError(key) from exc
        return response["Body"]  # type: ignore[no-any-return]

    def path_for(self, key: str) -> Path | None:
        return None

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def _head(self, key: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._object(key))  # type: ignore[no-any-return]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._object(key))

    def size(self, key: str) -> int:
        head = self._head(key)
        if head is None:
            raise FileNotFoundError(key)
        return int(head["ContentLength"])

    def list(self, prefix: str = "") -> Iterator[str]:
        root = f"{self.prefix}/" if self.prefix else ""
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=root + prefix):
            for item in page.get("Contents", []):
                yield item["Key"][len(root):]


def open_store(url: str, home: Path, endpoint: str = "") -> BlobStore:
    """Choose the store from ``ECODATA_STORAGE_URL``: empty → local files, ``s3://bucket/prefix`` → S3."""
    if not url:
        return LocalStore(Path(home) / "files")
    parsed = urlparse(url)
    if parsed.scheme == "s3" and parsed.netloc:
        return S3Store(parsed.netloc, parsed.path, endpoint=endpoint)
    if parsed.scheme == "file":
        return LocalStore(Path(parsed.path))
    raise ValueError(f"unsupported ECODATA_STORAGE_URL: {url!r} (use empty, file:///path or s3://bucket/prefix)")
