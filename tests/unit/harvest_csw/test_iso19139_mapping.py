"""ISO 19139 → profile record, field by field, against values read by hand from the corpus files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from catalog.profile import normalize_record, validate_record
from harvesters.base import MappedRecord, RawRecord, SourceConfig
from harvesters.csw import CswSourceType

CSW = CswSourceType()
SOURCE = SourceConfig(name="cq-geo-csw", type="csw", url="http://127.0.0.1/csw", org="cq-sthjj",
                      share_type="有条件共享", share_condition="仅限政务部门内部使用", update_cycle="每季度",
                      theme="general")


def mapped(path: Path, source: SourceConfig = SOURCE) -> MappedRecord:
    return CSW.to_record(RawRecord(path.name, path.read_bytes(), "application/xml", None, None), source)


def valid_for_catalogue(record: dict[str, Any]) -> list[Any]:
    return validate_record(normalize_record({**record, "organization": "cq-sthjj"}))


@pytest.fixture(scope="module")
def csw(corpora: Path) -> Path:
    return corpora / "csw"


def test_greek_aerial_photo_record(csw: Path) -> None:
    result = mapped(csw / "pycsw/iso19139-records/T_aerfo_RAS_1991_GR800P001800000012.xml")
    record, extras = result.record, result.record["extras"]
    assert result.problems == []
    assert record["title"] == "Aerial Photos" and record["description"] == "Aerial Photos"
    assert record["keywords"] == ["Orthoimagery"]  # GEMET - INSPIRE themes thesaurus
    assert record["themes"] == ["general"]  # geoscientificInformation has no theme: the source default
    assert record["classification_code"] == "216011"
    assert (record["share_type"], record["share_condition"], record["open_type"], record["update_cycle"]) == \
        ("有条件共享", "仅限政务部门内部使用", "无条件开放", "每季度")
    assert record["publish_date"] == "2009-10-09"  # citation date of type creation
    assert (record["temporal_start"], record["temporal_end"]) == ("2009-10-09", "2009-10-09")
    assert record["spatial"] == {"type": "Polygon", "coordinates": [[[20.0, 38.0], [24.0, 38.0], [24.0, 40.0],
                                                                     [20.0, 40.0], [20.0, 38.0]]]}
    assert "districts" not in record
    assert record["contact_point"] == {"name": "YPAAT", "email": "ypaat@ypaat.gr"}
    assert extras["harvest_publisher"] == "YPAAT" and extras["harvest_publisher_role"] == "owner"
    assert record["resources"] == [{"name": "www.ypaat.gr", "url": "http://www.ypaat.gr"}]
    assert record["language"] == ["en"]
    assert "license_id" not in record
    assert extras["harvest_use_limitation"] == "no conditions apply"
    assert extras["harvest_other_constraints"] == "no limitations"
    assert extras["harvest_access_constraints"] == "otherRestrictions"
    assert extras["harvest_hierarchy_level"] == "dataset"
    assert extras["harvest_file_identifier"] == "366f6257-19eb-4f20-ba78-0698ac4aae77"
    assert extras["harvest_lineage"] == "test"
    assert valid_for_catalogue(record) == []


def test_scottish_gemini_record(csw: Path) -> None:
    result = mapped(csw / "ckanext-spatial/gemini2.1__dataset1.xml")
    record, extras = result.record, result.record["extras"]
    assert result.problems == []
    assert record["title"] == "Country Parks (Scotland)"
    assert record["description"].startswith("Parks are set up by Local Authorities to provide open-air recreation")
    assert record["themes"] == ["ecology"]  # topic category environment
    assert "Nature conservation" in record["keywords"]
    assert record["contact_point"] == {"name": "Lachlan Renwick", "email": "data_supply@snh.gov.uk",
                                       "phone": "01463 725000"}
    assert extras["harvest_publisher"] == "Scottish Natural Heritage"
    assert record["publish_date"] == "2004-02-01"  # creation date "2004-02"
    assert extras["harvest_revised"] == "2006-07-03"
    assert extras["harvest_metadata_date"] == "2011-09-23"
    assert (record["temporal_start"], record["temporal_end"]) == ("1998-01-01", "2010-12-31")  # years 1998–2010
    ring = record["spatial"]["coordinates"][0]
    assert ring[0] == [-8.97114288, 54.529947158] and ring[2] == [0.205857204, 61.06066944]
    assert extras["harvest_formats"] == "ESRI Shapefile, KML, GML"
    resource = next(r for r in record["resources"] if r["name"] == "Test Resource Name")
    assert resource == {"name": "Test Resource Name", "url": "https://gateway.snh.gov.uk/pls/apex_ddtdb2/f?p=101",
                        "description": "Test Resource Description",  # CI_OnLineFunctionCode download:
                        "download_url": "https://gateway.snh.gov.uk/pls/apex_ddtdb2/f?p=101"}
    assert extras["harvest_other_constraints"] == "Copyright Scottish Natural Heritage"
    assert extras["harvest_use_limitation"] == "Reference and PSMA Only; http://www.test.gov.uk/licenseurl"
    assert valid_for_catalogue(record) == []


def test_latin1_record_and_service_record(csw: Path) -> None:
    latin = mapped(csw / "owslib/9250AA67-F3AC-6C12-0CB9-0662231AA181_iso.xml")
    assert latin.problems == []
    assert latin.record["extras"]["harvest_file_identifier"] == "3f342f64-9348-11df-ba6a-0014c2c00eab"
    service = mapped(csw / "pycsw/iso19139-records/3e9a8c05.xml")
    assert service.problems == []
    assert service.record["title"] == "test Title"
    assert service.record["extras"]["harvest_hierarchy_level"] == "service"


def test_every_readable_pycsw_iso_record_maps_to_a_valid_catalogue_record(csw: Path) -> None:
    paths = sorted((csw / "pycsw/iso19139-records").glob("*.xml"))
    assert len(paths) == 19
    for path in paths:
        result = mapped(path)
        assert result.problems == [], path.name
        assert valid_for_catalogue(result.record) == [], path.name


def test_theme_map_option_maps_keywords_and_topic_categories(csw: Path) -> None:
    source = SourceConfig(name="s", type="csw", url="http://127.0.0.1/csw",
                          options={"theme_map": {"Orthoimagery": "soil"}})
    record = mapped(csw / "pycsw/iso19139-records/T_aerfo_RAS_1991_GR800P001800000012.xml", source).record
    assert record["themes"] == ["soil"]
    assert record["classification_code"] == "216005"


@pytest.mark.parametrize(("name", "code"), [
    ("ckanext-spatial/gemini2.1__error_bad_xml.xml", "csw_bad_xml"),  # truncated on purpose
    ("datagov-harvester/iso_decode_error.xml", "csw_bad_xml"),  # undecodable bytes
    ("datagov-harvester/iso_to_be_filtered_by_datetime.xml", "csw_bad_xml"),
    ("ckanext-spatial/gemini2.1__validation__01_Dataset_Invalid_XSD_No_Such_Element.xml", "csw_missing_identifier"),
    ("ckanext-spatial/gemini2.1__validation__09_Service_Invalid_No_Such_Element.xml", "csw_missing_identifier"),
    ("ckanext-spatial/wms__capabilities.xml", "csw_unknown_record"),
    ("pycsw/iso19115-3-records/auscope-3d-model.xml", "csw_unknown_record"),  # ISO 19115-3, not 19139
])
def test_invalid_records_become_clear_problems(csw: Path, name: str, code: str) -> None:
    path = csw / name
    result = mapped(path)
    assert [p.code for p in result.problems] == [code]
    problem = result.problems[0]
    assert problem.location.record == path.name
    assert any("\u4e00" <= ch <= "\u9fff" for ch in problem.message)  # a Chinese message for the clerk
    assert problem.message_en


def test_schema_invalid_but_readable_record_still_maps(csw: Path) -> None:
    # ckanext-spatial rejects this one by XSD; it is well-formed and has what the catalogue needs.
    result = mapped(csw / "ckanext-spatial/gemini2.1__error_validation.xml")
    assert result.problems == []
    assert result.record["extras"]["harvest_file_identifier"] == "test-error-validation-1"


def test_keywords_given_as_gmx_anchors(csw: Path) -> None:
    result = mapped(csw / "owslib/iso_keywords_anchor.xml")
    assert result.problems == []
    assert {"Atmospheric pressure", "Air temperature", "Wind speed"} <= set(result.record["keywords"])
    assert (result.record["temporal_start"], result.record["temporal_end"]) == ("2009-06-14", "2009-06-22")
