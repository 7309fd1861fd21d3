"""The GetRecords requests the CSW source type sends (no network: the KVP parameters themselves)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from lxml import etree

from harvesters.base import HarvestError, SourceConfig
from harvesters.csw import constraint_params, get_records_params

OGC = "{http://www.opengis.net/ogc}"
SINCE = datetime(2024, 6, 30, 16, 30, tzinfo=UTC)  # 2024-07-01 00:30 in Chongqing; the filter works in UTC days


def test_first_page_defaults() -> None:
    source = SourceConfig(name="s", type="csw", url="http://127.0.0.1/csw")
    params = get_records_params(source, None, "http://www.isotc211.org/2005/gmd", 1)
    assert params["request"] == "GetRecords" and params["version"] == "2.0.2"
    assert params["typeNames"] == "csw:Record"
    assert params["outputSchema"] == "http://www.isotc211.org/2005/gmd"
    assert (params["startPosition"], params["maxRecords"]) == (1, 50)
    assert params["elementSetName"] == "full" and params["resultType"] == "results"
    assert "constraint" not in params


def test_since_becomes_an_ogc_filter_on_modified() -> None:
    params = constraint_params(None, SINCE, "dct:modified")
    assert params["constraintLanguage"] == "FILTER"
    test = etree.fromstring(params["constraint"])[0]
    assert test.tag == f"{OGC}PropertyIsGreaterThanOrEqualTo"
    assert test.findtext(f"{OGC}PropertyName") == "dct:modified"
    assert test.findtext(f"{OGC}Literal") == "2024-06-30"


def test_iso_typename_filters_on_apiso_modified() -> None:
    source = SourceConfig(name="s", type="csw", url="http://127.0.0.1/csw", options={"typenames": "gmd:MD_Metadata"})
    params = get_records_params(source, SINCE, "http://www.isotc211.org/2005/gmd", 11)
    assert "apiso:Modified" in params["constraint"] and params["startPosition"] == 11


def test_configured_filter_is_anded_with_since() -> None:
    mine = ('<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc"><ogc:PropertyIsLike wildCard="%" singleChar="_" '
            'escapeChar="\\"><ogc:PropertyName>dc:title</ogc:PropertyName><ogc:Literal>%水质%</ogc:Literal>'
            '</ogc:PropertyIsLike></ogc:Filter>')
    both = etree.fromstring(constraint_params(mine, SINCE, "dct:modified")["constraint"])
    assert [etree.QName(e).localname for e in both[0]] == ["PropertyIsLike", "PropertyIsGreaterThanOrEqualTo"]
    assert both[0][0].findtext(f"{OGC}Literal") == "%水质%"
    alone = etree.fromstring(constraint_params(mine, None, "dct:modified")["constraint"])
    assert etree.QName(alone[0]).localname == "PropertyIsLike"


def test_cql_constraint_with_since() -> None:
    params = constraint_params("dc:type = 'dataset'", SINCE, "dct:modified")
    assert params["constraintLanguage"] == "CQL_TEXT"
    assert params["constraint"] == "dc:type = 'dataset' AND dct:modified >= '2024-06-30'"
    grouped = constraint_params("dc:type = 'dataset' OR dc:type = 'series'", SINCE, "dct:modified")
    assert grouped["constraint"] == "(dc:type = 'dataset' OR dc:type = 'series') AND dct:modified >= '2024-06-30'"
    assert constraint_params("dc:type = 'dataset'", None, "dct:modified")["constraint"] == "dc:type = 'dataset'"


def test_broken_filter_xml_is_a_clear_source_error() -> None:
    with pytest.raises(HarvestError) as caught:
        constraint_params("<ogc:Filter><ogc:PropertyIsLike>", SINCE, "dct:modified")
    assert caught.value.code == "csw_bad_constraint"
    assert "OGC Filter" in caught.value.message
