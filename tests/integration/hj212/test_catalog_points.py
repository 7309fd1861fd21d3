"""Monitoring points in the catalogue: registration with the series dataset, the receiver's cached
registry and password key, alerts stored from the engine, the REST API and the web pages."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from catalog import hj212_points
from catalog.errors import Forbidden
from catalog.hj212_points import Factor, PointSpec
from catalog.models import Dataset
from catalog.models.hj212 import Alert, MonitoringPoint
from catalog.service import Catalog
from harvesters.hj212.alerts import AlertEngine
from harvesters.hj212.catalog_registry import CatalogAlertSink, CatalogPointRegistry
from harvesters.hj212.framing import Frame, StreamFramer, build_frame
from harvesters.hj212.message import parse_message
from harvesters.hj212.receiver import Receiver, ReceiverConfig
from harvesters.hj212.records import message_records
from harvesters.hj212.stage import SYSTEM

MN = "C0E1B0021200000000000031"
WATER = PointSpec(
    mn=MN, org="cq-sthjj", password="Cq#212pw", name="重庆某化工有限公司废水排放口", st="32",
    kind="enterprise", district_code="500115", lon=107.0821, lat=29.8342, interval_seconds=60,
    factors=(Factor("w01018", "化学需氧量", "mg/L", 50.0), Factor("w21003", "氨氮", "mg/L", 5.0)),
    extras={"enterprise_name": "重庆某化工有限公司", "outlet_code": "DW001"})
STATION = PointSpec(mn="C0E1B0021200000000000032", org="cq-sthjj", password="zhan2026", name="江北区观音桥空气自动站",
                    st="22", kind="station", district_code="500105", open_type="不予开放", share_type="无条件共享",
                    factors=(Factor("a34004", "细颗粒物", "μg/m³", 75.0),), extras={"station_code": "5011A"})


def _register(catalog: Catalog, *specs: PointSpec) -> None:
    secret = hj212_points.point_secret(catalog.config.home)
    with catalog.write() as session:
        for spec in specs:
            hj212_points.register_point(session, SYSTEM, spec, secret)


def test_register_creates_series_dataset_and_keeps_no_plain_password(catalog: Catalog, people: Any) -> None:
    _register(catalog, WATER, STATION)
    with catalog.read() as session:
        point = session.scalar(sa.select(MonitoringPoint).where(MonitoringPoint.mn == MN))
        assert point is not None and point.password_hash.startswith("$argon2")
        assert "Cq#212pw" not in (point.password_hash + point.password_key)
        ds = session.get(Dataset, point.dataset_id)
        assert ds is not None and ds.title == "重庆某化工有限公司废水排放口在线监测数据"
        assert [g.name for g in ds.groups] == ["pollution-source"]
        assert ds.resources[0].meta.get("table_schema") == "pollution_source_emissions" or \
            "pollution_source_emissions" in str(ds.resources[0].meta)
        station = hj212_points.get_point(session, STATION.mn)
        assert station is not None
        assert [g.name for g in session.get(Dataset, station.dataset_id).groups] == ["air"]  # type: ignore[union-attr]


def test_other_department_cannot_register_or_take_over(catalog: Catalog, people: Any) -> None:
    _register(catalog, WATER)
    water_editor = _actor(catalog, "water-editor")
    secret = hj212_points.point_secret(catalog.config.home)
    with pytest.raises(Forbidden), catalog.write() as session:
        hj212_points.register_point(session, water_editor, WATER, secret)


def _actor(catalog: Catalog, name: str) -> Any:
    from catalog.accounts import get_user
    from catalog.authz import actor_for
    with catalog.read() as session:
        return actor_for(session, get_user(session, name))


def _upload(mn: str, pw: str, qn: str, cp: str) -> bytes:
    return build_frame(f"QN={qn};ST=32;CN=2011;PW={pw};MN={mn};Flag=5;CP=&&{cp}&&")


async def _exchange(host: str, port: int, data: bytes) -> list[str]:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(data)
    await writer.drain()
    framer, cns = StreamFramer(), []
    try:
        while chunk := await asyncio.wait_for(reader.read(4096), 1.0):
            cns += [parse_message(e.segment).cn + str(parse_message(e.segment).fields.get("QnRtn", ""))
                    for e in framer.feed(chunk) if isinstance(e, Frame)]
    except TimeoutError:
        pass
    writer.close()
    return cns


def test_receiver_with_catalogue_points_checks_password_and_stores_alerts(catalog: Catalog, people: Any,
                                                                          tmp_path: Path) -> None:
    _register(catalog, WATER)
    registry = CatalogPointRegistry(catalog)
    cp = "DataTime=20260115100000;w01018-Rtd=62.5,w01018-Flag=N;w21003-Rtd=1.2,w21003-Flag=M"
    good = b"".join(_upload(MN, "Cq#212pw", f"2026011510000000{i}", cp) for i in range(3))

    async def run() -> tuple[list[str], list[str]]:
        sink = CatalogAlertSink(catalog, batch_seconds=0.1)
        receiver = Receiver(tmp_path, registry, ReceiverConfig(port=0), alert_sinks=[sink])
        host, port = await receiver.start()
        answers = await _exchange(host, port, good)
        refused = await _exchange(host, port, _upload(MN, "wrong-pw", "20260115100000009", cp))
        await receiver.close()
        return answers, refused

    answers, refused = asyncio.run(run())
    assert answers == ["9014"] * 3 and refused == ["90113"]
    with catalog.read() as session:
        alerts = session.scalars(sa.select(Alert).order_by(Alert.id)).all()
        assert [(a.kind, a.factor) for a in alerts] == [("over_limit", "w01018"), ("flag", "w21003")] * 3
        assert alerts[0].value == 62.5 and alerts[0].limit == 50.0
        assert alerts[0].data_time == datetime(2026, 1, 15, 2, 0, tzinfo=UTC)  # 10:00 Beijing


def test_registry_refresh_sees_new_points_and_keeps_unchanged_objects(catalog: Catalog, people: Any) -> None:
    _register(catalog, WATER)
    registry = CatalogPointRegistry(catalog, refresh_seconds=0.05)
    first = registry.lookup(MN)
    assert first is not None and registry.verify(first, "Cq#212pw") and not registry.verify(first, "x")
    assert first.limits == {"w01018": 50.0, "w21003": 5.0} and first.interval == 60.0
    _register(catalog, STATION)
    registry.refresh()
    assert registry.lookup(STATION.mn) is not None
    assert registry.lookup(MN) is first


def _raise(catalog: Catalog, tmp_path: Path) -> None:
    sink = CatalogAlertSink(catalog, batch_seconds=0.05)
    engine = AlertEngine(tmp_path, sinks=[sink])
    point = CatalogPointRegistry(catalog).lookup(MN)
    assert point is not None
    segment = (f"QN=20260115100000001;ST=32;CN=2011;PW=x;MN={MN};Flag=5;CP=&&DataTime=20260115100000;"
               "w01018-Rtd=71,w01018-Flag=N&&")
    engine.check_records(point, message_records(parse_message(segment), "c" * 64))
    engine.seen(point, 0.0)
    engine.check_silence(1000.0)
    engine.close()


def test_alert_api_for_owning_department_only(catalog: Catalog, people: Any, client: Any, tmp_path: Path) -> None:
    _register(catalog, WATER)
    _raise(catalog, tmp_path)
    mine = client.get("/api/v1/hj212/alerts", headers=people.auth("member"))
    assert mine.status_code == 200
    assert sorted(a["kind"] for a in mine.json) == ["over_limit", "silent"]
    assert mine.json[0]["point_name"] == "重庆某化工有限公司废水排放口"
    only = client.get("/api/v1/hj212/alerts?kind=over_limit", headers=people.auth("member")).json
    assert [(a["factor"], a["value"], a["limit"]) for a in only] == [("w01018", 71.0, 50.0)]
    assert client.get("/api/v1/hj212/alerts", headers=people.auth("water-editor")).json == []
    assert client.get("/api/v1/hj212/alerts", headers=people.auth("citizen")).json == []
    anonymous = client.get("/api/v1/hj212/alerts")
    assert anonymous.status_code == 401 and anonymous.json["error"]["status"] == 401
    bad = client.get("/api/v1/hj212/alerts?kind=bogus", headers=people.auth("member"))
    assert bad.status_code == 422 and bad.json["error"]["problems"]


def test_points_api_owner_sees_all_public_sees_open_points_never_passwords(catalog: Catalog, people: Any,
                                                                          client: Any) -> None:
    _register(catalog, WATER, STATION)
    owner = client.get("/api/v1/hj212/points", headers=people.auth("member")).json
    assert {p["mn"] for p in owner} == {MN, STATION.mn}
    assert owner[0]["interval_seconds"] == 60 and owner[0]["factors"][0]["limit"] == 50.0
    public = client.get("/api/v1/hj212/points").json
    assert [p["mn"] for p in public] == [MN]  # the station's dataset is 不予开放
    assert "interval_seconds" not in public[0] and "limit" not in public[0]["factors"][0]
    for body in (client.get("/api/v1/hj212/points", headers=people.auth("root")).get_data(as_text=True),
                 client.get("/api/v1/hj212/points").get_data(as_text=True)):
        assert "password" not in body and "argon2" not in body and "Cq#212pw" not in body


def test_web_pages_list_points_and_alerts(catalog: Catalog, people: Any, client: Any, tmp_path: Path) -> None:
    _register(catalog, WATER)
    _raise(catalog, tmp_path)
    page = client.get("/hj212/points").get_data(as_text=True)
    assert "重庆某化工有限公司废水排放口" in page and "化学需氧量（mg/L）" in page
    assert client.get("/hj212/alerts").status_code == 302  # sign in first
    alerts = client.get("/hj212/alerts", headers=people.auth("member")).get_data(as_text=True)
    assert "超限值" in alerts and "超时未上报" in alerts and "2026-01-15 10:00" in alerts
