"""The rule subject of a staged resource: Table Schema fields joined with the 信息项 tags."""

from __future__ import annotations

from catalog.materialize import Source, subject_for, time_field_of
from catalog.publication_demo import records, table_schema_for
from catalog.tabular.schema import load_table_schema


def _source(schema: dict, time_field: str | None = None) -> Source:
    return Source("res-1", "aa/bb/x", "0" * 64, 10, schema, time_field)


def test_schema_tags_and_element_tags_are_merged() -> None:
    record = {**records()["cq-pollution-online-changshou-release"],
              "data_elements": [{"name": "排污单位名称", "name_en": "enterprise_name", "type": "C",
                                 "tags": ["enterprise-confidential"]}]}
    record["resources"][0]["id"] = "res-1"
    subject = subject_for(record, _source(load_table_schema("pollution_source_emissions")))
    tags = {f.name: set(f.tags) for f in subject.fields}
    assert tags["contact_phone"] == {"enterprise-confidential", "personal"}
    assert tags["enterprise_name"] == {"enterprise-confidential"}
    assert subject.table_schema == "pollution_source_emissions" and subject.themes == ("pollution-source",)


def test_time_field_prefers_the_declared_one_then_datetime_then_date() -> None:
    air = load_table_schema("air_quality_hourly")
    assert time_field_of(_source(air)) == "time"
    assert time_field_of(_source(air, "observed_at")) == "observed_at"
    assert time_field_of(_source(table_schema_for("cq-drinking-water-health-release"))) == "sampled_on"
    assert time_field_of(_source({"fields": [{"name": "value", "type": "number"}]})) is None
