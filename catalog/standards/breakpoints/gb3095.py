"""GB 3095 concentration limits and data-validity minimums.

Source: /work/shared/standards/domain-standards.md §3.2 (GB 3095-2012 and GB 3095-2026 Table 4).
Units µg/m³, CO mg/m³.  Limits are (一级, 二级).
"""

from __future__ import annotations

# Data validity (GB 3095-2026 Table 4, unchanged from GB 3095-2012 §8), so both editions share it.
DAY_MIN_HOURLY_VALUES = 20  # SO2, NO2, CO, PM10, PM2.5, NOx daily mean
O3_8H_MIN_HOURLY_VALUES = 6  # in each 8 h window
# HJ 663: the O3 daily maximum 8 h mean needs >= 14 valid 8 h values ending 08:00..24:00 [verify].
O3_DAY_MIN_8H_VALUES = 14
O3_8H_WINDOWS_PER_DAY = 17  # windows of hours 0-7 … 16-23 (end labels 08:00 … 24:00)
DAILY_MEAN_POLLUTANTS = ("so2", "no2", "co", "pm10", "pm2_5", "nox")

LIMITS: dict[str, dict[tuple[str, str], tuple[float, float]]] = {
    "2012": {
        ("so2", "year"): (20, 60), ("so2", "day"): (50, 150), ("so2", "1h"): (150, 500),
        ("no2", "year"): (40, 40), ("no2", "day"): (80, 80), ("no2", "1h"): (200, 200),
        ("co", "day"): (4, 4), ("co", "1h"): (10, 10),
        ("o3", "8h"): (100, 160), ("o3", "1h"): (160, 200),
        ("pm10", "year"): (40, 70), ("pm10", "day"): (50, 150),
        ("pm2_5", "year"): (15, 35), ("pm2_5", "day"): (35, 75),
    },
}
LIMITS["2026-transitional"] = {
    **LIMITS["2012"],
    ("pm10", "year"): (40, 60), ("pm10", "day"): (50, 120),
    ("pm2_5", "year"): (15, 30), ("pm2_5", "day"): (35, 60),
}
LIMITS["2026-final"] = {
    **LIMITS["2012"],
    ("so2", "year"): (20, 20), ("so2", "day"): (50, 50), ("so2", "1h"): (150, 150),
    ("no2", "year"): (30, 30), ("no2", "day"): (50, 50),
    ("pm10", "year"): (20, 50), ("pm10", "day"): (50, 100),
    ("pm2_5", "year"): (10, 25), ("pm2_5", "day"): (25, 50),
}


def o3_8h_limit(zone: int) -> float:
    """一类区 uses 一级, 二类区 二级; the O3 8 h limit is the same in every edition."""
    return LIMITS["2012"][("o3", "8h")][0 if zone == 1 else 1]
