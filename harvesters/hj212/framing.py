"""Frame layer: ``##`` + 4-digit length + data segment + 4-hex CRC + CRLF, over bytes.

:class:`StreamFramer` cuts a TCP byte stream into frames and garbage, however the stream was split or
coalesced; :func:`check_frame` verifies one frame's length and CRC.
"""

from __future__ import annotations

from dataclasses import dataclass

from harvesters.hj212.crc import crc_hex, hj212_crc, modbus_crc_wire_hex
from harvesters.hj212.errors import Hj212Error

MAX_SEGMENT = 1024
HEADER = b"##"
_OVERHEAD = 12  # "##" + 4 length digits + 4 CRC digits + CRLF


@dataclass(frozen=True, slots=True)
class Frame:
    """One complete frame as received (``raw`` includes ``##`` and CRLF)."""

    raw: bytes

    @property
    def segment(self) -> bytes:
        return self.raw[6:-6]

    @property
    def crc_field(self) -> bytes:
        return self.raw[-6:-2]


@dataclass(frozen=True, slots=True)
class Garbage:
    """Bytes that could not be part of any frame, and why (an error code)."""

    data: bytes
    reason: str


def build_frame(segment: str | bytes) -> bytes:
    """Wrap a data segment into a wire frame (length and CRC over its UTF-8 bytes)."""
    body = segment.encode("utf-8") if isinstance(segment, str) else segment
    if len(body) > 9999:
        raise Hj212Error("hj212.too_long", str(len(body)))
    return b"##%04d%s%s\r\n" % (len(body), body, crc_hex(body).encode("ascii"))


def crc_verdict(segment: bytes, crc_field: bytes) -> str:
    """``"hj212"`` if the field is the Annex A CRC, ``"modbus"`` if it is the Modbus variant, else ``"bad"``."""
    if crc_field.upper() == b"%04X" % hj212_crc(segment):  # ASCII case folding, as the text compare below
        return "hj212"
    field = crc_field.decode("ascii", "replace").upper()
    if field == modbus_crc_wire_hex(segment):
        return "modbus"
    return "bad"


def check_frame(raw: bytes, *, max_segment: int = MAX_SEGMENT, accept_modbus: bool = False) -> Frame:
    """Verify header, length, trailer and CRC of one complete frame; raise :class:`Hj212Error`."""
    if len(raw) < _OVERHEAD or raw[:2] != HEADER or not _all_digits(raw[2:6]):
        raise Hj212Error("hj212.bad_header")
    declared = int(raw[2:6])
    if declared > max_segment:
        raise Hj212Error("hj212.too_long", f"{declared} > {max_segment}")
    if len(raw) != declared + _OVERHEAD:
        raise Hj212Error("hj212.bad_length", f"declared {declared}, got {len(raw) - _OVERHEAD}")
    if raw[-2:] != b"\r\n":
        raise Hj212Error("hj212.bad_trailer")
    frame = Frame(raw)
    verdict = crc_verdict(frame.segment, frame.crc_field)
    if verdict == "bad" or (verdict == "modbus" and not accept_modbus):
        raise Hj212Error("hj212.bad_crc", f"field {frame.crc_field.decode('ascii', 'replace')}, "
                                          f"expected {crc_hex(frame.segment)}")
    return frame


def _all_digits(b: bytes) -> bool:
    return len(b) == 4 and b.isdigit()  # bytes.isdigit: ASCII digits only


class StreamFramer:
    """Incremental framer.  ``feed`` returns complete frames and garbage events in stream order.

    It checks structure only (header, length, CRLF); CRC is the caller's next step, so a frame with a
    bad CRC still reaches the evidence store.  Memory is bounded by one maximal frame.
    """

    def __init__(self, max_segment: int = MAX_SEGMENT) -> None:
        self.max_segment = max_segment
        self._buf = b""

    @property
    def pending(self) -> int:
        return len(self._buf)

    def feed(self, data: bytes) -> list[Frame | Garbage]:
        buf = self._buf + data if self._buf else bytes(data)
        events: list[Frame | Garbage] = []
        pos = 0
        while True:
            event, new_pos = self._next(buf, pos)
            if new_pos == pos:
                break
            pos = new_pos
            if event is not None:
                events.append(event)
        self._buf = buf[pos:] if pos < len(buf) else b""
        return events

    def _next(self, buf: bytes, pos: int) -> tuple[Frame | Garbage | None, int]:
        start = buf.find(HEADER, pos)
        if start > pos:
            return Garbage(buf[pos:start], "hj212.bad_header"), start
        if start < 0:
            # keep a trailing "#" that may begin the next header
            cut = len(buf) - (1 if buf.endswith(b"#") else 0)
            return (Garbage(buf[pos:cut], "hj212.bad_header"), cut) if cut > pos else (None, pos)
        if len(buf) - pos < 6:
            return None, pos
        if not _all_digits(buf[pos + 2:pos + 6]):
            return Garbage(buf[pos:pos + 2], "hj212.bad_header"), pos + 2
        length = int(buf[pos + 2:pos + 6])
        if length > self.max_segment:
            return Garbage(buf[pos:pos + 6], "hj212.too_long"), pos + 6
        end = pos + length + _OVERHEAD
        if len(buf) < end:
            return None, pos
        if buf[end - 2:end] != b"\r\n":
            return Garbage(buf[pos:pos + 2], "hj212.bad_trailer"), pos + 2
        return Frame(buf[pos:end]), end

    def flush(self) -> list[Garbage]:
        """End of stream: whatever is left is a half frame."""
        rest, self._buf = self._buf, b""
        return [Garbage(rest, "hj212.bad_length")] if rest else []
