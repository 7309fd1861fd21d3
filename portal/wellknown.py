"""/.well-known/ecodata-signing-key and the public verify endpoint POST /api/v1/verify.

Also loads the disclosure rules when the app is built: a malformed rule file stops start-up
with its file, line and reason.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

from catalog import rules_runtime
from catalog.authz import can_read
from catalog.errors import ValidationFailed
from catalog.signing import load_signer, verify_signature
from catalog.verify import match_file

bp = Blueprint("wellknown", __name__)
_SHA = re.compile(r"^[0-9a-fA-F]{64}$")


def _catalog() -> Any:
    from portal.app import get_catalog

    return get_catalog()


@bp.route("/.well-known/ecodata-signing-key")
def signing_key() -> Response:
    """The Ed25519 public key (PEM) that signs every release manifest."""
    signer = load_signer(_catalog().config.home)
    resp = Response(signer.public_pem(), mimetype="application/x-pem-file")
    resp.headers["X-Ecodata-Key-Id"] = signer.key_id
    return resp


def _sha_from_request() -> str:
    upload = request.files.get("file")
    if upload is not None:
        digest = hashlib.sha256()
        while chunk := upload.stream.read(1 << 20):
            digest.update(chunk)
        return digest.hexdigest()
    body = request.get_json(silent=True) if request.is_json else None
    given = (body or {}).get("sha256") if isinstance(body, dict) else request.form.get("sha256")
    if not isinstance(given, str) or not _SHA.match(given):
        raise ValidationFailed("请上传文件（file）或提供 64 位十六进制 sha256",
                               "Upload a file (field 'file') or give its sha256 (64 hex digits)")
    return given.lower()


@bp.route("/api/v1/verify", methods=["POST"])
def verify_file() -> Response:
    """Which release, audience and resource a downloaded file belongs to, and whether the release's
    signature holds.  Only releases of datasets the caller may see are reported."""
    from portal.auth import resolve_actor

    sha = _sha_from_request()
    actor = resolve_actor()
    catalog = _catalog()
    public = load_signer(catalog.config.home).public
    matches = []
    with catalog.read() as session:
        for hit in match_file(session, sha):
            release, art = hit["release"], hit["artifact"]
            if not can_read(actor, release.dataset):
                continue
            matches.append({"dataset": release.dataset.name, "release": release.number, "release_id": release.id,
                            "release_state": release.state, "audience": art.audience.split(":")[0],
                            "resource_id": art.resource_id, "size": art.size,
                            "signature_valid": verify_signature(public, release.manifest, release.signature),
                            "listed_in_manifest": any(f.get("sha256") == sha for f in
                                                      (release.manifest or {}).get("files") or [])})
    return jsonify({"sha256": sha, "matched": bool(matches), "matches": matches})


def init_app(app: Flask) -> None:
    catalog, config = app.extensions["ecodata.catalog"], app.extensions["ecodata.config"]
    # Refuses to build the app on a malformed rule file (RuleFileError names file, line, reason).
    rules_runtime.runtime_for(config, catalog.db.sessionmaker)
    load_signer(config.home)
    app.register_blueprint(bp)
