"""A Chongqing ISO 19139 record (licence, districts, formats) and CITE Dublin Core records, mapped."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.profile import normalize_record, validate_record
from harvesters.base import MappedRecord, RawRecord, SourceConfig
from harvesters.csw import CswSourceType
from harvesters.registry import get_source_type

CSW = CswSourceType()
SOURCE = SourceConfig(name="cq-slj-csw", type="csw", url="http://127.0.0.1/csw", org="cq-slj", theme="general")


def chongqing_record(west: float, south: float, east: float, north: float, licence: str = "CC BY 4.0") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco"
    xmlns:gml="http://www.opengis.net/gml/3.2">
  <gmd:fileIdentifier><gco:CharacterString>cq-slj-cjgl-szzd-2024</gco:CharacterString></gmd:fileIdentifier>
  <gmd:language><gmd:LanguageCode codeListValue="chi">chi</gmd:LanguageCode></gmd:language>
  <gmd:hierarchyLevel><gmd:MD_ScopeCode codeListValue="series">series</gmd:MD_ScopeCode></gmd:hierarchyLevel>
  <gmd:contact><gmd:CI_ResponsibleParty>
    <gmd:organisationName><gco:CharacterString>重庆市水文监测总站</gco:CharacterString></gmd:organisationName>
    <gmd:role><gmd:CI_RoleCode codeListValue="pointOfContact">pointOfContact</gmd:CI_RoleCode></gmd:role>
  </gmd:CI_ResponsibleParty></gmd:contact>
  <gmd:dateStamp><gco:DateTime>2024-07-01T09:30:00+08:00</gco:DateTime></gmd:dateStamp>
  <gmd:identificationInfo><gmd:MD_DataIdentification>
    <gmd:citation><gmd:CI_Citation>
      <gmd:title><gco:CharacterString>长江干流重庆段水质自动监测站逐时数据</gco:CharacterString></gmd:title>
      <gmd:date><gmd:CI_Date><gmd:date><gco:Date>2024-03-15</gco:Date></gmd:date>
        <gmd:dateType><gmd:CI_DateTypeCode codeListValue="publication">publication</gmd:CI_DateTypeCode></gmd:dateType>
      </gmd:CI_Date></gmd:date>
    </gmd:CI_Citation></gmd:citation>
    <gmd:abstract><gco:CharacterString>寸滩、朱沱等长江干流国控水质自动站逐时水温、pH、溶解氧、高锰酸盐指数、氨氮、总磷监测值。</gco:CharacterString></gmd:abstract>
    <gmd:pointOfContact><gmd:CI_ResponsibleParty>
      <gmd:individualName><gco:CharacterString>李文静</gco:CharacterString></gmd:individualName>
      <gmd:organisationName><gco:CharacterString>重庆市水利局</gco:CharacterString></gmd:organisationName>
      <gmd:contactInfo><gmd:CI_Contact>
        <gmd:phone><gmd:CI_Telephone><gmd:voice><gco:CharacterString>023-89183456</gco:CharacterString></gmd:voice></gmd:CI_Telephone></gmd:phone>
        <gmd:address><gmd:CI_Address><gmd:electronicMailAddress><gco:CharacterString>swzz@slj.cq.gov.cn</gco:CharacterString></gmd:electronicMailAddress></gmd:CI_Address></gmd:address>
      </gmd:CI_Contact></gmd:contactInfo>
      <gmd:role><gmd:CI_RoleCode codeListValue="publisher">publisher</gmd:CI_RoleCode></gmd:role>
    </gmd:CI_ResponsibleParty></gmd:pointOfContact>
    <gmd:descriptiveKeywords><gmd:MD_Keywords>
      <gmd:keyword><gco:CharacterString>水质</gco:CharacterString></gmd:keyword>
      <gmd:keyword><gco:CharacterString>长江</gco:CharacterString></gmd:keyword>
    </gmd:MD_Keywords></gmd:descriptiveKeywords>
    <gmd:descriptiveKeywords><gmd:MD_Keywords>
      <gmd:keyword><gco:CharacterString>地表水环境质量</gco:CharacterString></gmd:keyword>
      <gmd:thesaurusName><gmd:CI_Citation><gmd:title><gco:CharacterString>生态环境主题词表</gco:CharacterString></gmd:title></gmd:CI_Citation></gmd:thesaurusName>
    </gmd:MD_Keywords></gmd:descriptiveKeywords>
    <gmd:resourceConstraints><gmd:MD_LegalConstraints>
      <gmd:useLimitation><gco:CharacterString>{licence}</gco:CharacterString></gmd:useLimitation>
    </gmd:MD_LegalConstraints></gmd:resourceConstraints>
    <gmd:language><gmd:LanguageCode codeListValue="chi">chi</gmd:LanguageCode></gmd:language>
    <gmd:topicCategory><gmd:MD_TopicCategoryCode>inlandWaters</gmd:MD_TopicCategoryCode></gmd:topicCategory>
    <gmd:extent><gmd:EX_Extent>
      <gmd:geographicElement><gmd:EX_GeographicBoundingBox>
        <gmd:westBoundLongitude><gco:Decimal>{west}</gco:Decimal></gmd:westBoundLongitude>
        <gmd:eastBoundLongitude><gco:Decimal>{east}</gco:Decimal></gmd:eastBoundLongitude>
        <gmd:southBoundLatitude><gco:Decimal>{south}</gco:Decimal></gmd:southBoundLatitude>
        <gmd:northBoundLatitude><gco:Decimal>{north}</gco:Decimal></gmd:northBoundLatitude>
      </gmd:EX_GeographicBoundingBox></gmd:geographicElement>
      <gmd:temporalElement><gmd:EX_TemporalExtent><gmd:extent>
        <gml:TimePeriod gml:id="t1"><gml:beginPosition>2023-01-01</gml:beginPosition>
          <gml:endPosition>2023-12-31T23:00:00+08:00</gml:endPosition></gml:TimePeriod>
      </gmd:extent></gmd:EX_TemporalExtent></gmd:temporalElement>
    </gmd:EX_Extent></gmd:extent>
  </gmd:MD_DataIdentification></gmd:identificationInfo>
  <gmd:distributionInfo><gmd:MD_Distribution><gmd:transferOptions><gmd:MD_DigitalTransferOptions>
    <gmd:onLine><gmd:CI_OnlineResource>
      <gmd:linkage><gmd:URL>https://data.slj.cq.gov.cn/files/cjgl-szzd-2023.csv</gmd:URL></gmd:linkage>
      <gmd:protocol><gco:CharacterString>WWW:DOWNLOAD-1.0-http--download</gco:CharacterString></gmd:protocol>
      <gmd:name><gco:CharacterString>2023 年逐时监测数据</gco:CharacterString></gmd:name>
    </gmd:CI_OnlineResource></gmd:onLine>
    <gmd:onLine><gmd:CI_OnlineResource>
      <gmd:linkage><gmd:URL>https://map.slj.cq.gov.cn/geoserver/ows</gmd:URL></gmd:linkage>
      <gmd:protocol><gco:CharacterString>OGC:WMS-1.3.0-http-get-map</gco:CharacterString></gmd:protocol>
      <gmd:name><gco:CharacterString>监测站点分布图</gco:CharacterString></gmd:name>
      <gmd:description><gco:CharacterString>水质自动站点位 WMS 图层</gco:CharacterString></gmd:description>
    </gmd:CI_OnlineResource></gmd:onLine>
  </gmd:MD_DigitalTransferOptions></gmd:transferOptions></gmd:MD_Distribution></gmd:distributionInfo>
</gmd:MD_Metadata>""".encode()


def mapped(content: bytes, remote_id: str = "cq-slj-cjgl-szzd-2024") -> MappedRecord:
    return CSW.to_record(RawRecord(remote_id, content, "application/xml", None, None), SOURCE)


def test_chongqing_record_field_by_field() -> None:
    # Yuzhong peninsula and its river banks: 渝中区 (106.57, 29.55) and 南岸区 (106.56, 29.52) centroids inside.
    result = mapped(chongqing_record(106.50, 29.51, 106.60, 29.58))
    record = result.record
    assert result.problems == []
    assert record["title"] == "长江干流重庆段水质自动监测站逐时数据"
    assert record["description"].startswith("寸滩、朱沱等长江干流国控水质自动站")
    assert "name" not in record  # a Chinese title gives no slug; the runner names the dataset
    assert record["keywords"] == ["水质", "长江", "地表水环境质量"]  # every thesaurus
    assert record["themes"] == ["surface-water"] and record["classification_code"] == "216002"
    assert record["license_id"] == "cc-by-4.0"
    assert record["language"] == ["zh"]
    assert record["publish_date"] == "2024-03-15"
    assert (record["temporal_start"], record["temporal_end"]) == ("2023-01-01", "2023-12-31")
    assert record["districts"] == ["500103", "500108"]
    assert record["contact_point"] == {"name": "李文静", "email": "swzz@slj.cq.gov.cn", "phone": "023-89183456"}
    assert record["extras"]["harvest_publisher"] == "重庆市水利局"
    assert record["extras"]["harvest_publisher_role"] == "publisher"
    assert record["extras"]["harvest_hierarchy_level"] == "series"
    assert record["resources"] == [
        {"name": "2023 年逐时监测数据", "url": "https://data.slj.cq.gov.cn/files/cjgl-szzd-2023.csv", "format": "CSV",
         "download_url": "https://data.slj.cq.gov.cn/files/cjgl-szzd-2023.csv"},
        {"name": "监测站点分布图", "url": "https://map.slj.cq.gov.cn/geoserver/ows", "format": "WMS",
         "description": "水质自动站点位 WMS 图层"},
    ]
    assert validate_record(normalize_record({**record, "organization": "cq-slj", "name": "cq-slj-cjgl"})) == []


def test_districts_only_guessed_inside_chongqing() -> None:
    assert mapped(chongqing_record(105.3, 28.2, 110.1, 32.2)).record["districts"] == ["500000"]  # the whole city
    # A small box with no district centroid inside: the nearest district (万州区 at 108.41, 30.81).
    assert mapped(chongqing_record(108.40, 30.78, 108.43, 30.80)).record["districts"] == ["500101"]
    chengdu = mapped(chongqing_record(103.9, 30.5, 104.2, 30.8)).record
    assert "districts" not in chengdu and chengdu["spatial"]["type"] == "Polygon"


@pytest.mark.parametrize(("text", "license_id"), [
    ("https://creativecommons.org/licenses/by-sa/4.0/", "cc-by-sa-4.0"),
    ("Creative Commons CC0 1.0 Universal", "cc0-1.0"),
    ("Open Database License (ODbL) v1.0", "odc-odbl"),
    ("本数据遵循《重庆市政府数据开放许可协议》发布", "cn-gov-open-1.0"),
])
def test_recognisable_licences(text: str, license_id: str) -> None:
    assert mapped(chongqing_record(106.5, 29.5, 106.6, 29.6, licence=text)).record["license_id"] == license_id


def test_unrecognised_licence_stays_in_extras() -> None:
    record = mapped(chongqing_record(106.5, 29.5, 106.6, 29.6, licence="仅供内部参考，不得转载")).record
    assert "license_id" not in record
    assert record["extras"]["harvest_use_limitation"] == "仅供内部参考，不得转载"


def test_record_without_title_or_identifier() -> None:
    content = chongqing_record(106.5, 29.5, 106.6, 29.6).replace(
        "长江干流重庆段水质自动监测站逐时数据".encode(), b"").replace(b"cq-slj-cjgl-szzd-2024", b"")
    result = mapped(content, remote_id="sha256-0123456789abcdef")
    assert sorted(p.code for p in result.problems) == ["csw_missing_identifier", "csw_missing_title"]
    assert {p.location.record for p in result.problems} == {"sha256-0123456789abcdef"}


# ---------------------------------------------------------------- Dublin Core (OGC CITE records)

@pytest.fixture(scope="module")
def cite(corpora: Path) -> Path:
    return corpora / "csw" / "pycsw" / "cite-dc-records"


def dc(path: Path) -> MappedRecord:
    return CSW.to_record(RawRecord(path.stem, path.read_bytes(), "application/xml", None, None), SOURCE)


def test_dc_record_with_lat_lon_bounding_box(cite: Path) -> None:
    result = dc(cite / "Record_94bc9c83-97f6-4b40-9eb8-a8e8787a5c63.xml")
    record = result.record
    assert result.problems == []
    assert record["title"] == "Mauris sed neque"
    assert record["description"].startswith("Curabitur lacinia, ante non porta tempus")
    assert record["keywords"] == ["Vegetation-Cropland"]
    assert record["publish_date"] == "2006-03-26"
    # crs urn:x-ogc:def:crs:EPSG:6.11:4326 puts latitude first: LowerCorner "47.595 -4.097".
    assert record["spatial"]["coordinates"][0] == [[-4.097, 47.595], [0.889, 47.595], [0.889, 51.217],
                                                   [-4.097, 51.217], [-4.097, 47.595]]
    assert record["extras"]["harvest_dc_type"] == "http://purl.org/dc/dcmitype/Dataset"
    assert record["extras"]["harvest_dc_identifier"] == "urn:uuid:94bc9c83-97f6-4b40-9eb8-a8e8787a5c63"
    assert validate_record(normalize_record({**record, "organization": "cq-slj"})) == []


def test_dc_record_with_format_and_spatial_text(cite: Path) -> None:
    record = dc(cite / "Record_19887a8a-f6b0-4a63-ae56-7fba0e17801f.xml").record
    assert record["title"] == "Lorem ipsum"
    assert record["keywords"] == ["Tourism--Greece"]
    assert record["extras"]["harvest_formats"] == "image/svg+xml"
    assert record["extras"]["harvest_spatial_text"] == "GR-22"
    assert "spatial" not in record


def test_dc_records_without_title(cite: Path) -> None:
    for name in ("Record_1ef30a8b-876d-4828-9246-c37ab4510bbd.xml", "Record_88247b56-4cbc-4df9-9860-db3f8042e357.xml",
                 "Record_ab42a8c4-95e8-4630-bf79-33e59241605a.xml"):
        result = dc(cite / name)
        assert [p.code for p in result.problems] == ["csw_missing_title"], name
        assert result.problems[0].location.record == name[:-4]


def test_registered_through_the_registry() -> None:
    stype = get_source_type("csw")
    assert stype.name == "csw"
    assert set(stype.options_schema["properties"]) >= {"output_schema", "page_size", "constraint", "typenames"}
