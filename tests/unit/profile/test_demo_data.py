"""The demo catalogue is valid, varied and realistic; the bulk generator is valid and unique."""

from __future__ import annotations

from collections import Counter

import pytest

import schemas
from catalog.demo_data import demo_datasets, demo_departments, generate_datasets
from catalog.profile import validate_record, validator

DATASETS = demo_datasets()


@pytest.mark.parametrize("record", DATASETS, ids=[d["name"] for d in DATASETS])
def test_every_demo_record_validates(record: dict) -> None:
    assert validate_record(record, organizations={d["name"] for d in demo_departments()}) == []
    assert list(validator().iter_errors(record)) == []  # the detailed pass agrees with the fast path


def test_demo_catalogue_covers_themes_districts_and_departments() -> None:
    assert len(DATASETS) >= 80
    assert {t for d in DATASETS for t in d["themes"]} == schemas.vocab_ids("themes")
    assert len({c for d in DATASETS for c in d["districts"]} - {"500000"}) >= 20
    assert len({d["organization"] for d in DATASETS}) >= 12
    assert len(demo_departments()) >= 12


def test_names_titles_and_codes_are_unique() -> None:
    for key in ("name", "title", "resource_code"):
        assert len({d[key] for d in DATASETS}) == len(DATASETS), key


def test_open_and_share_types_are_mixed_mostly_open() -> None:
    opens = Counter(d["open_type"] for d in DATASETS)
    shares = Counter(d["share_type"] for d in DATASETS)
    assert opens["无条件开放"] > len(DATASETS) / 2
    assert opens["有条件开放"] >= 3 and opens["不予开放"] >= 1
    assert shares["有条件共享"] >= 1 and shares["不予共享"] >= 1


def test_realistic_titles_keywords_and_stations() -> None:
    titles = {d["title"] for d in DATASETS}
    for expected in ("重庆市空气质量自动监测站小时数据", "长江干流重庆段地表水水质月报", "重点排污单位污染源在线监测日均值",
                     "重庆市辐射环境自动监测站空气吸收剂量率", "缙云山国家级自然保护区生态状况"):
        assert expected in titles
    assert any(t.startswith("嘉陵江") for t in titles) and any(t.startswith("乌江") for t in titles)
    keywords = {k for d in DATASETS for k in d["keywords"]}
    assert {"PM2.5", "PM10", "O3", "SO2", "NO2", "CO", "COD", "氨氮", "总磷"} <= keywords
    station_titles = " ".join(titles)
    for station in schemas.load_vocab("stations"):
        assert f"{station['zh']}国控空气质量监测站（{station['id']}）" in station_titles
    assert sum(1 for d in DATASETS if "title_en" in d) >= 20


def test_data_elements_carry_units_and_sensitivity_tags() -> None:
    elements = [e for d in DATASETS for e in d["data_elements"]]
    assert {"μg/m³", "mg/L", "mg/kg", "dB(A)", "nGy/h"} <= {e.get("unit") for e in elements}
    assert {"precise-location", "personal", "enterprise-confidential"} <= {t for e in elements for t in e.get("tags", [])}


def test_table_schemas_referenced_by_demo_resources_exist() -> None:
    names = {r["table_schema"] for d in DATASETS for r in d.get("resources", []) if "table_schema" in r}
    assert names
    for name in names:
        assert schemas.schema_path("tables", f"{name}.json").is_file(), name


def test_demo_data_is_deterministic_and_copies() -> None:
    first = demo_datasets()
    first[0]["title"] = "已修改"
    assert demo_datasets() == DATASETS


def test_generated_records_are_valid_unique_and_varied() -> None:
    records = list(generate_datasets(3000, seed=11))
    assert len({r["name"] for r in records}) == 3000
    assert len({r["resource_code"] for r in records}) == 3000
    assert all(validate_record(r) == [] for r in records)
    assert {t for r in records for t in r["themes"]} == schemas.vocab_ids("themes")
    assert len({r["districts"][0] for r in records}) == 38
    for record in records[:200]:
        district = schemas.vocab_index("districts")[record["districts"][0]]["zh"]
        assert record["title"].startswith(district) and district in record["keywords"]


def test_generation_is_deterministic_per_seed() -> None:
    assert list(generate_datasets(50, seed=3)) == list(generate_datasets(50, seed=3))
    names_3 = {r["name"] for r in generate_datasets(50, seed=3)}
    names_4 = {r["name"] for r in generate_datasets(50, seed=4)}
    assert not names_3 & names_4


def test_generated_records_do_not_share_mutable_parts_with_the_demo() -> None:
    record = next(iter(generate_datasets(1, seed=5)))
    record["data_elements"][0]["name"] = "已修改"
    record["keywords"].append("已修改")
    for key in ("themes", "language"):
        record[key].append("已修改")
    for key in ("resource_format", "contact_point", "extras", "share_method"):
        record[key]["changed"] = True
    record["spatial"]["coordinates"][0][0][0] = 0.0
    record["resources"][0]["name"] = "已修改"
    assert next(iter(generate_datasets(1, seed=5))) == next(iter(generate_datasets(1, seed=5))) != record
    assert demo_datasets() == DATASETS
