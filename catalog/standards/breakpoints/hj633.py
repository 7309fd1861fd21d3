"""HJ 633 AQI tables: IAQI breakpoints, levels, colours, health texts.

Source: /work/shared/standards/domain-standards.md §3.1 (HJ 633-2012 Table 1 and HJ 633-2026 Table 3,
as digested from the PDFs in caiyunapp/aqi-hub/docs).  Units: µg/m³, CO mg/m³.
"""

from __future__ import annotations

from dataclasses import dataclass

IAQI_STEPS: tuple[int, ...] = (0, 50, 100, 150, 200, 300, 400, 500)

# Indicator key -> concentration breakpoints matching IAQI_STEPS (prefix when the table is cut short).
_COMMON: dict[str, tuple[float, ...]] = {
    "so2_24h": (0, 50, 150, 475, 800, 1600, 2100, 2620),
    "so2_1h": (0, 150, 500, 650, 800),  # above 800: edition-specific rule (note a)
    "no2_24h": (0, 40, 80, 180, 280, 565, 750, 940),
    "no2_1h": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    "co_24h": (0, 2, 4, 14, 24, 36, 48, 60),
    "co_1h": (0, 5, 10, 35, 60, 90, 120, 150),
    "o3_1h": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "o3_8h": (0, 100, 160, 215, 265, 800),  # above 800: edition-specific rule (note b)
}

BREAKPOINTS: dict[str, dict[str, tuple[float, ...]]] = {
    "2012": {
        **_COMMON,
        "pm10_24h": (0, 50, 150, 250, 350, 420, 500, 600),
        "pm2_5_24h": (0, 35, 75, 115, 150, 250, 350, 500),
    },
    "2026": {
        **_COMMON,
        # 2026 lowers the IAQI-100 breakpoint: PM10 150 -> 120, PM2.5 75 -> 60.
        "pm10_24h": (0, 50, 120, 250, 350, 420, 500, 600),
        "pm2_5_24h": (0, 35, 60, 115, 150, 250, 350, 500),
    },
}

# IAQI fixed by HJ 633-2026 when the truncated tables are exceeded (2012 substitutes another IAQI).
CAPPED_IAQI_2026: dict[str, int] = {"so2_1h": 200, "o3_8h": 300}


@dataclass(frozen=True)
class Level:
    upper: int  # highest AQI of the level
    level: str
    category: str
    colour: str
    rgb: tuple[int, int, int]
    health_effect: str
    advice: str

    @property
    def hex(self) -> str:
        return "#{:02X}{:02X}{:02X}".format(*self.rgb)


# HJ 633-2012 Table 2 / Appendix A; colours unchanged in 2026 (§3.1).  The health texts are
# HJ 633-2012 Table 2 wording; the digest does not quote 2026's texts [verify].
LEVELS: tuple[Level, ...] = (
    Level(50, "一级", "优", "绿色", (0, 228, 0),
          "空气质量令人满意，基本无空气污染", "各类人群可正常活动"),
    Level(100, "二级", "良", "黄色", (255, 255, 0),
          "空气质量可接受，但某些污染物可能对极少数异常敏感人群健康有较弱影响",
          "极少数异常敏感人群应减少户外活动"),
    Level(150, "三级", "轻度污染", "橙色", (255, 126, 0),
          "易感人群症状有轻度加剧，健康人群出现刺激症状",
          "儿童、老年人及心脏病、呼吸系统疾病患者应减少长时间、高强度的户外锻炼"),
    Level(200, "四级", "中度污染", "红色", (255, 0, 0),
          "进一步加剧易感人群症状，可能对健康人群心脏、呼吸系统有影响",
          "儿童、老年人及心脏病、呼吸系统疾病患者避免长时间、高强度的户外锻炼，一般人群适量减少户外运动"),
    Level(300, "五级", "重度污染", "紫色", (153, 0, 76),
          "心脏病和肺病患者症状显著加剧，运动耐受力降低，健康人群普遍出现症状",
          "儿童、老年人和心脏病、肺病患者应停留在室内，停止户外运动，一般人群减少户外运动"),
    Level(500, "六级", "严重污染", "褐红色", (126, 0, 35),
          "健康人群运动耐受力降低，有明显强烈症状，提前出现某些疾病",
          "儿童、老年人和病人应当留在室内，避免体力消耗，一般人群应避免户外活动"),
)

LEVEL_UPPERS: tuple[int, ...] = tuple(lv.upper for lv in LEVELS[:-1])

# Report labels of the indicators that can be a primary pollutant, in HJ 633 table order.
POLLUTANT_LABELS: dict[str, str] = {
    "so2": "SO2", "no2": "NO2", "pm10": "PM10", "co": "CO",
    "o3_1h": "O3_1h", "o3_8h": "O3_8h", "pm2_5": "PM2.5",
}
POLLUTANT_NAMES_ZH: dict[str, str] = {
    "SO2": "二氧化硫", "NO2": "二氧化氮", "PM10": "颗粒物(PM10)", "CO": "一氧化碳",
    "O3_1h": "臭氧1小时", "O3_8h": "臭氧8小时", "PM2.5": "细颗粒物(PM2.5)",
}
