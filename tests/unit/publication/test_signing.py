"""Ed25519 manifests: key created once with 0600, signatures verify, any change breaks them."""

from __future__ import annotations

import stat

from catalog.signing import KEY_FILE, ensure_key, load_public, load_signer, verify_signature

MANIFEST = {"dataset": {"name": "cq-air-hourly-yuzhong"}, "release": 1,
            "files": [{"audience": "public", "sha256": "ab" * 32, "size": 1024, "rows": 8}],
            "approved_by": "user:审核员"}


def test_key_is_private_and_stable(tmp_path) -> None:
    path = ensure_key(tmp_path)
    assert path.name == KEY_FILE and stat.S_IMODE(path.stat().st_mode) == 0o600
    first = load_signer(tmp_path)
    assert load_signer(tmp_path).key_id == first.key_id


def test_signature_verifies_with_the_published_public_key(tmp_path) -> None:
    signer = load_signer(tmp_path)
    signature = signer.sign(MANIFEST)
    public = load_public(signer.public_pem())
    assert verify_signature(public, dict(MANIFEST), signature)


def test_any_change_breaks_the_signature(tmp_path) -> None:
    signer = load_signer(tmp_path)
    signature = signer.sign(MANIFEST)
    changed = {**MANIFEST, "files": [{**MANIFEST["files"][0], "rows": 9}]}
    assert not verify_signature(signer.public, changed, signature)
    assert not verify_signature(signer.public, MANIFEST, "not-base64!")
    other = load_signer(tmp_path / "other")
    assert not verify_signature(other.public, MANIFEST, signature)
