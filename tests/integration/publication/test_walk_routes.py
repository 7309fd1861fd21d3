"""Walk every GET route the app registers, as every audience, and prove nothing withheld appears.

Routes come from ``app.url_map``, so routes added later are covered without touching this test.
Each URL argument is filled with realistic values (dataset names and ids, resource, release,
submission, grant and request ids, department codes, CKAN action names, formats); zero-argument
routes are also called with ``id``/``q`` query strings.  Binary bodies are opened (Parquet, zip
members incl. XLSX) before searching them.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from catalog import publication_demo as demo
from catalog.models import Dataset
from catalog.models.publication import AccessRequest, Release, Submission

SKIP_PREFIXES = ("/static/", "/api/v1/docs/assets/")
FORMATS = ("csv", "json", "parquet", "xlsx", "geojson", "ttl", "jsonld", "rdf")
HEALTH_VALUES = ("和尚山水厂取水口", "市级集中式饮用水水源卫生监测")
CONTACT_FIELDS = ("contact_person", "contact_phone")


def _body_text(data: bytes) -> str:
    if data[:4] == b"PAR1":
        table = pq.read_table(io.BytesIO(data))
        return " ".join(table.column_names) + " " + json.dumps(table.to_pylist(), ensure_ascii=False, default=str)
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return " ".join(name + " " + _body_text(archive.read(name)) for name in archive.namelist())
    text = data.decode("utf-8", errors="replace")
    try:
        return text + json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        return text


class Walk:
    def __init__(self, app: Any, catalog: Any, released: Any) -> None:
        self.app = app
        with catalog.read() as session:
            self.datasets = {d.name: d.id for d in session.scalars(sa.select(Dataset))}
            self.releases = {r.id: r.dataset.name for r in session.scalars(sa.select(Release))}
            self.others = [*session.scalars(sa.select(Submission.id)), *session.scalars(sa.select(AccessRequest.id)),
                           released.grant_id]
        self.resources = {rid: name for name, rid in released.resources.items()}
        from portal.ckan import ACTIONS

        self.actions = sorted(ACTIONS)
        self.orgs = ["cq-sthjj", "cq-slj", demo.HEALTH_DEPARTMENT]

    def _by_arg(self, arg: str, dataset: str | None) -> list[str]:
        """Realistic values for a URL argument, by its name; unknown names get every identifier."""
        names = [dataset] if dataset else list(self.datasets)
        known = {
            "name": [*names, *(self.datasets[n] for n in names)], "id": [*names, *(self.datasets[n] for n in names)],
            "dataset": names, "code": self.orgs, "org": self.orgs,
            "rid": [r for r, n in self.resources.items() if n in names],
            "resource_id": [r for r, n in self.resources.items() if n in names],
            "release_id": [r for r, n in self.releases.items() if n in names],
            "fmt": list(FORMATS), "format": list(FORMATS),
            "sid": self.others, "submission_id": self.others, "grant_id": self.others, "request_id": self.others,
        }
        return known.get(arg) or [*self.datasets, *self.datasets.values(), *self.resources, *self.releases,
                                  *self.others, *self.orgs]

    def _values(self, rule: Any, arg: str, dataset: str | None) -> list[str]:
        items = getattr(rule._converters[arg], "items", None)
        if items:
            return sorted(items)
        if "action" in rule.rule and arg == "name":
            return self.actions
        return self._by_arg(arg, dataset)

    def urls(self) -> Iterator[str]:
        for rule in self.app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.rule.startswith(SKIP_PREFIXES):
                continue
            args = sorted(rule.arguments)
            if not args:
                yield from self._zero_arg(rule)
            elif len(args) == 1:
                yield from self._build(rule, args, [self._values(rule, args[0], None)])
            else:
                for name in self.datasets:
                    yield from self._build(rule, args, [self._values(rule, a, name) for a in args])

    def _zero_arg(self, rule: Any) -> Iterator[str]:
        base = rule.rule
        yield base
        yield f"{base}?q=发布演示&rows=100"
        for name in self.datasets:
            yield f"{base}?id={name}"

    def _build(self, rule: Any, args: list[str], choices: list[list[str]]) -> Iterator[str]:
        for combo in itertools.product(*choices):
            try:
                url = rule.build(dict(zip(args, combo, strict=True)), append_unknown=False)[1]
            except Exception:  # a value its converter refuses: not a reachable URL
                continue
            if "action" in rule.rule:
                yield from self._ckan(url, combo[0])
            else:
                yield url

    def _ckan(self, url: str, action: str) -> Iterator[str]:
        yield f"{url}?all_fields=true"
        if any(word in action for word in ("show", "search", "datastore", "list")):
            for ident in (*self.datasets, *self.resources, demo.HEALTH_DEPARTMENT):
                yield f"{url}?id={ident}&resource_id={ident}&include_datasets=true&q={ident}"


def _without_echo(text: str, url: str) -> str:
    """Error messages repeat the identifier the caller sent; that is not a disclosure."""
    from urllib.parse import unquote

    for part in {p for p in re.split(r"[/?&=.]", unquote(url)) if len(p) > 8}:
        text = text.replace(part, "")
    return text


def _forbidden(who: str | None) -> list[str]:
    health = [demo.HEALTH, *HEALTH_VALUES]
    secrets = [demo.SECRET_CONTACT, demo.SECRET_PHONE]
    return {None: [*secrets, "106.55", *health], "water-editor": [*secrets, "106.55123", *health],
            "researcher": [*secrets, "106.5512", *health], "member": health, "health-editor": []}[who]


@pytest.mark.timeout(1200)
@pytest.mark.parametrize("backend", ["sqlite"])
def test_no_route_shows_any_audience_what_it_may_not_see(released, app, catalog, client, people) -> None:
    walk = Walk(app, catalog, released)
    pollution_ids = {demo.POLLUTION, walk.datasets[demo.POLLUTION], released.resources[demo.POLLUTION]}
    seen: dict[str | None, str] = {}
    leaks, errors = [], []
    urls = sorted(set(walk.urls()))
    for who in (None, "water-editor", "researcher", "member", "health-editor"):
        headers = people.auth(who) if who else {}
        texts = []
        for url in urls:
            resp = client.get(url, headers=headers)
            body = resp.get_data()
            resp.close()  # file responses stream from an open file
            if resp.status_code >= 500:
                errors.append((who, url, resp.status_code))
                continue
            text = _without_echo(_body_text(body), url)
            texts.append(text)
            leaks += [(who, url, bad) for bad in _forbidden(who) if bad in text]
            if who not in ("member", "health-editor") and any(i in url for i in pollution_ids):
                leaks += [(who, url, f) for f in CONTACT_FIELDS if f in text]
        seen[who] = "\n".join(texts)
    assert not leaks, leaks[:20]
    assert not errors, errors[:20]
    # The walk reached data, not only error pages: each audience saw what it may see.
    assert "1665A" in seen[None] and "avg_mean" in seen[None]
    assert str(round(demo.PRECISE_LON, 2)) in seen["researcher"]
    assert str(round(demo.PRECISE_LON, 4)) in seen["water-editor"]
    assert demo.SECRET_PHONE in seen["member"] and demo.HEALTH in seen["health-editor"]
    assert len(urls) > 200
