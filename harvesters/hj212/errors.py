"""Typed errors for malformed HJ 212 input: a stable code, a Chinese message a clerk can act on."""

from __future__ import annotations

from catalog.errors import EcodataError, Location, Problem

# code -> (Chinese message, English message)
MESSAGES: dict[str, tuple[str, str]] = {
    "hj212.bad_header": ("报文头不是“##”加4位数字长度", "frame does not start with ## and a 4-digit length"),
    "hj212.bad_length": ("报文长度与数据段实际字节数不符", "length field does not match the data segment"),
    "hj212.too_long": ("数据段超过允许的最大长度", "data segment longer than allowed"),
    "hj212.bad_trailer": ("报文未以CRC和回车换行结尾", "frame does not end with a CRC and CRLF"),
    "hj212.bad_crc": ("CRC校验错误，报文在传输中可能被破坏", "CRC mismatch"),
    "hj212.bad_encoding": ("报文不是合法的UTF-8编码", "frame is not valid UTF-8"),
    "hj212.bad_field": ("字段格式错误", "malformed field"),
    "hj212.missing_field": ("缺少必填字段", "required field missing"),
    "hj212.bad_datetime": ("时间格式错误，应为YYYYMMDDhhmmss", "malformed date-time"),
    "hj212.unknown_cn": ("命令编码CN不在标准命令表中", "command code not in the standard table"),
    "hj212.bad_flag": ("Flag标志不是0-255的整数", "Flag is not an integer 0-255"),
    "hj212.bad_cp": ("CP指令参数区格式错误", "malformed CP data area"),
    "hj212.bad_split": ("分包号PNO/总包数PNUM不一致", "inconsistent PNUM/PNO"),
}


class Hj212Error(EcodataError):
    """A malformed frame or message.  ``code`` is one of :data:`MESSAGES`."""

    status = 422
    code = "hj212.error"

    def __init__(self, code: str, detail: str = "", *, field: str | None = None) -> None:
        zh, en = MESSAGES[code]
        suffix = f": {detail}" if detail else ""
        loc = Location(field=field)
        problem = Problem(code, zh + suffix, en + suffix, loc)
        super().__init__(zh + suffix, en + suffix, problems=[problem], code=code)
        self.detail = detail
        self.field = field
