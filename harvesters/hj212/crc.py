"""HJ 212-2017 Annex A CRC (not Modbus), table driven, plus the Modbus variant some devices send.

Annex A does ``reg = (reg >> 8) ^ byte`` before the eight shift/xor rounds, so the register entering
the rounds always fits in one byte: the whole step is a lookup ``reg = TABLE[(reg >> 8) ^ byte]``.
We only need the high byte between steps, hence the ``_HIGH`` table.
"""

from __future__ import annotations


def _rounds(reg: int) -> int:
    for _ in range(8):
        lsb = reg & 1
        reg >>= 1
        if lsb:
            reg ^= 0xA001
    return reg


_TABLE: tuple[int, ...] = tuple(_rounds(v) for v in range(256))
_HIGH: tuple[int, ...] = tuple(t >> 8 for t in _TABLE)


def hj212_crc(data: bytes) -> int:
    """CRC of a data segment per HJ 212-2017 Annex A."""
    if not data:
        return 0xFFFF
    high = _HIGH
    h = 0xFF
    for b in data[:-1]:
        h = high[h ^ b]
    return _TABLE[h ^ data[-1]]


def hj212_crc_reference(data: bytes) -> int:
    """Bit-by-bit Annex A algorithm, kept to check the table-driven one."""
    reg = 0xFFFF
    for b in data:
        reg = _rounds((reg >> 8) ^ b)
    return reg


def crc_hex(data: bytes) -> str:
    return f"{hj212_crc(data):04X}"


def modbus_crc_wire_hex(data: bytes) -> str:
    """Modbus CRC-16 written low byte first, as some non-conformant devices put in the CRC field."""
    reg = 0xFFFF
    for b in data:
        reg ^= b
        for _ in range(8):
            lsb = reg & 1
            reg >>= 1
            if lsb:
                reg ^= 0xA001
    return f"{reg & 0xFF:02X}{reg >> 8:02X}"
