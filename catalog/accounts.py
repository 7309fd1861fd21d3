"""Departments, users, memberships and API tokens: creation and authentication."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy.orm import Session

from .errors import Conflict, NotFound, Unauthorized, ValidationFailed
from .models import ROLES, ApiToken, Membership, Organization, User, utcnow

_hasher = PasswordHasher()
TOKEN_PREFIX = "eco"
# A token's last use is recorded to the minute: writing it on every request would turn every API
# read into a write transaction (on SQLite, a database-wide write lock and a sync).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def get_org(session: Session, name_or_id: str) -> Organization:
    org = session.scalar(sa.select(Organization).where(
        sa.or_(Organization.name == name_or_id, Organization.id == name_or_id,
               Organization.code == name_or_id)))
    if org is None:
        raise NotFound(f"部门不存在：{name_or_id}", f"Organization not found: {name_or_id}")
    return org


def create_org(session: Session, name: str, title: str, *, title_en: str | None = None,
               code: str | None = None, parent: str | None = None, description: str | None = None) -> Organization:
    if session.scalar(sa.select(Organization.id).where(Organization.name == name)):
        raise Conflict(f"部门代码已存在：{name}", f"Organization already exists: {name}")
    org = Organization(name=name, title=title, title_en=title_en, code=code, description=description,
                       parent_id=get_org(session, parent).id if parent else None)
    session.add(org)
    session.flush()
    return org


def get_user(session: Session, name_or_id: str) -> User:
    user = session.scalar(sa.select(User).where(sa.or_(User.name == name_or_id, User.id == name_or_id)))
    if user is None:
        raise NotFound(f"用户不存在：{name_or_id}", f"User not found: {name_or_id}")
    return user


def create_user(session: Session, name: str, password: str | None, *, fullname: str | None = None,
                email: str | None = None, sysadmin: bool = False, platform_reviewer: bool = False) -> User:
    if session.scalar(sa.select(User.id).where(User.name == name)):
        raise Conflict(f"用户名已存在：{name}", f"User already exists: {name}")
    user = User(name=name, fullname=fullname, email=email, sysadmin=sysadmin,
                platform_reviewer=platform_reviewer,
                password_hash=hash_password(password) if password else None)
    session.add(user)
    session.flush()
    return user


def set_membership(session: Session, user: User, org: Organization, role: str) -> Membership:
    if role not in ROLES:
        raise ValidationFailed(f"角色无效：{role}（可选 {', '.join(ROLES)}）", f"Invalid role: {role}")
    member = session.get(Membership, (user.id, org.id))
    if member is None:
        member = Membership(user_id=user.id, org_id=org.id, role=role)
        session.add(member)
    else:
        member.role = role
    session.flush()
    return member


@dataclass(frozen=True)
class IssuedToken:
    token: str
    record: ApiToken


def _secret_hash(secret: str) -> str:
    # Secrets are 256-bit random, so a fast hash is enough; a slow KDF would tax every request.
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(session: Session, user: User, name: str, *, expires_in: timedelta | None = None,
                 scope: dict | None = None) -> IssuedToken:
    secret = secrets.token_urlsafe(32)
    record = ApiToken(user_id=user.id, name=name, secret_hash=_secret_hash(secret), scope=scope or {},
                      expires_at=utcnow() + expires_in if expires_in else None)
    session.add(record)
    session.flush()
    return IssuedToken(f"{TOKEN_PREFIX}_{record.id.replace('-', '')}_{secret}", record)


def revoke_token(session: Session, token_id: str, *, by: User | None = None) -> ApiToken:
    record = session.get(ApiToken, token_id) or _token_by_hex(session, token_id)
    if record is None or (by is not None and not by.sysadmin and record.user_id != by.id):
        raise NotFound(f"令牌不存在：{token_id}", f"Token not found: {token_id}")
    record.revoked_at = record.revoked_at or utcnow()
    session.flush()
    return record


def _token_by_hex(session: Session, hex_id: str) -> ApiToken | None:
    if len(hex_id) != 32:
        return None
    dashed = f"{hex_id[:8]}-{hex_id[8:12]}-{hex_id[12:16]}-{hex_id[16:20]}-{hex_id[20:]}"
    return session.get(ApiToken, dashed)


def authenticate_token(session: Session, token: str, *, now: datetime | None = None) -> tuple[User, ApiToken]:
    """Return the token's user, or raise Unauthorized with the reason."""
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        raise Unauthorized("API 令牌格式不正确", "Malformed API token")
    record = _token_by_hex(session, parts[1])
    if record is None or not hmac.compare_digest(record.secret_hash, _secret_hash(parts[2])):
        raise Unauthorized("API 令牌无效", "Invalid API token")
    now = now or utcnow()
    if record.revoked_at is not None:
        raise Unauthorized("API 令牌已被撤销", "API token has been revoked")
    if record.expires_at is not None and record.expires_at <= now:
        raise Unauthorized("API 令牌已过期", "API token has expired")
    user = session.get(User, record.user_id)
    if user is None or user.state != "active":
        raise Unauthorized("令牌所属用户已停用", "The token's user is not active")
    if record.last_used is None or _naive(now) - _naive(record.last_used) >= LAST_USED_RESOLUTION:
        record.last_used = now
    return user, record


def _naive(value: datetime) -> datetime:
    """UTC without tzinfo: PostgreSQL returns aware datetimes, SQLite naive ones."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
