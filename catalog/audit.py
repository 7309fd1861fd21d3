"""The append-only, hash-chained audit log of catalogue, rule and publication changes.

Each entry's ``hash`` is the sha256 of its canonical content including ``prev_hash``, so editing,
deleting or reordering any row breaks the chain from that row on.  Entries are appended in the
caller's transaction: a change and its audit entry commit together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import Dataset, utcnow
from .models.publication import AuditEntry

GENESIS = "0" * 64
_LOCK_KEY = 0x45434F41  # PostgreSQL advisory lock that serializes appends ("ECOA")


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def entry_hash(seq: int, prev_hash: str, actor: str | None, action: str, object_type: str, object_id: str,
               payload: dict[str, Any], at: datetime) -> str:
    body = {"seq": seq, "prev": prev_hash, "actor": actor, "action": action, "type": object_type,
            "id": object_id, "payload": payload, "at": at.timestamp()}
    return hashlib.sha256(canonical(body)).hexdigest()


def _recompute(entry: AuditEntry) -> str:
    return entry_hash(entry.seq, entry.prev_hash, entry.actor, entry.action, entry.object_type,
                      entry.object_id, entry.payload or {}, entry.at)


def _serialize(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})


def head(session: Session) -> AuditEntry | None:
    return session.scalar(sa.select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))


def _forget_head(session: Session, _transaction: Any) -> None:
    session.info.pop(_HEAD_KEY, None)


def _forget_head_at_end(session: Session, transaction: Any) -> None:
    # Every flush runs in a subtransaction of its own; its end changes nothing committed, so only the
    # outermost transaction ending (another writer may append next) forgets the head here.
    if transaction.parent is None:
        _forget_head(session, transaction)


# The head is remembered per transaction so that a page of writes costs one query, not one each
# (the rest of the chain is computed in memory, in append order).  Any rollback forgets it: a
# rolled-back savepoint or flush may have taken entries with it.
_HEAD_KEY = "ecodata.audit_head"
sa.event.listen(Session, "after_transaction_end", _forget_head_at_end)
sa.event.listen(Session, "after_soft_rollback", _forget_head)


def _next_link(session: Session) -> tuple[int, str]:
    cached = session.info.get(_HEAD_KEY)
    if cached is not None and cached[0] is session.get_transaction():
        return cached[1] + 1, cached[2]
    _serialize(session)
    session.flush()
    last = head(session)
    return ((last.seq + 1), last.hash) if last else (1, GENESIS)


def append(session: Session, actor: str | None, action: str, object_type: str, object_id: str,
           payload: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry after the current head, inside the caller's transaction."""
    seq, prev = _next_link(session)
    # JSON round trip: the stored payload must hash the same after the database gives it back.
    clean = json.loads(canonical(payload or {}))
    now = utcnow()
    at = now.replace(microsecond=now.microsecond // 1000 * 1000)
    entry = AuditEntry(seq=seq, prev_hash=prev, actor=actor, action=action, object_type=object_type,
                       object_id=object_id, payload=clean, at=at)
    entry.hash = entry_hash(seq, prev, actor, action, object_type, object_id, clean, at)
    session.add(entry)
    session.info[_HEAD_KEY] = (session.get_transaction(), seq, entry.hash)
    return entry


def actor_label(actor: Any) -> str:
    """A stable label for who acted: user id, or the name of a system actor."""
    if getattr(actor, "user_id", None):
        return f"user:{actor.user_id}"
    return f"system:{getattr(actor, 'name', None) or 'system'}"


def record_dataset_change(session: Session, ds: Dataset, actor: Any, activity: str,
                          after: dict[str, Any] | None) -> AuditEntry:
    """The audit entry for a dataset write (called from ``datasets.record_change``)."""
    digest = hashlib.sha256(canonical(after)).hexdigest() if after is not None else None
    return append(session, actor_label(actor), f"dataset.{activity.replace(' ', '_')}", "dataset", ds.id,
                  {"name": ds.name, "state": ds.state, "record_sha256": digest})


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    code: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "code": self.code, "detail": self.detail}


def check_chain(session: Session, batch: int = 5000) -> list[ChainProblem]:
    """Every broken link: an altered entry (hash mismatch), a removed or inserted one (link or gap)."""
    problems: list[ChainProblem] = []
    prev_hash, prev_seq = GENESIS, 0
    stmt = sa.select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=batch)
    for entry in session.scalars(stmt):
        if entry.seq != prev_seq + 1:
            problems.append(ChainProblem(entry.seq, "audit_gap",
                                         f"entries {prev_seq + 1}..{entry.seq - 1} are missing"))
        if entry.prev_hash != prev_hash:
            problems.append(ChainProblem(entry.seq, "audit_link_broken",
                                         "prev_hash does not match the previous entry's hash"))
        if _recompute(entry) != entry.hash:
            problems.append(ChainProblem(entry.seq, "audit_entry_altered",
                                         f"entry {entry.seq} ({entry.action} {entry.object_type} "
                                         f"{entry.object_id}) does not match its hash"))
        prev_hash, prev_seq = entry.hash, entry.seq
    return problems


def entries(session: Session, *, object_id: str | None = None, limit: int = 100) -> list[AuditEntry]:
    stmt = sa.select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if object_id:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    return list(session.scalars(stmt))
