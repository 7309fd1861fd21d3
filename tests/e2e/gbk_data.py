"""A realistic GBK-encoded hourly air-quality CSV, as a district monitoring station exports it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

STATIONS = (("1423A", "解放碑", "500103"), ("3133A", "上清寺", "500103"))
HEADER = "station_code,station_name,district_code,time,pm25,pm10,o3,so2,no2,co,aqi,flag"


def write_gbk_csv(path: Path, hours: int = 24, bad_rows: int = 1) -> Path:
    """``hours`` rows per station ending at the previous full hour, plus ``bad_rows`` broken rows."""
    end = datetime.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    lines = [HEADER]
    for code, name, district in STATIONS:
        for i in range(hours):
            t = end - timedelta(hours=hours - 1 - i)
            pm25 = 28 + (i * 7) % 23
            lines.append(f"{code},{name},{district},{t.isoformat()},{pm25},{pm25 + 21},{40 + i % 9},6,"
                         f"{35 + i % 11},0.7,{int(pm25 * 1.4)},N")
    for _ in range(bad_rows):
        lines.append(f"1423A,解放碑,500103,{end.isoformat()}X,不详,60,40,6,35,0.7,50,N")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path
