"""Both stores against the same contract; S3 runs against a real moto server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.storage import BlobStore, LocalStore, S3Store, key_for, open_store

CSV = "站点编码,站点名称,时间,PM2.5\n500103051,解放碑,2024-01-01 00:00:00,35\n".encode()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    exe = shutil.which("moto_server") or str(Path(__file__).resolve().parents[3] / ".venv/bin/moto_server")
    if not Path(exe).exists():
        pytest.fail("moto_server is not installed (pip install 'moto[server]')")
    port = _free_port()
    proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_port(port: int) -> None:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("moto_server did not start")


@pytest.fixture
def s3_store(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> S3Store:
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    bucket = "ecodata-" + hashlib.sha1(request.node.name.encode()).hexdigest()[:10]
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=bucket)
    return S3Store(bucket, "cq/files", endpoint=s3_endpoint)


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "local":
        return LocalStore(tmp_path / "files")
    return request.getfixturevalue("s3_store")


def test_put_bytes_is_content_addressed(store: BlobStore) -> None:
    ref = store.put_bytes(CSV)
    assert ref.sha256 == hashlib.sha256(CSV).hexdigest()
    assert ref.key == f"{ref.sha256[:2]}/{ref.sha256[2:4]}/{ref.sha256}"
    assert ref.size == len(CSV)
    assert store.exists(ref.key) and store.size(ref.key) == len(CSV)
    with store.open(ref.key) as fh:
        assert fh.read().decode() == CSV.decode()
    assert store.put_bytes(CSV) == ref


def test_put_file_list_delete(store: BlobStore, tmp_path: Path) -> None:
    src = tmp_path / "空气质量.csv"
    src.write_bytes(CSV * 3)
    ref = store.put_file(src)
    other = store.put_bytes(b"noise 45.2 dB(A)")
    assert sorted(store.list()) == sorted([ref.key, other.key])
    assert list(store.list(ref.key[:2])) == [ref.key] or ref.key[:2] == other.key[:2]
    store.delete(ref.key)
    assert not store.exists(ref.key)
    assert list(store.list()) == [other.key]


def test_missing_key(store: BlobStore) -> None:
    key = key_for("0" * 64)
    assert not store.exists(key)
    with pytest.raises(FileNotFoundError):
        store.size(key)
    with pytest.raises(FileNotFoundError):
        store.open(key)


def test_keys_cannot_escape(store: BlobStore) -> None:
    with pytest.raises(ValueError):
        store.exists("../etc/passwd")


def test_local_path_for_serves_zero_copy(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    ref = store.put_bytes(CSV)
    path = store.path_for(ref.key)
    assert path is not None and path.read_bytes() == CSV
    assert store.path_for(key_for("f" * 64)) is None
    assert not any((tmp_path / ".tmp").iterdir())


def test_s3_has_no_local_path(s3_store: S3Store) -> None:
    ref = s3_store.put_bytes(CSV)
    assert s3_store.path_for(ref.key) is None
    objects = s3_store.client.list_objects_v2(Bucket=s3_store.bucket)["Contents"]
    assert [o["Key"] for o in objects] == [f"cq/files/{ref.key}"]


def test_open_store_chooses_by_url(tmp_path: Path, s3_endpoint: str) -> None:
    local = open_store("", tmp_path)
    assert isinstance(local, LocalStore) and local.root == tmp_path / "files"
    s3 = open_store("s3://bucket-a/some/prefix", tmp_path, s3_endpoint)
    assert isinstance(s3, S3Store) and (s3.bucket, s3.prefix) == ("bucket-a", "some/prefix")
    with pytest.raises(ValueError):
        open_store("ftp://example/x", tmp_path)
