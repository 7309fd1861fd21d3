"""Who may see and run which harvest sources, shared by the REST API and the CKAN-style harvest actions.

A department admin manages their department's sources; a sysadmin manages all.  Without
ECODATA_REDIS_URL a started job runs in a background thread of this process; with it, on RQ.
"""

from __future__ import annotations

import threading

from catalog.authz import Actor
from catalog.errors import NotFound
from catalog.models import HarvestSource
from catalog.service import Catalog
from harvesters import queue, runner


def admin_orgs(actor: Actor) -> list[str] | None:
    """Org ids whose sources the actor manages; None = all (sysadmin)."""
    return None if actor.sysadmin else [org for org, role in actor.roles.items() if role == "admin"]


def check_source(actor: Actor, source: HarvestSource) -> None:
    """A source outside the actor's departments does not exist for them (404, as for datasets)."""
    orgs = admin_orgs(actor)
    if orgs is not None and source.org_id not in orgs:
        raise NotFound(f"采集来源不存在：{source.name}", f"harvest source not found: {source.name}")


def start_job(catalog: Catalog, job_id: str) -> None:
    if catalog.config["ECODATA_REDIS_URL"]:
        queue.enqueue(catalog.config, job_id)
        return
    threading.Thread(target=runner.run_job, args=(catalog, job_id), daemon=True, name=f"harvest-{job_id}").start()
