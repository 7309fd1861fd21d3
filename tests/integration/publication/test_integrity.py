"""Integrity: a one-byte change to a released file or a direct edit of an audit row is named by verify."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from catalog import publication_demo as demo
from catalog.models.publication import AuditEntry, Release
from catalog.signing import load_public, verify_signature
from catalog.verify import verify_all

from .conftest import context


def _verify(catalog):
    ctx = context(catalog)
    with catalog.read() as session:
        return verify_all(session, ctx.store, ctx.signer.public)


def _public_file(catalog, name: str) -> dict:
    with catalog.read() as session:
        release = session.scalar(sa.select(Release).join(Release.dataset).where(Release.dataset.has(name=name)))
        return next(f for f in release.manifest["files"] if f["audience"] == "public")


def test_untouched_system_verifies_clean(released, catalog) -> None:
    report = _verify(catalog)
    assert report.ok, report.as_dict()
    assert report.releases == 4 and report.files >= 9 and report.audit_entries > 10


def test_one_byte_changed_in_a_released_file_is_named(released, catalog) -> None:
    entry = _public_file(catalog, demo.POLLUTION)
    path = context(catalog).store.path_for(entry["blob_key"])
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    report = _verify(catalog)
    assert not report.ok
    altered = [p for p in report.problems if p.code == "file_altered"]
    assert altered and all(p.blob_key == entry["blob_key"] for p in altered)
    assert f"{demo.POLLUTION} #1 public/{entry['resource_id']}" in altered[0].subject


def test_direct_edit_of_an_audit_row_is_named(released, catalog) -> None:
    with catalog.db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_entries SET actor = 'user:someone-else' WHERE seq = 3"))
    report = _verify(catalog)
    assert [(p.code, p.seq) for p in report.problems] == [("audit_entry_altered", 3)]


def test_deleted_audit_rows_are_detected(released, catalog) -> None:
    with catalog.db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_entries WHERE seq = 2"))
    codes = {(p.code, p.seq) for p in _verify(catalog).problems}
    assert ("audit_gap", 3) in codes and ("audit_link_broken", 3) in codes


def test_edited_manifest_fails_its_signature(released, catalog) -> None:
    with catalog.write() as session:
        release = session.get(Release, released.releases[demo.AIR])
        release.manifest = {**release.manifest, "ruleset_version": "0" * 64}
    problems = _verify(catalog).problems
    assert {p.code for p in problems} == {"signature_invalid"} and problems[0].release_id == released.releases[demo.AIR]


def test_public_key_and_public_verify_endpoint(released, catalog, client) -> None:
    pem = client.get("/.well-known/ecodata-signing-key")
    assert pem.status_code == 200 and b"BEGIN PUBLIC KEY" in pem.data
    with catalog.read() as session:
        release = session.get(Release, released.releases[demo.AIR])
        assert verify_signature(load_public(pem.data), release.manifest, release.signature)
    entry = _public_file(catalog, demo.AIR)
    with context(catalog).store.open(entry["blob_key"]) as fh:
        body = fh.read()
    out = client.post("/api/v1/verify", data={"file": (__import__("io").BytesIO(body), "air.parquet")})
    match = out.get_json()["matches"]
    assert [(m["dataset"], m["release"], m["audience"], m["signature_valid"]) for m in match] == \
        [(demo.AIR, 1, "public", True)]
    tampered = client.post("/api/v1/verify", json={"sha256": hashlib.sha256(body + b"x").hexdigest()})
    assert tampered.get_json()["matched"] is False
    assert client.post("/api/v1/verify", json={"sha256": "xyz"}).get_json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_verify_command_exit_status_and_names(released, catalog, config, monkeypatch) -> None:
    from portal.cli import main

    monkeypatch.setenv("ECODATA_HOME", str(config.home))
    runner = CliRunner()
    clean = runner.invoke(main, ["verify", "--json"])
    assert clean.exit_code == 0, clean.output
    with catalog.db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_entries SET payload = '{}' WHERE seq = 5"))
    broken = runner.invoke(main, ["verify"])
    assert broken.exit_code == 1 and "audit entry 5" in broken.output
    with catalog.read() as session:
        assert session.get(AuditEntry, 5).payload == {}
