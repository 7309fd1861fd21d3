"""HJ 212 monitoring points in the catalogue: registration (with the point's series dataset), the
receiver's password key, alert rows and who may see them."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import datasets
from .accounts import get_org, hash_password
from .authz import Actor, can_read, require_write
from .errors import Forbidden, ValidationFailed
from .models import Dataset, Organization
from .models.hj212 import ALERT_KINDS, POINT_KINDS, Alert, MonitoringPoint

BEIJING = timezone(timedelta(hours=8))
WATER_ST, AIR_ST = frozenset({"21", "32", "33", "34"}), frozenset({"22", "27", "31"})
SECRET_FILE = "hj212-point-secret.key"
_KIND_ZH = {"enterprise": "排放口", "station": "监测站"}


@dataclass(frozen=True)
class Factor:
    code: str
    name: str
    unit: str
    limit: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "unit": self.unit, "limit": self.limit}


@dataclass(frozen=True)
class PointSpec:
    """What a department registers for one logger."""

    mn: str
    org: str
    password: str
    name: str = ""
    st: str = "32"
    kind: str = "enterprise"
    district_code: str | None = None
    lon: float | None = None
    lat: float | None = None
    factors: tuple[Factor, ...] = ()
    interval_seconds: int = 60
    open_type: str = "无条件开放"
    share_type: str = "无条件共享"
    dataset: str | None = None  # link an existing dataset instead of creating one
    extras: dict[str, Any] = field(default_factory=dict)


def point_secret(home: Path) -> bytes:
    """The server secret keying the receiver's password check, created on first use."""
    path = Path(home) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def password_key(secret: bytes, mn: str, password: str) -> str:
    return hmac.new(secret, f"{mn}\0{password}".encode(), hashlib.sha256).hexdigest()


def theme_for(kind: str, st: str) -> tuple[str, str]:
    """Theme slug and table schema of a point's series dataset, chosen by kind and system type."""
    if kind == "enterprise":
        return "pollution-source", "pollution_source_emissions"
    if st in AIR_ST:
        return "air", "air_quality_hourly"
    if st in WATER_ST:
        return "surface-water", "pollution_source_emissions"
    return "pollution-source", "pollution_source_emissions"


def dataset_name(mn: str) -> str:
    return f"hj212-{mn.lower()}"


def point_record(spec: PointSpec, org: Organization) -> dict[str, Any]:
    """The profile record of a point's series dataset."""
    theme, schema = theme_for(spec.kind, spec.st)
    factors = "、".join(f"{f.name}（{f.unit}）" for f in spec.factors) or "按监测点配置的因子"
    title = f"{spec.name}在线监测数据"
    record: dict[str, Any] = {
        "name": dataset_name(spec.mn), "title": title, "organization": org.name,
        "description": (f"{spec.name}（{_KIND_ZH[spec.kind]}，数采仪 MN {spec.mn}）按 HJ 212-2017 实时上传的"
                        f"在线监测数据：{factors}。原始报文经哈希链存证，统计值只使用数据标记为 N 的数据。"),
        "share_type": spec.share_type, "open_type": spec.open_type, "update_cycle": "实时",
        "themes": [theme], "keywords": ["HJ 212", "在线监测", spec.name[:10]],
        "districts": [spec.district_code] if spec.district_code else ["500000"],
        "license_id": "cn-gov-open-1.0",
        "resources": [{"name": f"{spec.name}分钟数据", "format": "Parquet", "table_schema": schema,
                       "url": f"https://data.sthjj.cq.gov.cn/hj212/points/{spec.mn}"}],
        "extras": {"hj212_mn": spec.mn, "hj212_st": spec.st, "hj212_kind": spec.kind},
    }
    record.update(_conditions(spec))
    if spec.lon is not None and spec.lat is not None:
        record["spatial"] = {"type": "Point", "coordinates": [spec.lon, spec.lat]}
    return record


def _conditions(spec: PointSpec) -> dict[str, str]:
    """The reasons and conditions the profile requires for restricted open/share types."""
    out: dict[str, str] = {}
    if spec.open_type == "有条件开放":
        out["open_condition"] = "须提交用途说明并签订数据利用协议，仅限科研和环境管理用途。"
    elif spec.open_type == "不予开放":
        out["open_basis"] = "在线监测分钟数据反映企业生产工况或设备运行状态，依《政府信息公开条例》第十五条不予公开。"
    if spec.share_type == "有条件共享":
        out["share_condition"] = "仅向承担生态环境监管职责的部门共享。"
    elif spec.share_type == "不予共享":
        out["share_basis"] = "涉及国家秘密或商业秘密，依《政务数据共享条例》不予共享。"
    return out


def _check(spec: PointSpec) -> None:
    if spec.kind not in POINT_KINDS:
        raise ValidationFailed(f"监测点类型应为 enterprise 或 station：{spec.kind}", f"bad point kind {spec.kind}")
    if not (1 <= len(spec.mn) <= 24 and spec.mn.isalnum()):
        raise ValidationFailed(f"MN 应为 1–24 位字母数字：{spec.mn}", f"MN must be 1-24 letters or digits: {spec.mn}")
    if not spec.password or len(spec.password) > 24:
        raise ValidationFailed("数采仪密码（PW）应为 1–24 位", "PW must be 1-24 characters")


def _series_dataset(session: Session, actor: Actor, spec: PointSpec, org: Organization) -> Dataset:
    if spec.dataset:
        ds = datasets.get_dataset(session, spec.dataset)
        if ds.org_id != org.id:
            raise Forbidden("只能关联本部门的数据集", "the linked dataset belongs to another department")
        return ds
    existing = session.scalar(sa.select(Dataset).where(Dataset.name == dataset_name(spec.mn)))
    return existing if existing is not None else datasets.create(session, actor, point_record(spec, org))


def register_point(session: Session, actor: Actor, spec: PointSpec, secret: bytes) -> MonitoringPoint:
    """Add or replace a point; its series dataset is created (or linked) in the same transaction."""
    _check(spec)
    org = get_org(session, spec.org)
    require_write(actor, org.id, org.name)
    point = session.scalar(sa.select(MonitoringPoint).where(MonitoringPoint.mn == spec.mn))
    if point is not None and point.org_id != org.id:
        raise Forbidden(f"MN {spec.mn} 已由其他部门登记", f"MN {spec.mn} belongs to another department")
    point = point or MonitoringPoint(mn=spec.mn, org_id=org.id)
    ds = _series_dataset(session, actor, spec, org)
    point.kind, point.name, point.st = spec.kind, spec.name or spec.mn, spec.st
    point.password_hash = hash_password(spec.password)
    point.password_key = password_key(secret, spec.mn, spec.password)
    point.district_code, point.lon, point.lat = spec.district_code, spec.lon, spec.lat
    point.factors = [f.as_dict() for f in spec.factors]
    point.interval_seconds, point.dataset_id = spec.interval_seconds, ds.id
    point.extras, point.state = dict(spec.extras), "active"
    session.add(point)
    session.flush()
    return point


def active_points(session: Session) -> list[MonitoringPoint]:
    return list(session.scalars(sa.select(MonitoringPoint).where(MonitoringPoint.state == "active")))


def get_point(session: Session, mn: str) -> MonitoringPoint | None:
    return session.scalar(sa.select(MonitoringPoint).where(MonitoringPoint.mn == mn))


# -- alerts -----------------------------------------------------------------------------------------
def _when(text: Any) -> datetime | None:
    if not text:
        return None
    stamp = datetime.fromisoformat(str(text))
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=BEIJING)).astimezone(UTC)


def record_alerts(session: Session, payloads: list[dict[str, Any]]) -> int:
    """Store alert events (as the receiver's engine emits them); events of unknown MNs are skipped."""
    mns = {str(p["mn"]) for p in payloads}
    points = {p.mn: p for p in session.scalars(sa.select(MonitoringPoint).where(MonitoringPoint.mn.in_(mns)))}
    stored = 0
    for p in payloads:
        point = points.get(str(p["mn"]))
        kind = "flag" if p["kind"] == "abnormal_flag" else p["kind"]
        if point is None or kind not in ALERT_KINDS:
            continue
        session.add(Alert(point_id=point.id, org_id=point.org_id, mn=point.mn, factor=p.get("code"), kind=kind,
                          value=p.get("value"), limit=p.get("limit"), flag=p.get("flag"),
                          message=str(p.get("message", ""))[:500], frame_sha256=p.get("frame_sha256"),
                          data_time=_when(p.get("data_time")), raised_at=_when(p.get("raised_at")) or datetime.now(UTC)))
        stored += 1
    return stored


def may_see_alerts(actor: Actor, org_id: str) -> bool:
    return actor.sysadmin or actor.role_in(org_id) is not None


def list_alerts(session: Session, actor: Actor, *, point: str | None = None, kind: str | None = None,
                since: datetime | None = None, limit: int = 200) -> list[Alert]:
    """Alerts of the departments the actor belongs to (every department for a sysadmin), newest first."""
    query = sa.select(Alert).order_by(Alert.raised_at.desc(), Alert.id.desc()).limit(limit)
    if not actor.sysadmin:
        query = query.where(Alert.org_id.in_(list(actor.roles)))
    if point:
        query = query.where(Alert.mn == point)
    if kind:
        query = query.where(Alert.kind == kind)
    if since is not None:
        query = query.where(Alert.raised_at >= since)
    return list(session.scalars(query))


def visible_points(session: Session, actor: Actor) -> list[tuple[MonitoringPoint, bool]]:
    """Points the actor may see, each with whether the actor belongs to its department (sees all fields).

    Anyone else sees a point only when its series dataset is readable to them."""
    rows = session.scalars(sa.select(MonitoringPoint).order_by(MonitoringPoint.mn))
    out = []
    for point in rows:
        owner = may_see_alerts(actor, point.org_id)
        ds = session.get(Dataset, point.dataset_id) if point.dataset_id else None
        if owner or (ds is not None and ds.state == "active" and can_read(actor, ds)):
            out.append((point, owner))
    return out


def point_view(point: MonitoringPoint, owner: bool) -> dict[str, Any]:
    """JSON of a point; never the password, hashed or not."""
    view: dict[str, Any] = {"mn": point.mn, "name": point.name, "kind": point.kind, "st": point.st,
                            "organization": point.organization.name, "district_code": point.district_code,
                            "lon": point.lon, "lat": point.lat,
                            "factors": [{k: f.get(k) for k in ("code", "name", "unit")} for f in point.factors],
                            "dataset_id": point.dataset_id}
    if owner:
        view.update(factors=list(point.factors), interval_seconds=point.interval_seconds, state=point.state,
                    extras=dict(point.extras))
    return view
