"""Datasets created as a batch: each record judged on its own, everything a single create writes
(history, change sequence, audit chain, record cache), identifiers unique within the batch too."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from catalog import accounts, audit, datasets
from catalog.authz import Actor
from catalog.errors import EcodataError, ValidationFailed
from catalog.models import Activity, CatalogChange, Dataset, Group, Resource
from catalog.models.publication import AuditEntry
from tests.conftest import air_record

SYSTEM = Actor(name="test", sysadmin=True)


@pytest.fixture
def org(catalog: Any) -> str:
    with catalog.write() as session:
        accounts.create_org(session, "cq-sthjj", "重庆市生态环境局")
    return "cq-sthjj"


def _record(n: int, **overrides: Any) -> dict[str, Any]:
    return air_record(name=f"cq-air-{n}", title=f"空气质量监测数据 {n}", **overrides)


def _count(session: Any, model: Any, **where: Any) -> int:
    query = sa.select(sa.func.count()).select_from(model)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    return session.scalar(query) or 0


def _code(outcome: str | EcodataError) -> str:
    assert isinstance(outcome, ValidationFailed)
    return outcome.problems[0].code


def test_each_record_stands_alone(catalog: Any, org: str) -> None:
    with catalog.write() as session:
        datasets.create(session, SYSTEM, _record(0))
    with catalog.write() as session:
        out = datasets.create_many(session, SYSTEM, [
            _record(1),
            _record(2, open_type="不存在的开放类型"),      # fails the profile
            _record(0),                                   # name already in the catalogue
            _record(3, organization="no-such-org"),       # unknown organization
            _record(1),                                   # name taken earlier in the batch
            _record(4, themes=["surface-water", "air"]),
        ])
    assert isinstance(out[0], str) and isinstance(out[5], str)
    assert [_code(o) for o in out[1:5]] == ["enum", "duplicate", "unknown_organization", "duplicate"]
    with catalog.read() as session:
        assert sorted(session.scalars(sa.select(Dataset.name))) == ["cq-air-0", "cq-air-1", "cq-air-4"]
        assert _count(session, Group, name="surface-water") == 1 and _count(session, Group, name="air") == 1
        for ds_id in (out[0], out[5]):
            assert _count(session, Activity, object_id=ds_id, activity_type="new package") == 1
            assert _count(session, CatalogChange, dataset_id=ds_id) == 1
            assert _count(session, AuditEntry, object_id=ds_id, action="dataset.new_package") == 1
        assert audit.check_chain(session) == []


def test_batch_writes_what_single_creates_write(catalog: Any, org: str) -> None:
    with catalog.write() as session:
        single = datasets.dataset_record(datasets.create(session, SYSTEM, _record(0)))
    with catalog.write() as session:
        ids = datasets.create_many(session, SYSTEM, [_record(n) for n in range(1, 4)],
                                   harvest=[None, ("src", "remote-2"), None])
    with catalog.read() as session:
        for ds_id in [single["id"], *ids]:
            ds = session.get(Dataset, ds_id)
            assert ds is not None and ds.cached_record is not None
            activity = session.scalar(sa.select(Activity).where(Activity.object_id == ds_id))
            assert activity is not None and activity.after == ds.cached_record
            stored = datasets.dataset_record(ds)
            for key in ("keywords", "themes"):  # read back in name order
                assert sorted(stored.pop(key)) == sorted(ds.cached_record[key])
            assert stored == {k: v for k, v in ds.cached_record.items() if k not in ("keywords", "themes")}
        batch = session.get(Dataset, ids[1])
        assert batch is not None and (batch.harvest_source_id, batch.harvest_remote_id) == ("src", "remote-2")
        shape = {k: v for k, v in datasets.dataset_record(batch).items()
                 if k not in ("id", "name", "title", "resource_code", "resources", "metadata_created",
                              "metadata_modified", "harvest")}
        assert shape == {k: v for k, v in single.items() if k in shape}
        assert set(shape) == set(single) - {"id", "name", "title", "resource_code", "resources",
                                            "metadata_created", "metadata_modified"}


def test_codes_and_resource_ids_are_unique_within_a_batch(catalog: Any, org: str) -> None:
    with catalog.write() as session:
        first = datasets.create(session, SYSTEM, _record(0))
        copied = [dict(r) for r in datasets.dataset_record(first)["resources"]]
    with catalog.write() as session:
        ids = datasets.create_many(session, SYSTEM, [
            _record(1), _record(2, resources=copied), _record(3, resources=copied)])
    with catalog.read() as session:
        codes = list(session.scalars(sa.select(Dataset.resource_code)))
        assert len(codes) == len(set(codes)) == 4
        resource_ids = list(session.scalars(sa.select(Resource.id)))
        assert len(resource_ids) == len(set(resource_ids)) == 4
        assert copied[0]["id"] in resource_ids  # the original keeps its resource
        assert all(isinstance(i, str) for i in ids)


def test_audit_chain_survives_flushes_and_a_rolled_back_savepoint(catalog: Any, org: str) -> None:
    with catalog.write() as session:
        datasets.create(session, SYSTEM, _record(0))
        session.flush()
        with pytest.raises(RuntimeError), session.begin_nested():
            datasets.create(session, SYSTEM, _record(1))
            raise RuntimeError("undo this dataset")
        datasets.create_many(session, SYSTEM, [_record(2), _record(3)])
        session.flush()
        datasets.create(session, SYSTEM, _record(4))
    with catalog.read() as session:
        seqs = list(session.scalars(sa.select(AuditEntry.seq).order_by(AuditEntry.seq)))
        assert seqs == list(range(1, 5))
        assert audit.check_chain(session) == []
