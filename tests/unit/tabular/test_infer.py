from __future__ import annotations

from catalog.tabular.infer import infer_schema
from catalog.tabular.read import rows_to_raw


def test_infer_types_and_required() -> None:
    raw = rows_to_raw([
        ["站点编码", "时间", "PM2.5", "AQI", "日期", "是否有效"],
        ["1665A", "2024-01-01 00:00:00", "35.5", "50", "2024-01-01", "true"],
        ["1666A", "2024-01-01 01:00:00", "NA", "/", "2024-01-02", "false"],
    ])
    fields = {f["name"]: f for f in infer_schema(raw)["fields"]}
    assert fields["站点编码"] == {"name": "站点编码", "type": "string", "constraints": {"required": True}}
    assert fields["时间"]["type"] == "datetime"
    assert fields["PM2.5"] == {"name": "PM2.5", "type": "number"}
    assert fields["AQI"] == {"name": "AQI", "type": "integer"}
    assert fields["日期"]["type"] == "date"
    assert fields["是否有效"]["type"] == "boolean"
