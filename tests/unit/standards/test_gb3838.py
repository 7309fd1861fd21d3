"""GB 3838-2002 single-factor classes at, just below (×0.999) and just above (×1.001) every limit.

Expected classes are read by hand from Table 1 (domain-standards §3.3): a value takes the best class
whose limit it meets, so where classes share a limit the value skips ahead, e.g.
  COD 15 -> Ⅰ (Ⅰ and Ⅱ are both 15); COD 15.015 -> Ⅲ (next limit 20)
  Cu 1.0 -> Ⅱ (Ⅱ..Ⅴ are all 1.0); Cu 1.001 -> 劣Ⅴ (6)
  Hg 0.00005005 -> Ⅲ (Ⅰ, Ⅱ 0.00005; Ⅲ 0.0001)
DO is "≥" (higher is better) and pH must lie within 6–9.
"""

import pyarrow as pa
import pytest

from catalog.standards import StandardsInputError, add_water_class, water_class

# factor (@ water body where the limits differ) -> [(value, class 1..6)]
CASES = {
    "codmn": [
        (1.998, 1), (2.0, 1), (2.002, 2), (3.996, 2), (4.0, 2), (4.004, 3), (5.994, 3), (6.0, 3),
        (6.006, 4), (9.99, 4), (10.0, 4), (10.01, 5), (14.985, 5), (15.0, 5), (15.015, 6),
    ],
    "cod": [
        (14.985, 1), (15.0, 1), (15.015, 3), (19.98, 3), (20.0, 3), (20.02, 4), (29.97, 4), (30.0, 4),
        (30.03, 5), (39.96, 5), (40.0, 5), (40.04, 6),
    ],
    "bod5": [
        (2.997, 1), (3.0, 1), (3.003, 3), (3.996, 3), (4.0, 3), (4.004, 4), (5.994, 4), (6.0, 4),
        (6.006, 5), (9.99, 5), (10.0, 5), (10.01, 6),
    ],
    "nh3_n": [
        (0.14985, 1), (0.15, 1), (0.15015, 2), (0.4995, 2), (0.5, 2), (0.5005, 3), (0.999, 3),
        (1.0, 3), (1.001, 4), (1.4985, 4), (1.5, 4), (1.5015, 5), (1.998, 5), (2.0, 5), (2.002, 6),
    ],
    "cu": [
        (0.00999, 1), (0.01, 1), (0.01001, 2), (0.999, 2), (1.0, 2), (1.001, 6),
    ],
    "zn": [
        (0.04995, 1), (0.05, 1), (0.05005, 2), (0.999, 2), (1.0, 2), (1.001, 4), (1.998, 4), (2.0, 4),
        (2.002, 6),
    ],
    "fluoride": [
        (0.999, 1), (1.0, 1), (1.001, 4), (1.4985, 4), (1.5, 4), (1.5015, 6),
    ],
    "se": [
        (0.00999, 1), (0.01, 1), (0.01001, 4), (0.01998, 4), (0.02, 4), (0.02002, 6),
    ],
    "as": [
        (0.04995, 1), (0.05, 1), (0.05005, 4), (0.0999, 4), (0.1, 4), (0.1001, 6),
    ],
    "hg": [
        (4.995e-05, 1), (5e-05, 1), (5.005e-05, 3), (9.99e-05, 3), (0.0001, 3), (0.0001001, 4),
        (0.000999, 4), (0.001, 4), (0.001001, 6),
    ],
    "cd": [
        (0.000999, 1), (0.001, 1), (0.001001, 2), (0.004995, 2), (0.005, 2), (0.005005, 5),
        (0.00999, 5), (0.01, 5), (0.01001, 6),
    ],
    "cr6": [
        (0.00999, 1), (0.01, 1), (0.01001, 2), (0.04995, 2), (0.05, 2), (0.05005, 5), (0.0999, 5),
        (0.1, 5), (0.1001, 6),
    ],
    "pb": [
        (0.00999, 1), (0.01, 1), (0.01001, 3), (0.04995, 3), (0.05, 3), (0.05005, 5), (0.0999, 5),
        (0.1, 5), (0.1001, 6),
    ],
    "cyanide": [
        (0.004995, 1), (0.005, 1), (0.005005, 2), (0.04995, 2), (0.05, 2), (0.05005, 3), (0.1998, 3),
        (0.2, 3), (0.2002, 6),
    ],
    "volatile_phenol": [
        (0.001998, 1), (0.002, 1), (0.002002, 3), (0.004995, 3), (0.005, 3), (0.005005, 4),
        (0.00999, 4), (0.01, 4), (0.01001, 5), (0.0999, 5), (0.1, 5), (0.1001, 6),
    ],
    "petroleum": [
        (0.04995, 1), (0.05, 1), (0.05005, 4), (0.4995, 4), (0.5, 4), (0.5005, 5), (0.999, 5),
        (1.0, 5), (1.001, 6),
    ],
    "las": [
        (0.1998, 1), (0.2, 1), (0.2002, 4), (0.2997, 4), (0.3, 4), (0.3003, 6),
    ],
    "sulfide": [
        (0.04995, 1), (0.05, 1), (0.05005, 2), (0.0999, 2), (0.1, 2), (0.1001, 3), (0.1998, 3),
        (0.2, 3), (0.2002, 4), (0.4995, 4), (0.5, 4), (0.5005, 5), (0.999, 5), (1.0, 5), (1.001, 6),
    ],
    "fecal_coliform": [
        (199.8, 1), (200.0, 1), (200.2, 2), (1998.0, 2), (2000.0, 2), (2002.0, 3), (9990.0, 3),
        (10000.0, 3), (10010.0, 4), (19980.0, 4), (20000.0, 4), (20020.0, 5), (39960.0, 5),
        (40000.0, 5), (40040.0, 6),
    ],
    "tp@river": [
        (0.01998, 1), (0.02, 1), (0.02002, 2), (0.0999, 2), (0.1, 2), (0.1001, 3), (0.1998, 3),
        (0.2, 3), (0.2002, 4), (0.2997, 4), (0.3, 4), (0.3003, 5), (0.3996, 5), (0.4, 5), (0.4004, 6),
    ],
    "tp@lake": [
        (0.00999, 1), (0.01, 1), (0.01001, 2), (0.024975, 2), (0.025, 2), (0.025025, 3), (0.04995, 3),
        (0.05, 3), (0.05005, 4), (0.0999, 4), (0.1, 4), (0.1001, 5), (0.1998, 5), (0.2, 5),
        (0.2002, 6),
    ],
    "tn@lake": [
        (0.1998, 1), (0.2, 1), (0.2002, 2), (0.4995, 2), (0.5, 2), (0.5005, 3), (0.999, 3), (1.0, 3),
        (1.001, 4), (1.4985, 4), (1.5, 4), (1.5015, 5), (1.998, 5), (2.0, 5), (2.002, 6),
    ],
}


def _params():
    for key, pairs in CASES.items():
        factor, _, body = key.partition("@")
        for value, expected in pairs:
            yield pytest.param(factor, body or "river", value, expected, id=f"{key}-{value}")


@pytest.mark.parametrize(("factor", "water_body", "value", "expected"), list(_params()))
def test_every_class_boundary(factor, water_body, value, expected):
    result = water_class({factor: value}, water_body, include_reference=True)
    assert result.water_class == expected
    assert result.factor_classes[factor] == expected


@pytest.mark.parametrize(
    ("do", "expected"),
    [(8.0, 1), (7.5, 1), (7.49, 2), (6.0, 2), (5.99, 3), (5.0, 3), (4.99, 4), (3.0, 4), (2.99, 5),
     (2.0, 5), (1.99, 6), (0.0, 6)],
)
def test_dissolved_oxygen_is_higher_is_better(do, expected):
    assert water_class({"do": do}).water_class == expected


def test_do_saturation_of_90_percent_meets_class_one():
    assert water_class({"do": 7.2, "do_saturation": 90.0}).water_class == 1
    assert water_class({"do": 7.2, "do_saturation": 89.9}).water_class == 2


@pytest.mark.parametrize(("ph", "expected"), [(6.0, 1), (5.99, 6), (7.8, 1), (9.0, 1), (9.01, 6)])
def test_ph_range(ph, expected):
    assert water_class({"ph": ph}).water_class == expected


def test_worst_factor_decides_and_ties_are_all_limiting():
    # 嘉陵江-style river sample: NH3-N 1.2 -> Ⅳ, TP 0.25 -> Ⅳ, CODMn 4.5 -> Ⅲ, DO 6.1 -> Ⅱ
    sample = {"ph": 7.9, "do": 6.1, "codmn": 4.5, "nh3_n": 1.2, "tp": 0.25, "cod": 16.0}
    result = water_class(sample, "river")
    assert (result.water_class, result.label) == (4, "Ⅳ类")
    assert result.limiting_factors == ("nh3_n", "tp")
    # The same TP in a reservoir is 劣Ⅴ (lake limits: Ⅴ 0.2)
    result = water_class(sample, "lake")
    assert (result.water_class, result.label, result.limiting_factors) == (6, "劣Ⅴ类", ("tp",))


def test_reference_items_are_assessed_separately_by_default():
    sample = {"ph": 7.5, "do": 8.2, "nh3_n": 0.1, "tp": 0.02, "tn": 1.8, "fecal_coliform": 30000}
    result = water_class(sample, "lake")
    assert result.water_class == 2  # TP 0.02 in a lake -> Ⅱ; TN and faecal coliform are reference items
    assert result.reference_classes == {"tn": 5, "fecal_coliform": 5}
    assert water_class(sample, "lake", include_reference=True).water_class == 5
    # Rivers have no TN limit at all.
    river = water_class(sample, "river", include_reference=True)
    assert "tn" not in river.factor_classes and river.water_class == 5


def test_table_api():
    table = pa.table({
        "断面名称": ["朝天门", "寸滩", "清溪场"],
        "ph": [7.6, 7.8, None], "do": [7.8, 5.5, None], "nh3_n": [0.12, 1.6, None],
        "tp": [0.08, 0.21, None], "codmn": [1.9, 2.5, None],
    })
    out = add_water_class(table, "river", with_factor_classes=True)
    assert out.column("water_class").to_pylist() == [2, 5, None]
    assert out.column("water_class_label").to_pylist() == ["Ⅱ类", "Ⅴ类", None]
    assert out.column("limiting_factors").to_pylist() == ["tp", "nh3_n", None]
    assert out.column("limiting_factors_zh").to_pylist() == ["总磷", "氨氮", None]
    assert out.column("water_body").to_pylist() == ["river"] * 3
    assert out.column("class_do").to_pylist() == [1, 3, None]


def test_unknown_water_body_is_rejected():
    with pytest.raises(StandardsInputError):
        add_water_class(pa.table({"ph": [7.0]}), "sea")
