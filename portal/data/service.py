"""Per-app delivery services and the one gate every data route goes through.

``served(name, resource_id, channel)`` resolves the caller, checks the dataset is visible, finds
the caller's released artifact and checks the route's channel.  Anything missing is a 404 that
says nothing about what exists.  Downloads under a grant are logged in the same step.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app

from catalog import releases
from catalog.authz import Actor
from catalog.datasets import get_visible
from catalog.delivery import formats
from catalog.delivery.cache import RenderingCache, local_blob
from catalog.delivery.rowstore import ServingTable, ServingTables, fields_tag
from catalog.errors import NotFound
from catalog.models import Dataset
from catalog.releases import ArtifactRef
from catalog.storage import BlobStore, open_store
from portal.app import get_catalog
from portal.auth import resolve_actor

CHANNELS = ("download", "data_api", "dcat", "bulk", "portal")


class Delivery:
    def __init__(self, app: Any) -> None:
        config = app.extensions["ecodata.config"]
        self.config = config
        self.store: BlobStore = open_store(config["ECODATA_STORAGE_URL"], config.home, config["ECODATA_S3_ENDPOINT"])
        self.cache = RenderingCache(config.home / "cache" / "delivery")
        self.tables = ServingTables(self.cache)
        self.cursor_secret = hashlib.sha256(f"data-api-cursor\x1f{app.secret_key}".encode()).digest()
        self.site_url = str(config["ECODATA_SITE_URL"]).rstrip("/")

    def parquet(self, ref: ArtifactRef) -> Path:
        return local_blob(self.store, self.cache, ref.blob_key, ref.sha256)

    def rendering(self, ref: ArtifactRef, fmt: str, *, bom: bool = False) -> Path:
        """The file to send for ``fmt``: the stored Parquet itself when it needs no projection."""
        source = self.parquet(ref)
        if fmt == "parquet" and not formats.needs_projection(source, ref.fields):
            return source
        if fmt == "xlsx":
            formats.check_xlsx_size(ref.rows)
        variant = f"{fmt}{'-bom' if bom else ''}-{fields_tag(ref.fields)}"
        return self.cache.get_or_build(ref.sha256, variant,
                                       lambda tmp: formats.render(fmt, source, ref.fields, tmp, bom=bom,
                                                                  rows=ref.rows))

    def serving(self, ref: ArtifactRef) -> ServingTable:
        return self.tables.get(ref.sha256, self.parquet(ref), ref.fields)


def get_delivery() -> Delivery:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    delivery = app.extensions.get("ecodata.delivery")
    if delivery is None:
        delivery = app.extensions["ecodata.delivery"] = Delivery(app)
    return delivery  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Served:
    """A released artifact the caller may receive on a channel, with what the response needs."""

    actor: Actor
    ref: ArtifactRef
    dataset_name: str
    dataset_title: str
    resource_name: str


def now_utc() -> datetime:
    return datetime.now(UTC)


def not_found(name: str, resource_id: str = "") -> NotFound:
    what = f"{name}/{resource_id}" if resource_id else name
    return NotFound(f"资源不存在或未向您开放：{what}", f"Not found or not released to you: {what}")


def served(name: str, resource_id: str, channel: str | tuple[str, ...], *, log: bool = True,
           named: bool = True) -> Served:
    """The caller's artifact if one of ``channel`` is allowed for it; logged when under a grant."""
    wanted = (channel,) if isinstance(channel, str) else channel
    actor = resolve_actor()
    with get_catalog().db.session() as session:
        ds = get_visible(session, actor, name)
        ref = releases.artifact_for(session, actor, ds, resource_id, now=now_utc())
        allowed = [c for c in wanted if ref is not None and c in ref.channels]
        if ref is None or not allowed:
            raise not_found(name, resource_id)
        if log:
            releases.log_grant_download(session, ref, actor, allowed[0])
        # The resource's display name costs a query; only file names need it.
        return Served(actor, ref, ds.name, ds.title, _resource_name(ds, resource_id) if named else resource_id)


def dataset_artifacts(name: str, channels: tuple[str, ...]) -> tuple[Actor, dict[str, Any], list[Served]]:
    """The dataset record and every artifact the caller may receive on any of ``channels``."""
    from catalog.records import dataset_record

    actor = resolve_actor()
    with get_catalog().db.session() as session:
        ds = get_visible(session, actor, name)
        refs = [r for r in releases.artifacts_for(session, actor, ds, now=now_utc())
                if any(c in r.channels for c in channels)]
        out = [Served(actor, r, ds.name, ds.title, _resource_name(ds, r.resource_id)) for r in refs]
        return actor, {**dataset_record(ds), "organization_title": ds.organization.title}, out


def log_downloads(items: list[Served], channel: str) -> None:
    with get_catalog().db.session() as session:
        for item in items:
            releases.log_grant_download(session, item.ref, item.actor, channel)


def _resource_name(ds: Dataset, resource_id: str) -> str:
    for res in ds.resources:
        if res.id == resource_id:
            return res.name or resource_id
    return resource_id
