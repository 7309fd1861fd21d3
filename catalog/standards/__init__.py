"""Derived open data by the environmental standards: HJ 633 AQI, GB 3095 validity, GB 3838 classes.

Pure and vectorized: functions take pyarrow tables or plain values and never touch storage or clocks.
"""

from catalog.standards.aqi import AqiResult, add_aqi, aqi, iaqi
from catalog.standards.errors import StandardsInputError
from catalog.standards.gb3095 import daily_means, published_text
from catalog.standards.gb3838 import WaterClassResult, add_water_class, water_class
from catalog.standards.timebase import HJ633_2026_FROM, edition_at

__all__ = [
    "HJ633_2026_FROM", "AqiResult", "StandardsInputError", "WaterClassResult", "add_aqi", "add_water_class",
    "aqi", "daily_means", "edition_at", "iaqi", "published_text", "water_class",
]
