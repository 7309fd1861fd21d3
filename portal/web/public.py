"""Public pages: home, search, dataset, departments, API documentation."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request

from catalog import datasets, profile
from catalog.authz import can_write_in
from catalog.models import Organization
from portal.app import get_catalog
from portal.auth import resolve_actor

from . import plugins, searching
from .districtmap import district_map
from .labels import label, vocab_entries
from .seo import dataset_jsonld

bp = Blueprint("web", __name__)
HOME_FACETS = ["themes", "org", "districts", "formats"]


@bp.route("/")
def home() -> str:
    result, latest = searching.facet_counts(get_catalog(), resolve_actor(), HOME_FACETS, rows=6,
                                            sort="modified desc")
    facets = result.facets
    figures = {"datasets": result.count, "departments": len(facets.get("org", [])),
               "districts": len([d for d, _ in facets.get("districts", []) if d != "500000"]),
               "formats": len(facets.get("formats", []))}
    theme_counts = dict(facets.get("themes", []))
    themes = [(t, theme_counts.get(t["id"], 0)) for t in vocab_entries("themes")]
    return render_template("web/home.html", figures=figures, themes=themes, latest=latest,
                           departments=_departments(dict(facets.get("org", [])))[:8])


def _departments(counts: dict[str, int]) -> list[dict[str, Any]]:
    with get_catalog().read() as session:
        orgs = session.scalars(sa.select(Organization).where(Organization.state == "active")
                               .order_by(Organization.code, Organization.name))
        rows = [{"name": o.name, "title": o.title, "title_en": o.title_en, "code": o.code,
                 "description": o.description, "count": counts.get(o.name, 0)} for o in orgs]
    return sorted(rows, key=lambda r: -r["count"])


@bp.route("/dataset")
def search() -> str:
    from .security import limit

    limit(current_app, "search")
    page = searching.run(get_catalog(), resolve_actor(), searching.parse(request.args))
    return render_template("web/search.html", page=page, facet_titles=facet_titles(),
                           facet_label=facet_label, org_titles=org_titles())


def facet_titles() -> dict[str, str]:
    from flask_babel import gettext as _

    return {"organization": _("部门"), "groups": _("主题"), "districts": _("区县"), "res_format": _("格式"),
            "tags": _("关键词"), "update_cycle": _("更新周期"), "open_type": _("开放类型"),
            "license_id": _("许可协议")}


def facet_label(param: str, value: str) -> str:
    vocab = {"groups": "themes", "districts": "districts", "update_cycle": "update_cycles",
             "open_type": "open_types", "license_id": "licenses"}.get(param)
    if param == "organization":
        return org_titles().get(value, value)
    return label(vocab, value) if vocab else value


def org_titles() -> dict[str, str]:
    """Department names by code, read once per request."""
    from flask import g

    from .i18n import pick

    if "web_org_titles" not in g:
        with get_catalog().read() as session:
            g.web_org_titles = {o.name: pick(o.title, o.title_en) for o in session.scalars(sa.select(Organization))}
    return dict(g.web_org_titles)


@bp.route("/dataset/<name>")
def dataset(name: str) -> str:
    actor = resolve_actor()
    catalog = get_catalog()
    with catalog.read() as session:
        ds = datasets.get_visible(session, actor, name)
        record = datasets.dataset_record(ds)
        org = {"name": ds.organization.name, "title": ds.organization.title,
               "title_en": ds.organization.title_en, "code": ds.organization.code}
        released = _released(session, catalog, actor, ds)
        editable = can_write_in(actor, ds.org_id)
    site = str(catalog.config["ECODATA_SITE_URL"]).rstrip("/")
    stations = _station_map(released)
    return render_template(
        "web/dataset.html", ds=record, org=org, derived=profile.derived_fields(record), can_edit=editable,
        site=site, jsonld=dataset_jsonld(record, org, site), downloads=_downloads(record, released),
        released=released, chart=_chart(released), station_map=stations,
        coverage_map=None if stations is not None else _coverage_map(record), plugins=plugins)


def _released(session: Any, catalog: Any, actor: Any, ds: Any) -> Any:
    if not plugins.has("releases"):
        return None
    from .released import released_view

    return released_view(session, catalog, actor, ds)


def _chart(released: Any) -> Any:
    if released is None or not released.series:
        return None
    from flask_babel import gettext as _

    from .chart import line_chart

    series = released.series
    return line_chart(series["times"], series["values"],
                      title=_("%(field)s 随时间变化（各站点均值）", field=series["value_field"]))


def _station_map(released: Any) -> Any:
    if released is None or not released.stations:
        return None
    from flask_babel import gettext as _

    names = {e["id"]: label("districts", e["id"]) for e in vocab_entries("districts")}
    return district_map(names, points=released.stations, title=_("监测站点分布示意图"), zoom=True)


def _coverage_map(record: dict[str, Any]) -> Any:
    codes = list(record.get("districts") or [])
    if not codes:
        return None
    names = {e["id"]: label("districts", e["id"]) for e in vocab_entries("districts")}
    lit = list(names) if "500000" in codes else codes
    from flask_babel import gettext as _

    return district_map(names, highlight=lit, labelled=[c for c in codes if c != "500000"][:8],
                        zoom="500000" not in codes and len(codes) <= 6,
                        title=_("数据覆盖区县示意图"))


def _downloads(record: dict[str, Any], released: Any) -> dict[str, list[tuple[str, str]]]:
    """Download links for resources whose released artifact this caller may receive."""
    out: dict[str, list[tuple[str, str]]] = {}
    for res in record.get("resources") or []:
        if released is None or res["id"] not in released.artifacts:
            continue
        links = [(fmt.upper(), url) for fmt in ("csv", "json", "xlsx", "parquet")
                 if (url := plugins.download_url(record["name"], res["id"], fmt))]
        out[res["id"]] = links
    return out


@bp.route("/organization")
def organizations() -> str:
    result, _rows = searching.facet_counts(get_catalog(), resolve_actor(), ["org"])
    return render_template("web/organizations.html", departments=_departments(dict(result.facets["org"])))


@bp.route("/organization/<code>")
def organization(code: str) -> str:
    from catalog.accounts import get_org

    catalog = get_catalog()
    with catalog.read() as session:
        org_row = get_org(session, code)
        org = {"name": org_row.name, "title": org_row.title, "title_en": org_row.title_en,
               "code": org_row.code, "description": org_row.description}
    page = searching.parse(request.args)
    page.active = [("organization", str(org["name"]))] + [p for p in page.active if p[0] != "organization"]
    page = searching.run(catalog, resolve_actor(), page)
    return render_template("web/organization.html", org=org, page=page, facet_titles=facet_titles(),
                           facet_label=facet_label, org_titles=org_titles())


@bp.route("/about/api")
def api_docs() -> str:
    site = str(get_catalog().config["ECODATA_SITE_URL"]).rstrip("/")
    return render_template("web/api.html", site=site)
