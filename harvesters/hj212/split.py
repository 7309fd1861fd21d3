"""Reassembly of split uploads (D bit, PNUM/PNO): each packet has its own QN, so packets are grouped
by MN + CN + DataTime and ordered by PNO (domain-standards §2.10, Annex C.49)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from harvesters.hj212.message import Message

GroupKey = tuple[str, str, datetime | None]


@dataclass
class _Pending:
    pnum: int
    first_seen: float
    parts: dict[int, tuple[Message, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Reassembled:
    message: Message  # header of packet 1, factors of all packets in PNO order
    frame_hashes: tuple[str, ...]


class Reassembler:
    """Feed messages; unsplit ones come straight back, split ones once all PNO 1..PNUM arrived."""

    def __init__(self, expiry_seconds: float = 120.0) -> None:
        self.expiry_seconds = expiry_seconds
        self._pending: dict[GroupKey, _Pending] = {}

    def add(self, message: Message, frame_sha256: str, now: float) -> Reassembled | None:
        header = message.header
        if header.pnum is None or header.pno is None:
            return Reassembled(message, (frame_sha256,))
        key = (header.mn, header.cn, message.data_time)
        pending = self._pending.get(key)
        if pending is None or pending.pnum != header.pnum:
            pending = self._pending[key] = _Pending(header.pnum, now)
        pending.parts[header.pno] = (message, frame_sha256)
        if len(pending.parts) < pending.pnum:
            return None
        del self._pending[key]
        return _merge(pending)

    def expire(self, now: float) -> list[tuple[GroupKey, list[int]]]:
        """Drop groups older than the expiry; returns each dropped key with the PNOs that did arrive."""
        old = [k for k, p in self._pending.items() if now - p.first_seen > self.expiry_seconds]
        return [(k, sorted(self._pending.pop(k).parts)) for k in old]

    def __len__(self) -> int:
        return len(self._pending)


def _merge(pending: _Pending) -> Reassembled:
    ordered = [pending.parts[n] for n in sorted(pending.parts)]
    first = ordered[0][0]
    factors = tuple(f for message, _ in ordered for f in message.factors)
    fields: dict[str, object] = {}
    for message, _ in ordered:
        fields.update(message.fields)
    merged = replace(first, factors=factors, fields=fields)
    return Reassembled(merged, tuple(sha for _, sha in ordered))
