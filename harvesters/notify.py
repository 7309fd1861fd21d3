"""Tell someone when a harvest job fails: a JSON webhook (per source or ECODATA_NOTIFY_WEBHOOK)."""

from __future__ import annotations

import logging
from typing import Any

import requests

from catalog.service import Catalog

log = logging.getLogger(__name__)


def notify_failure(catalog: Catalog, source: str, job_id: str, error: dict[str, Any],
                   notify: dict[str, Any]) -> None:
    urls = [u for u in (notify.get("webhook"), catalog.config["ECODATA_NOTIFY_WEBHOOK"]) if u]
    payload = {"event": "harvest_job_failed", "source": source, "job_id": job_id, "error": error,
               "site": catalog.config["ECODATA_SITE_URL"], "email": notify.get("email")}
    for url in dict.fromkeys(urls):
        try:
            requests.post(url, json=payload, timeout=10)
        except requests.RequestException as exc:  # a dead webhook must not turn into a second failure
            log.warning("harvest failure webhook %s unreachable: %s", url, exc)
