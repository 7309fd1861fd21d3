"""JSON shapes of publication objects, and reading rows out of a released file."""

from __future__ import annotations

import io
from typing import Any

import pyarrow.parquet as pq

from catalog.models.publication import AccessRequest, Grant, Release, Submission
from catalog.releases import ArtifactRef
from catalog.storage import BlobStore

MAX_ROWS = 1000


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def submission_dict(sub: Submission) -> dict[str, Any]:
    return {"id": sub.id, "dataset": sub.dataset.name, "state": sub.state, "submitted_by": sub.submitted_by,
            "submitted_at": _plain(sub.submitted_at), "comment": sub.comment, "decided_by": sub.decided_by,
            "decided_at": _plain(sub.decided_at), "decision_comment": sub.decision_comment,
            "resources": sorted((sub.record or {}).get("sources") or {})}


def release_dict(release: Release, *, full: bool) -> dict[str, Any]:
    """Anyone who sees the dataset sees that a release exists; files and the signed manifest only
    go to the owning department and reviewers (the owner's file lists every field)."""
    out: dict[str, Any] = {"id": release.id, "dataset": release.dataset.name, "number": release.number,
                           "state": release.state, "approved_at": _plain(release.approved_at),
                           "ruleset_version": release.ruleset_version, "key_id": release.key_id,
                           "withdrawn_at": _plain(release.withdrawn_at)}
    if full:
        out.update(manifest=release.manifest, signature=release.signature, approver_id=release.approver_id,
                   withdraw_reason=release.withdraw_reason)
    return out


def request_dict(req: AccessRequest) -> dict[str, Any]:
    return {"id": req.id, "dataset": req.dataset.name, "user_id": req.user_id, "org_id": req.org_id,
            "purpose": req.purpose, "period_start": _plain(req.period_start), "period_end": _plain(req.period_end),
            "state": req.state, "decided_at": _plain(req.decided_at), "decision_comment": req.decision_comment}


def grant_dict(grant: Grant) -> dict[str, Any]:
    return {"id": grant.id, "dataset": grant.dataset.name, "user_id": grant.user_id, "org_id": grant.org_id,
            "fields": grant.fields, "expires_at": _plain(grant.expires_at), "revoked_at": _plain(grant.revoked_at),
            "request_id": grant.request_id}


def artifact_rows(store: BlobStore, ref: ArtifactRef, limit: int, offset: int) -> dict[str, Any]:
    with store.open(ref.blob_key) as fh:
        table = pq.read_table(io.BytesIO(fh.read()))
    limit = max(0, min(limit, MAX_ROWS))
    page = table.slice(max(0, offset), limit)
    rows = [{k: _plain(v) for k, v in row.items()} for row in page.to_pylist()]
    return {"release": ref.release_number, "resource_id": ref.resource_id, "total": table.num_rows,
            "fields": table.column_names, "rows": rows}
