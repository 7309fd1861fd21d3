"""Who may see and change what.  Pure functions over an :class:`Actor`.

Visibility is expressed as *reader principals* stored on each search document, so the
index filters inside the query and facet counts never include what the caller may not see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from .errors import Forbidden
from .models import Dataset, User
from .visibility import released_only

WRITE_ROLES = frozenset({"admin", "editor"})
PUBLIC = "public"
GOVERNMENT = "gov"


@dataclass(frozen=True)
class Actor:
    user_id: str | None = None
    name: str | None = None
    sysadmin: bool = False
    platform_reviewer: bool = False
    roles: dict[str, str] = field(default_factory=dict)  # org id -> role
    scope: dict[str, Any] = field(default_factory=dict)  # narrowed token scope, if any

    @property
    def anonymous(self) -> bool:
        return self.user_id is None and not self.sysadmin

    @property
    def government(self) -> bool:
        return bool(self.roles) or self.sysadmin or self.platform_reviewer

    def role_in(self, org_id: str) -> str | None:
        return self.roles.get(org_id)


ANONYMOUS = Actor()


def actor_for(session: Session, user: User | None, scope: dict[str, Any] | None = None) -> Actor:
    if user is None:
        return ANONYMOUS
    roles = {m.org_id: m.role for m in user.memberships}
    return Actor(user_id=user.id, name=user.name, sysadmin=user.sysadmin,
                 platform_reviewer=user.platform_reviewer, roles=roles, scope=scope or {})


def principals(actor: Actor) -> frozenset[str] | None:
    """The reader principals an actor holds; ``None`` means unrestricted (sysadmin)."""
    if actor.sysadmin:
        return None
    held = {PUBLIC}
    if actor.user_id:
        held.add(f"user:{actor.user_id}")
    if actor.government:
        held.add(GOVERNMENT)
    held.update(f"org:{org_id}" for org_id in actor.roles)
    return frozenset(held)


@released_only
def readers(dataset: Dataset) -> list[str]:
    """Who may see a dataset's metadata, from its state, privacy and open/share attributes."""
    return readers_for(dataset.org_id, dataset.state, dataset.private, dataset.open_type, dataset.share_type)


def readers_for(org_id: str, state: str, private: bool, open_type: str, share_type: str) -> list[str]:
    owner = f"org:{org_id}"
    if state != "active" or private:
        return [owner]
    if open_type in ("无条件开放", "有条件开放"):
        return [PUBLIC]
    if share_type in ("无条件共享", "有条件共享"):
        return [GOVERNMENT, owner]
    return [owner]


def can_read(actor: Actor, dataset: Dataset) -> bool:
    held = principals(actor)
    return held is None or bool(held.intersection(readers(dataset)))


def can_write_in(actor: Actor, org_id: str) -> bool:
    return actor.sysadmin or actor.role_in(org_id) in WRITE_ROLES


def require_write(actor: Actor, org_id: str, org_name: str = "") -> None:
    if actor.anonymous:
        raise Forbidden("需要登录或提供 API 令牌", "Authentication required: send an API token")
    if not can_write_in(actor, org_id):
        raise Forbidden(f"您在部门 {org_name or org_id} 没有编辑权限（需要管理员或编辑角色）",
                        f"You need the admin or editor role in organization {org_name or org_id}")


def require_sysadmin(actor: Actor) -> None:
    if not actor.sysadmin:
        raise Forbidden("仅系统管理员可执行此操作", "Only a sysadmin may do this")
