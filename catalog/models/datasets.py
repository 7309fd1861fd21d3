"""Datasets (信息资源), their distributions, data elements, tags, themes and history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import Organization
from .base import Base, new_id, utcnow

DATASET_STATES = ("draft", "active", "withdrawn", "deleted")

dataset_groups = sa.Table(
    "dataset_groups",
    Base.metadata,
    sa.Column("dataset_id", sa.ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("group_id", sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
)


class Group(Base):
    """A theme (大气, 地表水 …) shown to CKAN clients as a group."""

    __tablename__ = "groups"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str | None] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    created: Mapped[datetime] = mapped_column(default=utcnow)


class Dataset(Base):
    __tablename__ = "datasets"
    __table_args__ = (
        sa.UniqueConstraint("harvest_source_id", "harvest_remote_id", name="uq_datasets_harvest_remote"),
        sa.CheckConstraint("state in ('draft','active','withdrawn','deleted')", name="state"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    org_id: Mapped[str] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(20), default="active")
    private: Mapped[bool] = mapped_column(default=False)
    resource_code: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    open_type: Mapped[str] = mapped_column(sa.String(20))
    share_type: Mapped[str] = mapped_column(sa.String(20))
    update_cycle: Mapped[str | None] = mapped_column(sa.String(20))
    license_id: Mapped[str | None] = mapped_column(sa.String(100))
    # Everything else of the metadata profile, as validated JSON.
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The full record as of the last write, so search results render without loading children.
    cached_record: Mapped[dict[str, Any] | None] = mapped_column()
    # The analysed search-index document as of the last write (``tantivy_schema.stored_json``: every
    # field but the readers, which publication changes without a dataset write), and the analysis it
    # was made with (``tantivy_schema.analysis_stamp``); a full rebuild passes it through unanalysed.
    # NULL for deleted datasets and for datasets written before the column existed.
    search_doc: Mapped[str | None] = mapped_column(sa.Text)
    search_doc_version: Mapped[str | None] = mapped_column(sa.String(64))
    creator_user_id: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    harvest_source_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    harvest_remote_id: Mapped[str | None] = mapped_column(sa.String(500))
    metadata_created: Mapped[datetime] = mapped_column(default=utcnow)
    metadata_modified: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    organization: Mapped[Organization] = relationship()
    resources: Mapped[list[Resource]] = relationship(
        back_populates="dataset", cascade="all, delete-orphan", order_by="Resource.position")
    elements: Mapped[list[DataElement]] = relationship(
        back_populates="dataset", cascade="all, delete-orphan", order_by="DataElement.position")
    tags: Mapped[list[DatasetTag]] = relationship(cascade="all, delete-orphan", order_by="DatasetTag.name")
    groups: Mapped[list[Group]] = relationship(secondary=dataset_groups, order_by="Group.name")


class DatasetTag(Base):
    __tablename__ = "dataset_tags"

    dataset_id: Mapped[str] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), primary_key=True, index=True)


class Resource(Base):
    """A distribution (dcat:Distribution / CKAN resource)."""

    __tablename__ = "resources"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    dataset_id: Mapped[str] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str | None] = mapped_column(sa.String(500))
    description: Mapped[str | None] = mapped_column(sa.Text)
    url: Mapped[str | None] = mapped_column(sa.String(2000))
    format: Mapped[str | None] = mapped_column(sa.String(50))
    mimetype: Mapped[str | None] = mapped_column(sa.String(100))
    size: Mapped[int | None] = mapped_column(sa.BigInteger)
    hash: Mapped[str | None] = mapped_column(sa.String(200))
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    last_modified: Mapped[datetime | None] = mapped_column()

    dataset: Mapped[Dataset] = relationship(back_populates="resources")


class DataElement(Base):
    """One 信息项: a named, typed column of the resource's data."""

    __tablename__ = "data_elements"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    dataset_id: Mapped[str] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    type: Mapped[str] = mapped_column(sa.String(2))
    length: Mapped[int | None] = mapped_column()
    unit: Mapped[str | None] = mapped_column(sa.String(50))
    description: Mapped[str | None] = mapped_column(sa.Text)
    tags: Mapped[list[Any]] = mapped_column(default=list)

    dataset: Mapped[Dataset] = relationship(back_populates="elements")


class Activity(Base):
    """Who changed what, when, with the state before and after."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    timestamp: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[str | None] = mapped_column(sa.String(36))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    activity_type: Mapped[str] = mapped_column(sa.String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column()
    after: Mapped[dict[str, Any] | None] = mapped_column()


class CatalogChange(Base):
    """The catalogue's change sequence: one row per dataset write, read by search catch-up."""

    __tablename__ = "catalog_changes"

    seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                                     primary_key=True, autoincrement=True)
    dataset_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
