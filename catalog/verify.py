"""``ecodata verify``: every release file against its manifest and signature, and the audit chain.

Each problem names what was altered: the release (dataset and number), the audience and resource of
the file and its blob key, or the audit entry's sequence number.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from . import audit
from .models.publication import AuditEntry, GrantAddendum, Release
from .signing import verify_signature
from .storage import BlobStore

_CHUNK = 1 << 20


@dataclass(frozen=True)
class VerifyProblem:
    kind: str  # release | file | audit
    code: str
    subject: str  # what was altered, in words a person can find
    detail: str
    release_id: str | None = None
    blob_key: str | None = None
    seq: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class VerifyReport:
    releases: int = 0
    files: int = 0
    audit_entries: int = 0
    problems: list[VerifyProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "releases": self.releases, "files": self.files, "audit_entries": self.audit_entries,
                "problems": [p.as_dict() for p in self.problems]}


def blob_digest(store: BlobStore, key: str) -> tuple[str, int] | None:
    digest, size = hashlib.sha256(), 0
    try:
        with store.open(key) as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except (FileNotFoundError, OSError):
        return None
    return digest.hexdigest(), size


def _label(release: Release) -> str:
    name = (release.manifest or {}).get("dataset", {}).get("name") or release.dataset_id
    return f"{name} #{release.number}"


def _check_file(store: BlobStore, entry: dict[str, Any], where: str, release_id: str,
                cache: dict[str, tuple[str, int] | None]) -> list[VerifyProblem]:
    key = entry["blob_key"]
    what = f"{where} {entry['audience']}/{entry['resource_id']} file {key}"
    if key not in cache:
        cache[key] = blob_digest(store, key)
    found = cache[key]
    if found is None:
        return [VerifyProblem("file", "file_missing", what, "the file is missing from storage", release_id, key)]
    sha, size = found
    if sha != entry["sha256"] or size != entry["size"]:
        return [VerifyProblem("file", "file_altered", what,
                              f"sha256 {sha} size {size}, manifest says {entry['sha256']} size {entry['size']}",
                              release_id, key)]
    return []


def _rows_match(manifest_files: list[dict[str, Any]], rows: list[Any]) -> bool:
    def shape(e: dict[str, Any]) -> tuple[Any, ...]:
        return (e["audience"], e["resource_id"], e["blob_key"], e["sha256"], e["size"], e["rows"])

    listed = sorted(shape(e) for e in manifest_files)
    stored = sorted((a.audience, a.resource_id, a.blob_key, a.sha256, a.size, a.rows) for a in rows)
    return listed == stored


def _check_release(session: Session, store: BlobStore, public: Ed25519PublicKey, release: Release,
                   cache: dict[str, tuple[str, int] | None]) -> tuple[int, list[VerifyProblem]]:
    where, problems = _label(release), []
    if not verify_signature(public, release.manifest or {}, release.signature):
        problems.append(VerifyProblem("release", "signature_invalid", f"release {where}",
                                      "the manifest does not match its signature", release.id))
    addenda = list(session.scalars(sa.select(GrantAddendum).where(GrantAddendum.release_id == release.id)))
    entries = list((release.manifest or {}).get("files") or [])
    for addendum in addenda:
        if not verify_signature(public, addendum.manifest or {}, addendum.signature):
            problems.append(VerifyProblem("release", "signature_invalid", f"grant addendum {addendum.grant_id} "
                                          f"of release {where}", "the addendum does not match its signature",
                                          release.id))
        entries += list((addendum.manifest or {}).get("files") or [])
    if not _rows_match(entries, release.artifacts):
        problems.append(VerifyProblem("release", "artifacts_differ", f"release {where}",
                                      "the artifact rows in the database differ from the signed manifest",
                                      release.id))
    for entry in entries:
        problems += _check_file(store, entry, f"release {where}", release.id, cache)
    return len(entries), problems


def _check_anchors(session: Session, releases: list[Release]) -> list[VerifyProblem]:
    """Each signed manifest recorded the audit head of its time; that entry must still be there."""
    problems = []
    for release in releases:
        anchor = (release.manifest or {}).get("audit_head")
        if not anchor:
            continue
        entry = session.get(AuditEntry, anchor["seq"])
        if entry is None or entry.hash != anchor["hash"]:
            problems.append(VerifyProblem("audit", "audit_anchor_lost", f"audit entry {anchor['seq']}",
                                          f"release {_label(release)} was signed after this entry, which is now "
                                          "missing or different", release.id, seq=anchor["seq"]))
    return problems


def verify_all(session: Session, store: BlobStore, public: Ed25519PublicKey) -> VerifyReport:
    report = VerifyReport()
    cache: dict[str, tuple[str, int] | None] = {}
    releases = list(session.scalars(sa.select(Release).order_by(Release.approved_at, Release.number)))
    for release in releases:
        count, problems = _check_release(session, store, public, release, cache)
        report.releases += 1
        report.files += count
        report.problems += problems
    for link in audit.check_chain(session):
        report.problems.append(VerifyProblem("audit", link.code, f"audit entry {link.seq}", link.detail,
                                             seq=link.seq))
    report.problems += _check_anchors(session, releases)
    report.audit_entries = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) or 0
    return report


def match_file(session: Session, sha256: str) -> list[dict[str, Any]]:
    """Which releases, audiences and resources a file with this sha256 belongs to (public verify)."""
    from .models.publication import ReleaseArtifact

    rows = session.execute(sa.select(ReleaseArtifact, Release).join(Release)
                           .where(ReleaseArtifact.sha256 == sha256.lower())).all()
    return [{"release": rel, "artifact": art} for art, rel in rows]
