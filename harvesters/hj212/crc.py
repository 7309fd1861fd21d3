"""HJ 212-2017 Annex A CRC (not Modbus), plus the Modbus variant some devices send.

Annex A does ``reg = (reg >> 8) ^ byte`` before the eight shift/xor rounds, so the register entering
the rounds always fits in one byte: the whole step is a lookup ``reg = TABLE[(reg >> 8) ^ byte]``, and
between steps only the high byte matters: ``h = HIGH[h ^ byte]``.

``HIGH`` is linear over GF(2) and its matrix M satisfies M⁸ = I (minimal polynomial x⁸ + 1), so

    h_n = M^n·h_0 ⊕ ⊕_i M^((n − i) mod 8)·b_i

depends only on the XOR of the bytes in each of the eight lanes ``i mod 8``.  Those lane XORs come from
folding the data as one big integer (C speed, O(log n) operations), then eight table lookups finish it.
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


def _powers() -> tuple[tuple[int, ...], ...]:
    """``_POW[k][x]`` = M^k·x for k = 0..7."""
    rows = [tuple(range(256))]
    for _ in range(7):
        rows.append(tuple(_HIGH[x] for x in rows[-1]))
    return tuple(rows)


_POW = _powers()
_WORD = (1 << 64) - 1
# per n mod 8 (n = length − 1): M^n·0xFF, and lane i's matrix M^((n − i) mod 8) as a table
_START: tuple[int, ...] = tuple(_POW[n][0xFF] for n in range(8))
_LANE_TABLES: tuple[tuple[tuple[int, ...], ...], ...] = tuple(
    tuple(_POW[(n - lane) & 7] for lane in range(8)) for n in range(8))
_MASKS: dict[int, int] = {}


def _lanes(body: bytes) -> bytes:
    """Eight bytes: byte r is the XOR of every byte of ``body`` at a position ≡ r (mod 8)."""
    words = (len(body) + 7) >> 3
    value = int.from_bytes(body, "big") << (((words << 3) - len(body)) << 3)
    while words > 1:
        low = words >> 1
        bits = low << 6
        mask = _MASKS.get(bits)
        if mask is None:
            mask = _MASKS[bits] = (1 << bits) - 1
        value = (value >> bits) ^ (value & mask)
        words -= low
    return (value & _WORD).to_bytes(8, "big")


def hj212_crc(data: bytes) -> int:
    """CRC of a data segment per HJ 212-2017 Annex A."""
    if not data:
        return 0xFFFF
    n = len(data) - 1
    x = _lanes(data[:-1])
    t = _LANE_TABLES[n & 7]
    return _TABLE[_START[n & 7] ^ t[0][x[0]] ^ t[1][x[1]] ^ t[2][x[2]] ^ t[3][x[3]] ^ t[4][x[4]] ^ t[5][x[5]]
                  ^ t[6][x[6]] ^ t[7][x[7]] ^ data[-1]]


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
