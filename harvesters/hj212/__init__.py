"""HJ 212-2017 data feed: protocol library (pure), receiver, evidence store, simulator.

Protocol modules (crc, framing, cp, message, split, replies, codes) do no I/O.
"""

from harvesters.hj212.crc import crc_hex, hj212_crc
from harvesters.hj212.errors import Hj212Error
from harvesters.hj212.framing import Frame, Garbage, StreamFramer, build_frame, check_frame, crc_verdict
from harvesters.hj212.message import Header, Message, build_segment, parse_header, parse_message
from harvesters.hj212.records import SeriesRecord, message_records
from harvesters.hj212.split import Reassembler
from harvesters.hj212.verify import verify_frames

__all__ = [
    "Frame", "Garbage", "Header", "Hj212Error", "Message", "Reassembler", "SeriesRecord", "StreamFramer",
    "build_frame", "build_segment", "check_frame", "crc_hex", "crc_verdict", "hj212_crc", "message_records",
    "parse_header", "parse_message", "verify_frames",
]
