"""Publication: staged data, submissions, signed releases per audience, access grants, the audit chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import Organization
from .base import Base, new_id, utcnow
from .datasets import Dataset

SUBMISSION_STATES = ("pending", "approved", "rejected", "cancelled")
RELEASE_STATES = ("active", "withdrawn")
REQUEST_STATES = ("pending", "approved", "rejected")
_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class StagedTable(Base):
    """The validated Parquet staged for one resource (private; never served as such).

    Kept in its own table rather than on ``Resource.meta`` because resource meta is shown in every
    dataset record and is replaced by each metadata update."""

    __tablename__ = "staged_tables"

    resource_id: Mapped[str] = mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True)
    dataset_id: Mapped[str] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    blob_key: Mapped[str] = mapped_column(sa.String(200))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(_BIGINT)
    rows: Mapped[int] = mapped_column(_BIGINT)
    # The Table Schema the rows follow (with field tags); ``time_field`` drives delay and aggregation.
    table_schema: Mapped[dict[str, Any]] = mapped_column(default=dict)
    time_field: Mapped[str | None] = mapped_column(sa.String(200))
    staged_by: Mapped[str | None] = mapped_column(sa.String(36))
    staged_at: Mapped[datetime] = mapped_column(default=utcnow)


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (sa.CheckConstraint("state in ('pending','approved','rejected','cancelled')", name="state"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    dataset_id: Mapped[str] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(sa.String(20), default="pending")
    # The dataset record as submitted: what the reviewer approves is exactly this version.
    record: Mapped[dict[str, Any]] = mapped_column(default=dict)
    submitted_by: Mapped[str | None] = mapped_column(sa.String(36))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    comment: Mapped[str | None] = mapped_column(sa.Text)
    decided_by: Mapped[str | None] = mapped_column(sa.String(36))
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_comment: Mapped[str | None] = mapped_column(sa.Text)

    dataset: Mapped[Dataset] = relationship()


class Release(Base):
    """Immutable once written: only ``state`` and the withdrawal columns ever change."""

    __tablename__ = "releases"
    __table_args__ = (sa.UniqueConstraint("dataset_id", "number", name="uq_releases_dataset_number"),
                      sa.CheckConstraint("state in ('active','withdrawn')", name="state"))

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    dataset_id: Mapped[str] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    submission_id: Mapped[str | None] = mapped_column(sa.ForeignKey("submissions.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(sa.String(20), default="active")
    manifest: Mapped[dict[str, Any]] = mapped_column(default=dict)
    signature: Mapped[str] = mapped_column(sa.String(200))
    key_id: Mapped[str] = mapped_column(sa.String(64))
    ruleset_version: Mapped[str] = mapped_column(sa.String(64))
    approver_id: Mapped[str | None] = mapped_column(sa.String(36))
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    withdrawn_by: Mapped[str | None] = mapped_column(sa.String(36))
    withdraw_reason: Mapped[str | None] = mapped_column(sa.Text)

    dataset: Mapped[Dataset] = relationship()
    submission: Mapped[Submission | None] = relationship()
    artifacts: Mapped[list[ReleaseArtifact]] = relationship(
        back_populates="release", cascade="all, delete-orphan", order_by="ReleaseArtifact.position")


class ReleaseArtifact(Base):
    """One materialized file of a release for one audience ("public", "government", "owner",
    "grant:<grant id>").  Grant files added after the release carry their grant's signed addendum."""

    __tablename__ = "release_artifacts"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    release_id: Mapped[str] = mapped_column(sa.ForeignKey("releases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    audience: Mapped[str] = mapped_column(sa.String(80))
    resource_id: Mapped[str] = mapped_column(sa.String(36))
    format: Mapped[str] = mapped_column(sa.String(20), default="parquet")
    blob_key: Mapped[str] = mapped_column(sa.String(200))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(_BIGINT)
    rows: Mapped[int] = mapped_column(_BIGINT)
    fields: Mapped[list[Any]] = mapped_column(default=list)
    channels: Mapped[list[Any]] = mapped_column(default=list)
    grant_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)

    release: Mapped[Release] = relationship(back_populates="artifacts")


class AccessRequest(Base):
    __tablename__ = "access_requests"
    __table_args__ = (sa.CheckConstraint("state in ('pending','approved','rejected')", name="state"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    dataset_id: Mapped[str] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Set when a department applies (the grant then covers all its members).
    org_id: Mapped[str | None] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(sa.Text)
    period_start: Mapped[datetime] = mapped_column()
    period_end: Mapped[datetime] = mapped_column()
    state: Mapped[str] = mapped_column(sa.String(20), default="pending")
    created: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(sa.String(36))
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_comment: Mapped[str | None] = mapped_column(sa.Text)

    dataset: Mapped[Dataset] = relationship()


class Grant(Base):
    __tablename__ = "grants"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    request_id: Mapped[str | None] = mapped_column(sa.ForeignKey("access_requests.id", ondelete="SET NULL"))
    dataset_id: Mapped[str] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[str | None] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    # None: every field the rules allow a grant holder; a list narrows the grant to those fields.
    fields: Mapped[list[Any] | None] = mapped_column()
    purpose: Mapped[str | None] = mapped_column(sa.Text)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(sa.String(36))
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_by: Mapped[str | None] = mapped_column(sa.String(36))

    dataset: Mapped[Dataset] = relationship()
    organization: Mapped[Organization | None] = relationship()

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class GrantAddendum(Base):
    """The signed manifest of the files materialized for a grant approved after its release was made."""

    __tablename__ = "grant_addenda"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    release_id: Mapped[str] = mapped_column(sa.ForeignKey("releases.id", ondelete="CASCADE"), index=True)
    grant_id: Mapped[str] = mapped_column(sa.ForeignKey("grants.id", ondelete="CASCADE"), index=True)
    manifest: Mapped[dict[str, Any]] = mapped_column(default=dict)
    signature: Mapped[str] = mapped_column(sa.String(200))
    key_id: Mapped[str] = mapped_column(sa.String(64))
    created: Mapped[datetime] = mapped_column(default=utcnow)


class GrantDownload(Base):
    __tablename__ = "grant_downloads"

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=True)
    grant_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    user_id: Mapped[str | None] = mapped_column(sa.String(36))
    release_id: Mapped[str] = mapped_column(sa.String(36))
    resource_id: Mapped[str] = mapped_column(sa.String(36))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    channel: Mapped[str] = mapped_column(sa.String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """One link of the append-only audit chain: ``hash`` covers every other column and ``prev_hash``."""

    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=False)
    prev_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    actor: Mapped[str | None] = mapped_column(sa.String(200))
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[str] = mapped_column(sa.String(200), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)
