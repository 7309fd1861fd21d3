"""Per-app delivery services and the one gate every data route goes through.

``served(name, resource_id, channel)`` resolves the caller, checks the dataset is visible, finds
the caller's released artifact and checks the route's channel.  Anything missing is a 404 that
says nothing about what exists.  Downloads under a grant are logged in the same step.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from catalog import releases
from catalog.authz import Actor
from catalog.datasets import get_visible
from catalog.delivery import formats
from catalog.delivery.cache import RenderingCache, local_blob
from catalog.delivery.rowstore import ServingTable, ServingTables, fields_tag
from catalog.errors import NotFound
from catalog.models import Dataset
from catalog.models.publication import Grant, Release, ReleaseArtifact
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
        self.resolved = ResolvedArtifacts()

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
           named: bool = True, reuse: bool = False) -> Served:
    """The caller's artifact if one of ``channel`` is allowed for it; logged when under a grant.

    ``reuse`` lets a frequent, small request (the data API) take the previous resolution for the
    same caller when one query shows nothing it depended on has changed (see ResolvedArtifacts).
    """
    wanted = (channel,) if isinstance(channel, str) else channel
    actor = resolve_actor()
    with get_catalog().db.session() as session:
        if not reuse:
            return _resolve(session, actor, name, resource_id, wanted, log=log, named=named)
        cache = get_delivery().resolved
        key = (name, resource_id, named, _actor_key(actor))
        state = release_state(session, name)
        hit = cache.get(key, state)
        if hit is not None and any(c in hit.ref.channels for c in wanted):
            return replace(hit, actor=actor)
        item = _resolve(session, actor, name, resource_id, wanted, log=log, named=named)
        if item.ref.grant_id is None:  # grant files are logged per download and lapse with time
            cache.put(key, state, item)
        return item


def _resolve(session: Session, actor: Actor, name: str, resource_id: str, wanted: tuple[str, ...], *,
             log: bool, named: bool) -> Served:
    ds = get_visible(session, actor, name)
    ref = releases.artifact_for(session, actor, ds, resource_id, now=now_utc())
    allowed = [c for c in wanted if ref is not None and c in ref.channels]
    if ref is None or not allowed:
        raise not_found(name, resource_id)
    if log:
        releases.log_grant_download(session, ref, actor, allowed[0])
    # The resource's display name costs a query; only file names need it.
    return Served(actor, ref, ds.name, ds.title, _resource_name(ds, resource_id) if named else resource_id)


def _actor_key(actor: Actor) -> tuple[Any, ...]:
    return (actor.user_id, actor.sysadmin, actor.platform_reviewer, tuple(sorted(actor.roles.items())),
            repr(sorted(actor.scope.items())))


def release_state(session: Session, name_or_id: str) -> tuple[Any, ...] | None:
    """One row holding everything a resolution by ``served`` depends on besides the caller.

    The dataset's visibility attributes, its latest active release (releases are immutable but for
    their state, so a withdrawal changes this id), that release's artifact count (grant files are
    added later), and the dataset's grants (created or revoked).
    """
    row = session.execute(_release_state_query(), {"name": name_or_id}).first()
    return tuple(row) if row is not None else None


@functools.cache
def _release_state_query() -> sa.Select[Any]:
    """Built once: constructing the statement costs more than running it."""
    active = (sa.select(Release.id).where(Release.dataset_id == Dataset.id, Release.state == "active")
              .order_by(Release.number.desc()).limit(1).correlate(Dataset).scalar_subquery())
    artifacts = (sa.select(sa.func.count()).select_from(ReleaseArtifact)
                 .where(ReleaseArtifact.release_id == active).scalar_subquery())
    grants = sa.select(sa.func.count()).select_from(Grant).where(Grant.dataset_id == Dataset.id)
    revoked = grants.where(Grant.revoked_at.is_not(None))
    newest_grant = sa.select(sa.func.max(Grant.created)).where(Grant.dataset_id == Dataset.id)
    name = sa.bindparam("name", type_=sa.String())
    return (sa.select(Dataset.id, Dataset.name, Dataset.org_id, Dataset.state, Dataset.private, Dataset.open_type,
                      Dataset.share_type, active, artifacts, grants.correlate(Dataset).scalar_subquery(),
                      revoked.correlate(Dataset).scalar_subquery(), newest_grant.correlate(Dataset).scalar_subquery())
            .where(sa.or_(Dataset.id == name, Dataset.name == name)))


# A backstop only: every reuse is first checked against release_state, so a withdrawn release,
# a dataset made private or deleted, or a revoked grant takes effect on the very next request.
RESOLVED_TTL_S = 30.0


class ResolvedArtifacts:
    """Resolutions by ``served`` per (dataset, resource, caller), each kept with the release state it saw."""

    def __init__(self, ttl_s: float = RESOLVED_TTL_S, size: int = 4096) -> None:
        self.ttl_s = ttl_s
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], float, Served]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], state: tuple[Any, ...] | None) -> Served | None:
        with self._lock:
            entry = self._items.get(key)
            if entry is None:
                return None
            seen, until, item = entry
            if state is None or seen != state or time.monotonic() > until:
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return item

    def put(self, key: tuple[Any, ...], state: tuple[Any, ...] | None, item: Served) -> None:
        if state is None:
            return
        with self._lock:
            self._items[key] = (state, time.monotonic() + self.ttl_s, item)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


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
