"""GB 3838-2002 Table 1 basic items: class I–V limits (mg/L unless noted).

Source: /work/shared/standards/domain-standards.md §3.3, which follows
sm1lewc/Silence.Water/.../GB_3838_2002.json (checked there against the standard).
"""

from __future__ import annotations

# factor key -> (Chinese name, limits for classes I..V).  Every item is "≤ limit" except DO ("≥").
UPPER_LIMITS: dict[str, tuple[str, tuple[float, ...]]] = {
    "codmn": ("高锰酸盐指数", (2, 4, 6, 10, 15)),
    "cod": ("化学需氧量", (15, 15, 20, 30, 40)),
    "bod5": ("五日生化需氧量", (3, 3, 4, 6, 10)),
    "nh3_n": ("氨氮", (0.15, 0.5, 1.0, 1.5, 2.0)),
    "cu": ("铜", (0.01, 1.0, 1.0, 1.0, 1.0)),
    "zn": ("锌", (0.05, 1.0, 1.0, 2.0, 2.0)),
    "fluoride": ("氟化物", (1.0, 1.0, 1.0, 1.5, 1.5)),
    "se": ("硒", (0.01, 0.01, 0.01, 0.02, 0.02)),
    "as": ("砷", (0.05, 0.05, 0.05, 0.1, 0.1)),
    "hg": ("汞", (0.00005, 0.00005, 0.0001, 0.001, 0.001)),
    "cd": ("镉", (0.001, 0.005, 0.005, 0.005, 0.01)),
    "cr6": ("六价铬", (0.01, 0.05, 0.05, 0.05, 0.1)),
    "pb": ("铅", (0.01, 0.01, 0.05, 0.05, 0.1)),
    "cyanide": ("氰化物", (0.005, 0.05, 0.2, 0.2, 0.2)),
    "volatile_phenol": ("挥发酚", (0.002, 0.002, 0.005, 0.01, 0.1)),
    "petroleum": ("石油类", (0.05, 0.05, 0.05, 0.5, 1.0)),
    "las": ("阴离子表面活性剂", (0.2, 0.2, 0.2, 0.3, 0.3)),
    "sulfide": ("硫化物", (0.05, 0.1, 0.2, 0.5, 1.0)),
    "fecal_coliform": ("粪大肠菌群（个/L）", (200, 2000, 10000, 20000, 40000)),
}
TP_LIMITS: dict[str, tuple[float, ...]] = {
    "river": (0.02, 0.1, 0.2, 0.3, 0.4),
    "lake": (0.01, 0.025, 0.05, 0.1, 0.2),  # lakes and reservoirs
}
TN_LIMITS_LAKE: tuple[float, ...] = (0.2, 0.5, 1.0, 1.5, 2.0)  # lakes and reservoirs only
DO_LIMITS: tuple[float, ...] = (7.5, 6, 5, 3, 2)  # "≥"; class I also met by ≥ 90 % saturation
DO_SATURATION_CLASS_I = 90.0
PH_RANGE: tuple[float, float] = (6.0, 9.0)  # the same for classes I–V

FACTOR_NAMES: dict[str, str] = {
    "ph": "pH", "do": "溶解氧", "tp": "总磷", "tn": "总氮",
    **{key: name for key, (name, _) in UPPER_LIMITS.items()},
}
# 《地表水环境质量评价办法（试行）》(环办〔2011〕22号): TN and faecal coliform are reference items,
# assessed separately from the water-quality class [verify].
REFERENCE_FACTORS: tuple[str, ...] = ("tn", "fecal_coliform")
CLASS_LABELS: tuple[str, ...] = ("Ⅰ类", "Ⅱ类", "Ⅲ类", "Ⅳ类", "Ⅴ类", "劣Ⅴ类")
WATER_BODIES: tuple[str, ...] = ("river", "lake")
