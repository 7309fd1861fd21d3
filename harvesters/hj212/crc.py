"""HJ 212-2017 Annex A CRC (not Modbus), table driven, plus the Modbus variant some devices send.

Annex A does ``reg = (reg >> 8) ^ byte`` before the eight shift/xor rounds, so the register entering
the rounds always fits in one byte: the whole step is a lookup ``reg = TABLE[(reg >> 8) ^ byte]``.
We only need the high byte between steps, hence the ``_HIGH`` table.
"""

from __future__ import annotations

import sys


def _rounds(reg: int) -> int:
    for _ in range(8):
        lsb = reg & 1
        reg >>= 1
        if lsb:
            reg ^= 0xA001
    return reg


_TABLE: tuple[int, ...] = tuple(_rounds(v) for v in range(256))
_HIGH: tuple[int, ...] = tuple(t >> 8 for t in _TABLE)
# Two bytes per step: index = little-endian uint16 of the pair XOR the state (which only touches the
# first byte), value = state after both bytes.  64 Ki entries halve the Python-level iterations.
_PAIR: tuple[int, ...] = tuple(_HIGH[_HIGH[i & 0xFF] ^ (i >> 8)] for i in range(65536))
_LITTLE = sys.byteorder == "little"


def hj212_crc(data: bytes) -> int:
    """CRC of a data segment per HJ 212-2017 Annex A."""
    if not data:
        return 0xFFFF
    body = data[:-1]
    h = 0xFF
    if len(body) & 1:
        h = _HIGH[h ^ body[0]]
        body = body[1:]
    if _LITTLE:
        pair = _PAIR
        for word in memoryview(body).cast("H"):
            h = pair[h ^ word]
    else:
        for b in body:
            h = _HIGH[h ^ b]
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
