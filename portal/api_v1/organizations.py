"""/api/v1/organizations: departments."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from catalog.accounts import get_org
from catalog.models import Organization
from catalog.search.base import SearchQuery
from portal.app import get_catalog
from portal.auth import resolve_actor

from .schemas import OrganizationSchema

PATH = "/organizations"
blp = Blueprint("organizations", __name__, description="部门 · Departments")


def _counts() -> dict[str, int]:
    result = get_catalog().search(resolve_actor(), SearchQuery(filters=[("state", "active")], rows=0,
                                                              facet_fields=["org"], facet_limit=-1))
    return dict(result.facets.get("org", []))


def _org(o: Organization, counts: dict[str, int]) -> dict[str, Any]:
    return {"id": o.id, "name": o.name, "code": o.code, "title": o.title, "title_en": o.title_en,
            "description": o.description, "package_count": counts.get(o.name, 0)}


@blp.route("")
class OrganizationCollection(MethodView):
    @blp.response(200, OrganizationSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """List departments with their visible dataset counts."""
        counts = _counts()
        with get_catalog().read() as session:
            orgs = session.scalars(sa.select(Organization).where(Organization.state == "active")
                                   .order_by(Organization.name))
            return [_org(o, counts) for o in orgs]


@blp.route("/<name>")
class OrganizationItem(MethodView):
    @blp.response(200, OrganizationSchema)
    def get(self, name: str) -> dict[str, Any]:
        """Read one department."""
        with get_catalog().read() as session:
            return _org(get_org(session, name), _counts())
