"""Between ecodata's profile record and CKAN's package dict (the shape CKAN clients speak).

Profile fields CKAN has no column for travel as top-level keys (as CKAN's scheming
extension does), so ``package_show`` output is accepted back by ``package_create``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from catalog.models import Group, Organization
from schemas import load_vocab

# Keys a CKAN client may send that ecodata computes itself.
READ_ONLY = {
    "id", "metadata_created", "metadata_modified", "num_tags", "num_resources", "organization",
    "license_title", "license_url", "isopen", "creator_user_id", "revision_id", "relationships_as_object",
    "relationships_as_subject", "type", "tracking_summary", "harvest", "access_rights", "accrual_periodicity",
}
PLAIN = ("name", "title", "private", "state", "license_id", "version")


def _licenses() -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in load_vocab("licenses")}


def ckan_time(value: str | datetime | None) -> str | None:
    """A time as CKAN writes it: UTC without an offset (``2026-11-30T08:02:37.029939``).  Clients
    parse it with CKAN's format, and harvesters append ``Z`` to it in range queries."""
    if value is None or value == "":
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat()


def org_dict(org: Organization, package_count: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": org.id, "name": org.name, "title": org.title, "title_en": org.title_en or "",
        "display_name": org.title, "description": org.description or "", "image_url": org.image_url or "",
        "image_display_url": org.image_url or "", "created": ckan_time(org.created), "type": "organization",
        "is_organization": True, "state": org.state, "approval_status": "approved", "code": org.code or "",
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def group_dict(group: Group, package_count: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": group.id, "name": group.name, "title": group.title, "title_en": group.title_en or "",
        "display_name": group.title, "description": group.description or "", "image_url": "",
        "image_display_url": "", "created": ckan_time(group.created), "type": "group",
        "is_organization": False, "state": "active", "approval_status": "approved",
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def resource_dict(res: dict[str, Any], package_id: str, position: int) -> dict[str, Any]:
    checksum = res.get("checksum") or {}
    out = {k: v for k, v in res.items() if k not in ("checksum", "media_type", "byte_size", "modified")}
    out.update({
        "id": res.get("id"), "package_id": package_id, "position": position, "name": res.get("name", ""),
        "description": res.get("description", ""), "url": res.get("url", ""), "format": res.get("format", ""),
        "mimetype": res.get("media_type"), "size": res.get("byte_size"),
        "hash": f"{checksum['algorithm']}:{checksum['value']}" if checksum else "",
        "created": ckan_time(res.get("created")), "last_modified": ckan_time(res.get("modified")), "state": "active",
        "url_type": res.get("url_type"),
    })
    return out


def package_dict(record: dict[str, Any], org: Organization, groups: list[Group]) -> dict[str, Any]:
    lic = _licenses().get(record.get("license_id") or "", {})
    contact = record.get("contact_point") or {}
    out: dict[str, Any] = {k: v for k, v in record.items()
                           if k not in ("description", "keywords", "resources", "extras", "organization",
                                        "landing_page", "harvest")}
    out.update({
        "id": record["id"], "name": record["name"], "title": record["title"], "type": "dataset",
        "notes": record.get("description", ""), "url": record.get("landing_page", ""),
        "version": record.get("version", ""), "state": record.get("state", "active"),
        "private": bool(record.get("private")), "owner_org": org.id, "organization": org_dict(org),
        "license_id": record.get("license_id", ""), "license_title": lic.get("zh", ""),
        "license_url": lic.get("url", ""), "isopen": bool(lic.get("open")),
        "author": org.title, "author_email": "", "maintainer": contact.get("name", ""),
        "maintainer_email": contact.get("email", ""),
        "tags": [{"name": k, "display_name": k, "state": "active", "vocabulary_id": None}
                 for k in record.get("keywords") or []],
        "groups": [group_dict(g) for g in groups],
        "resources": [resource_dict(r, record["id"], i) for i, r in enumerate(record.get("resources") or [])],
        "extras": [{"key": k, "value": v} for k, v in sorted((record.get("extras") or {}).items())],
        "metadata_created": ckan_time(record.get("metadata_created")),
        "metadata_modified": ckan_time(record.get("metadata_modified")),
    })
    out["num_tags"] = len(out["tags"])
    out["num_resources"] = len(out["resources"])
    if record.get("harvest"):
        out["harvest"] = record["harvest"]
    return out


def _resource_record(res: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in res.items()
           if k not in ("package_id", "position", "mimetype", "size", "hash", "created", "last_modified",
                        "state", "cache_url", "cache_last_updated", "revision_id", "mimetype_inner",
                        "datastore_active", "url_type", "resource_type", "tracking_summary")
           and v not in (None, "")}
    if res.get("mimetype"):
        out["media_type"] = res["mimetype"]
    if res.get("size") not in (None, ""):
        out["byte_size"] = int(res["size"])
    if res.get("hash"):
        algorithm, _, value = str(res["hash"]).rpartition(":")
        out["checksum"] = {"algorithm": algorithm or "sha256", "value": value}
    return out


def owner_of(pkg: dict[str, Any]) -> str | None:
    """The owning department as sent: ``owner_org`` (id or name) or an ``organization`` name/dict."""
    org = pkg.get("owner_org") or pkg.get("organization")
    if isinstance(org, dict):
        org = org.get("name") or org.get("id")
    return str(org) if org else None


def record_from_package(pkg: dict[str, Any], org_name: str | None) -> dict[str, Any]:
    """A profile record from a CKAN package dict (``org_name``: the resolved ``owner_org``)."""
    record: dict[str, Any] = {k: v for k, v in pkg.items()
                              if k not in READ_ONLY and k not in ("notes", "url", "tags", "groups", "extras",
                                                                  "owner_org", "author", "author_email",
                                                                  "maintainer", "maintainer_email",
                                                                  "resources")}
    if "notes" in pkg:
        record["description"] = pkg["notes"] or ""
    if pkg.get("url"):
        record["landing_page"] = pkg["url"]
    if org_name:
        record["organization"] = org_name
    if "tags" in pkg:
        record["keywords"] = [t["name"] if isinstance(t, dict) else str(t) for t in pkg["tags"] or []]
    if pkg.get("groups") and "themes" not in pkg:
        record["themes"] = [g["name"] if isinstance(g, dict) else str(g) for g in pkg["groups"]]
    if "resources" in pkg:
        record["resources"] = [_resource_record(r) for r in pkg["resources"] or []]
    if (pkg.get("maintainer") or pkg.get("maintainer_email")) and "contact_point" not in pkg:
        record["contact_point"] = {k: v for k, v in (("name", pkg.get("maintainer")),
                                                     ("email", pkg.get("maintainer_email"))) if v}
    if "extras" in pkg:
        record["extras"] = {e["key"]: e["value"] for e in pkg["extras"] or []}
    for key in [k for k in PLAIN if k in record and record[k] in ("", None)]:
        record.pop(key)
    return record
