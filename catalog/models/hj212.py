"""HJ 212 monitoring points (a department's loggers) and the alerts their data raise."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import Organization
from .base import Base, new_id, utcnow

POINT_KINDS = ("enterprise", "station")
ALERT_KINDS = ("over_limit", "flag", "silent")


class MonitoringPoint(Base):
    """One data logger (MN) of an enterprise outlet or a monitoring station, owned by a department."""

    __tablename__ = "hj212_points"
    __table_args__ = (sa.CheckConstraint("kind in ('enterprise','station')", name="kind"),
                      sa.CheckConstraint("state in ('active','disabled')", name="state"))

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    mn: Mapped[str] = mapped_column(sa.String(24), unique=True)
    org_id: Mapped[str] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20), default="enterprise")
    name: Mapped[str] = mapped_column(sa.String(200))
    st: Mapped[str] = mapped_column(sa.String(3))
    # argon2 for people who check it rarely; the receiver checks every frame with a keyed HMAC.
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    password_key: Mapped[str] = mapped_column(sa.String(64))
    district_code: Mapped[str | None] = mapped_column(sa.String(6))
    lon: Mapped[float | None] = mapped_column()
    lat: Mapped[float | None] = mapped_column()
    # [{code, name, unit, limit}] — units are configured per point, never guessed from the code.
    factors: Mapped[list[Any]] = mapped_column(default=list)
    interval_seconds: Mapped[int] = mapped_column(default=60)
    dataset_id: Mapped[str | None] = mapped_column(sa.ForeignKey("datasets.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(sa.String(20), default="active")
    # enterprise_name, credit_code, outlet_code, station_code …
    extras: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    updated: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship()


class Alert(Base):
    """A value over its limit, a flag other than N, or a point silent past its interval."""

    __tablename__ = "hj212_alerts"
    __table_args__ = (sa.CheckConstraint("kind in ('over_limit','flag','silent')", name="kind"),
                      sa.Index("ix_hj212_alerts_org_raised", "org_id", "raised_at"))

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    point_id: Mapped[str] = mapped_column(sa.ForeignKey("hj212_points.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[str] = mapped_column(sa.String(36))
    mn: Mapped[str] = mapped_column(sa.String(24))
    factor: Mapped[str | None] = mapped_column(sa.String(20))
    kind: Mapped[str] = mapped_column(sa.String(20))
    value: Mapped[float | None] = mapped_column()
    limit: Mapped[float | None] = mapped_column()
    flag: Mapped[str | None] = mapped_column(sa.String(2))
    message: Mapped[str] = mapped_column(sa.String(500), default="")
    frame_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    data_time: Mapped[datetime | None] = mapped_column()
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column()

    point: Mapped[MonitoringPoint] = relationship()
