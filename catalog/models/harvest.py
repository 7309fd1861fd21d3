"""Harvest sources, jobs, per-record items and the kept remote records (harvest objects)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import Organization
from .base import Base, new_id, utcnow

JOB_STATES = ("queued", "running", "finished", "failed")
OUTCOMES = ("added", "updated", "unchanged", "withdrawn", "invalid", "failed")


class HarvestSource(Base):
    """A remote catalogue, file drop or database a department harvests from."""

    __tablename__ = "harvest_sources"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    title: Mapped[str | None] = mapped_column(sa.String(200))
    org_id: Mapped[str] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    type: Mapped[str] = mapped_column(sa.String(40))
    url: Mapped[str] = mapped_column(sa.String(2000))
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # share_type/open_type/update_cycle/theme (+ conditions) given to what the source brings.
    defaults: Mapped[dict[str, Any]] = mapped_column(default=dict)
    schedule: Mapped[str | None] = mapped_column(sa.String(100))
    allow_private: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # E-mail addresses and webhook URL told when a job fails.
    notify: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The one job allowed to work on this source right now (a lock taken atomically).
    current_job_id: Mapped[str | None] = mapped_column(sa.String(36))
    created: Mapped[datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization] = relationship()


class HarvestJob(Base):
    __tablename__ = "harvest_jobs"
    __table_args__ = (sa.CheckConstraint("status in ('queued','running','finished','failed')", name="status"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    source_id: Mapped[str] = mapped_column(sa.ForeignKey("harvest_sources.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="queued")
    dry_run: Mapped[bool] = mapped_column(default=False)
    since: Mapped[datetime | None] = mapped_column()
    created: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started: Mapped[datetime | None] = mapped_column()
    finished: Mapped[datetime | None] = mapped_column()
    heartbeat: Mapped[datetime | None] = mapped_column()
    worker: Mapped[str | None] = mapped_column(sa.String(200))
    total: Mapped[int | None] = mapped_column()
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Source-level failure (the job could not list the source), as a Problem dict.
    error: Mapped[dict[str, Any] | None] = mapped_column()


class HarvestItem(Base):
    """What one job did with one remote record."""

    __tablename__ = "harvest_items"
    __table_args__ = (sa.UniqueConstraint("job_id", "remote_id", name="uq_harvest_items_job_remote"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(sa.ForeignKey("harvest_jobs.id", ondelete="CASCADE"), index=True)
    remote_id: Mapped[str] = mapped_column(sa.String(500))
    outcome: Mapped[str] = mapped_column(sa.String(20))
    dataset_id: Mapped[str | None] = mapped_column(sa.String(36))
    problems: Mapped[list[Any]] = mapped_column(default=list)


class HarvestObject(Base):
    """The latest raw record of one remote id, kept so the mapping can be re-run without fetching."""

    __tablename__ = "harvest_objects"
    __table_args__ = (sa.UniqueConstraint("source_id", "remote_id", name="uq_harvest_objects_source_remote"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    source_id: Mapped[str] = mapped_column(sa.ForeignKey("harvest_sources.id", ondelete="CASCADE"), index=True)
    remote_id: Mapped[str] = mapped_column(sa.String(500))
    remote_url: Mapped[str | None] = mapped_column(sa.String(2000))
    remote_modified: Mapped[datetime | None] = mapped_column()
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    dataset_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    state: Mapped[str] = mapped_column(sa.String(20), default="current")  # current | withdrawn
    harvested_at: Mapped[datetime] = mapped_column(default=utcnow)
