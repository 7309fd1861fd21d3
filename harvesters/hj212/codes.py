"""Code tables from HJ 212-2017 (CN, flags, return codes) and the HJ/T 212-2005 → 2017 factor mapping."""

from __future__ import annotations

import functools
import re

# Table 9 plus the surface-water extensions seen in the field (domain-standards §2.5).
CN_CODES: frozenset[str] = frozenset(
    ["1000", "1011", "1012", "1013", "1014", "1015", "1061", "1062", "1063", "1064", "1072", "2011", "2012", "2021", "2022", "2031", "2041", "2051", "2061", "2062", "2063", "2064", "2065", "2066", "2081", "3011", "3012", "3013", "3014", "3015", "3016", "3017", "3018", "3019", "3020", "3021", "3080", "3081", "3082", "3083", "3084", "3085", "3086", "3100", "9011", "9012", "9013", "9014", "9015", "9021"]
)
# Legacy 2005 commands a receiver still meets (alarm and alarm-limit, removed in 2017).
CN_CODES_2005: frozenset[str] = frozenset(["1021", "1022", "1031", "1032", "1041", "1042", "2071", "2072"])
DATA_UPLOAD_CNS: frozenset[str] = frozenset(["2011", "2021", "2031", "2041", "2051", "2061", "2062", "2063", "2064", "2065", "2066", "2081"])
NOTICE_CNS: frozenset[str] = frozenset({"1013", "2012", "2022"})
REPLY_CNS: frozenset[str] = frozenset({"9011", "9012", "9013", "9014", "9015", "9021"})

FLAGS_2017: dict[str, str] = {
    "N": "正常", "F": "停运", "M": "维护", "S": "手工输入的设定值", "D": "故障",
    "C": "校准", "T": "超测上限", "B": "通讯异常",
}
# 2005 source flags and air-station digits, mapped to the nearest 2017 flag.
FLAGS_2005_TO_2017: dict[str, str] = {
    "N": "N", "F": "F", "C": "C", "M": "M", "T": "T", "D": "D", "S": "S",
    "P": "D",  # 电源故障: a fault, and the data are not normal
    "0": "C", "1": "N", "2": "D", "3": "N",
}

QN_RTN = {"ready": 1, "refused": 2, "bad_pw": 3, "bad_mn": 4, "bad_st": 5, "bad_flag": 6,
          "bad_qn": 7, "bad_cn": 8, "bad_crc": 9, "unknown": 100}
EXE_RTN = {"ok": 1, "failed": 2, "bad_condition": 3, "timeout": 4, "busy": 5, "fault": 6, "no_data": 100}

# Annex B 原编码 column: water (HJ 525) and air (HJ 524) families are kept apart because the same
# 3-digit string means different things in the two.
WATER_2005: dict[str, str] = {
    "B01": "w00000", "001": "w01001", "003": "w01012", "010": "w01017", "011": "w01018", "015": "w01020",
    "550": "w02003", "020": "w20111", "022": "w20115", "023": "w20116", "024": "w20117", "026": "w20119",
    "027": "w20120", "065": "w21001", "060": "w21003", "101": "w21011", "070": "w21016", "072": "w21017",
    "071": "w21019", "080": "w22001", "110": "w23002",
}
AIR_2005: dict[str, str] = {
    "B02": "a00000", "S01": "a19001", "S02": "a01011", "S03": "a01012", "S08": "a01013", "S05": "a01014",
    "S04": "a01017", "01": "a34013", "02": "a21026", "03": "a21002", "04": "a21005", "05": "a21028",
    "10": "a21001",
}
WATER_ST = frozenset({"21", "24", "26", "32", "33", "34", "52"})
AIR_ST = frozenset({"22", "27", "31", "39", "51"})

KNOWN_FACTORS: frozenset[str] = frozenset(WATER_2005.values()) | frozenset(AIR_2005.values()) | frozenset(
    ["w01009", "w01010", "w01014", "w01019", "w01003", "a01001", "a01002", "a01006", "a01007", "a01008", "a21003", "a21004", "a24088", "a34001", "a34002", "a34004", "a34005", "a05024", "i12001"]
)
NOISE_CODES = frozenset(["LA", "L5", "L10", "L50", "L90", "L95", "Leq", "Ldn", "Ld", "Ln", "LMx", "LMn"])
_FACTOR_SHAPE = re.compile(r"^(?:SB\d{1,3}|[aw]\d{5}|[eg]\d{5}|i[123][123]\d{3}|[aw]\d{7})$")


def map_2005_factor(code: str, st: str) -> str | None:
    """2017 code for a 2005 factor code, choosing the water or air table by system type."""
    if st in WATER_ST:
        return WATER_2005.get(code)
    if st in AIR_ST:
        return AIR_2005.get(code)
    return WATER_2005.get(code) or AIR_2005.get(code)


@functools.lru_cache(maxsize=4096)  # asked for every factor of every frame; the codes are few
def factor_is_standard(code: str) -> bool:
    """Shape of an HJ 524/525 code, a process/info code, or a noise index.  Vendor words are not."""
    return code in KNOWN_FACTORS or code in NOISE_CODES or bool(_FACTOR_SHAPE.match(code))
