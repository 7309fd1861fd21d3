"""Server time of the portal's main pages at demo scale: prints ``name: value unit`` lines.

Builds the demo catalogue (and the publication demo when installed) in a temporary ECODATA_HOME,
then times each page through the WSGI app (no network), median of several requests.

    .venv/bin/python bench/web_pages.py
"""

from __future__ import annotations

import statistics
import tempfile
import time

from catalog.settings import load
from portal.app import create_app
from portal.demo import build_demo

PAGES = {
    "home": "/", "search": "/dataset", "search_q": "/dataset?q=空气质量",
    "search_filtered": "/dataset?q=空气质量&districts=500103&groups=air&sort=metadata_modified+desc",
    "dataset": "/dataset/cq-air-station-hourly", "dataset_released": "/dataset/cq-air-hourly-yuzhong-release",
    "organizations": "/organization", "organization": "/organization/cq-sthjj", "sitemap": "/sitemap.xml",
}
SIGNED_IN = {"workspace": "/workspace", "dataset_form": "/dataset/new", "review_queue": "/workspace/review"}
RUNS = 15


def _median_ms(client: object, path: str) -> float | None:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(path)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code == 404:
            return None
    return statistics.median(times[2:])


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        config = load({}, ECODATA_HOME=home, ECODATA_SECRET_KEY="bench", ECODATA_LOG_LEVEL="WARNING")
        app = create_app(config)
        catalog = app.extensions["ecodata.catalog"]
        build_demo(catalog, echo=lambda _m: None)
        _publication_demo(config, catalog)
        client = app.test_client()
        for name, path in PAGES.items():
            _report(name, _median_ms(client, path))
        with client.session_transaction() as session:
            session["user_id"] = _user_id(catalog, "sthjj-reviewer")
        for name, path in SIGNED_IN.items():
            _report(name, _median_ms(client, path))


def _publication_demo(config: object, catalog: object) -> None:
    try:
        from catalog.publication import context_for
        from portal.commands.publish_demo import build
    except ImportError:
        return
    build(catalog, context_for(config, catalog.db.sessionmaker), lambda _m: None)  # type: ignore[attr-defined]


def _user_id(catalog: object, name: str) -> str:
    from catalog.accounts import get_user

    with catalog.read() as session:  # type: ignore[attr-defined]
        return get_user(session, name).id


def _report(name: str, value: float | None) -> None:
    if value is not None:
        print(f"web_{name}: {value:.1f} ms")


if __name__ == "__main__":
    main()
