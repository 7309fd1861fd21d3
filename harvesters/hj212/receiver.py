"""asyncio TCP receiver for HJ 212 loggers: frame, verify, authenticate, store evidence, then parse and ack.

Order for each frame: CRC and MN/PW checks → evidence (or quarantine) entry queued → group-commit fsync
→ only then parse, emit values, raise alerts and send the reply.  A failing connection never touches
another one: each has its own framer, rate bucket and buffer.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from harvesters.hj212 import replies
from harvesters.hj212.alerts import AlertEngine, AlertSink
from harvesters.hj212.errors import Hj212Error
from harvesters.hj212.evidence import EvidenceStore
from harvesters.hj212.framing import MAX_SEGMENT, Frame, Garbage, StreamFramer, crc_verdict
from harvesters.hj212.message import Header, parse_header, parse_message
from harvesters.hj212.records import SeriesRecord, frame_records, message_records
from harvesters.hj212.registry import Point, PointRegistry, plain_password_ok
from harvesters.hj212.series import ParquetSeriesSink
from harvesters.hj212.split import Reassembler

log = logging.getLogger(__name__)
Sink = Callable[[list[SeriesRecord]], None]
_ERROR_RTN = {"hj212.unknown_cn": "bad_cn", "hj212.bad_flag": "bad_flag", "hj212.bad_crc": "bad_crc"}


@dataclass(frozen=True)
class ReceiverConfig:
    host: str = "127.0.0.1"
    port: int = 9212
    max_segment: int = MAX_SEGMENT
    idle_timeout: float = 900.0
    max_fps: float = 20.0  # per connection, token bucket; 0 disables
    max_garbage: int = 65_536  # bytes of garbage a connection may send before it is dropped
    commit_interval: float = 0.002
    sync: bool = True
    split_expiry: float = 120.0
    # Parquet files per point per flush: flushing rarely keeps files few and large.  Nothing is lost
    # by waiting: every value can be re-derived from the durable evidence frames.
    series_flush_interval: float = 60.0
    series_flush_records: int = 200_000
    webhook_url: str | None = None
    # several receiver processes on one port (SO_REUSEPORT); evidence chains then lock per batch
    workers_share_port: bool = False


class Receiver:
    def __init__(self, root: str | Path, registry: PointRegistry, config: ReceiverConfig | None = None,
                 sink: Sink | None = None, alert_sinks: Sequence[AlertSink] = ()) -> None:
        self.root = Path(root)
        self.registry = registry
        self.config = config or ReceiverConfig()
        self.store = EvidenceStore(self.root, commit_interval=self.config.commit_interval,
                                   sync=self.config.sync, shared=self.config.workers_share_port)
        self.store.after_batch = self._flush_replies
        self._replying: set[_Connection] = set()
        self.series = ParquetSeriesSink(self.root) if sink is None else None
        self.sink: Sink = sink or self.series  # type: ignore[assignment]
        self.alerts = AlertEngine(self.root, self.config.webhook_url, alert_sinks)
        self.password_ok: Callable[[Point, str], bool] = getattr(registry, "verify", plain_password_ok)
        self.reassembler = Reassembler(self.config.split_expiry)
        self.stats: Counter[str] = Counter()
        self.connections: set[_Connection] = set()
        self._server: asyncio.Server | None = None
        self._housekeeping: asyncio.Task[None] | None = None
        self.closing = False

    async def start(self) -> tuple[str, int]:
        loop = asyncio.get_running_loop()
        self.store.start()
        self._server = await loop.create_server(lambda: _Connection(self), self.config.host,
                                                self.config.port, reuse_address=True, backlog=1024,
                                                reuse_port=self.config.workers_share_port or None)
        self._housekeeping = loop.create_task(self._housekeeping_loop())
        host, port = self._server.sockets[0].getsockname()[:2]
        return host, port

    async def close(self) -> None:
        self.closing = True
        if self._server is not None:
            self._server.close()
        for conn in list(self.connections):
            conn.close()
        if self._housekeeping is not None:
            self._housekeeping.cancel()
        await self.store.close()
        if self.series is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.series.flush)
        self.alerts.close()

    # -- per frame --------------------------------------------------------------------------------
    def on_frame(self, conn: _Connection, frame: Frame, received_at: datetime) -> None:
        self.stats["frames_received"] += 1
        segment = frame.segment
        try:
            header = parse_header(segment)
        except Hj212Error as exc:
            self._quarantine(conn, frame.raw, received_at, None, exc.code)
            return
        point = self.registry.lookup(header.mn)
        reason = self._refusal_reason(conn, frame, segment, header, point)
        if reason is not None:
            self._quarantine(conn, frame.raw, received_at, header, reason)
            return
        assert point is not None
        self.stats["frames_accepted"] += 1
        sha = hashlib.sha256(frame.raw).hexdigest()
        self.store.append(frame.raw, conn.peer, received_at, mn=header.mn, sha256=sha,
                          on_durable=partial(self._after_durable, conn, frame, header, point, sha))

    def _refusal_reason(self, conn: _Connection, frame: Frame, segment: bytes, header: Header,
                        point: Point | None) -> str | None:
        if not conn.take_token():
            return "rate_limited"
        if len(segment) > self.config.max_segment:
            return "hj212.too_long"
        verdict = crc_verdict(segment, frame.crc_field)
        if verdict == "bad" or (verdict == "modbus" and not (point and point.accept_modbus_crc)):
            return "bad_crc"
        if point is None:
            return "bad_mn"
        if not conn.password_ok(point, header.pw):
            return "bad_pw"
        return None

    def _quarantine(self, conn: _Connection, raw: bytes, received_at: datetime, header: Header | None,
                    reason: str) -> None:
        self.stats["quarantined"] += 1
        self.stats[f"quarantined.{reason}"] += 1
        log.info("frame from %s quarantined: %s", conn.peer, reason)
        rtn = "refused" if reason == "rate_limited" else reason
        answer = replies.refusal_for(header, rtn) if header is not None else None
        refuse = reason in ("bad_mn", "bad_pw")

        def done(ok: bool) -> None:
            if ok and answer is not None:
                conn.send(answer)
            if refuse:
                conn.close()

        self.store.append(raw, conn.peer, received_at, mn=header.mn if header else None, reason=reason,
                          on_durable=done)

    def _after_durable(self, conn: _Connection, frame: Frame, header: Header, point: Point, sha: str,
                       ok: bool) -> None:
        if not ok:
            conn.close()  # not durable: no ack, the logger will resend
            return
        self.stats["frames_stored"] += 1
        self.alerts.seen(point, asyncio.get_running_loop().time())
        try:
            records = self._records(frame, header, sha)
        except Hj212Error as exc:
            self.stats["parse_errors"] += 1
            log.info("stored frame %s from %s does not parse: %s", sha[:12], header.mn, exc.code)
            answer = replies.refusal_for(header, _ERROR_RTN.get(exc.code, "unknown"))
        else:
            if records:
                self.sink(records)
                self.alerts.check_records(point, records)
            answer = replies.reply_for(header)
        if answer is not None:
            conn.send(answer)
            self.stats["acks_sent"] += 1

    def _records(self, frame: Frame, header: Header, sha: str) -> list[SeriesRecord]:
        """Values of an unsplit frame; those of a split upload once its last packet is in."""
        if header.pnum is None:
            return frame_records(frame.segment, header, sha)
        message = parse_message(frame.segment, header)
        done = self.reassembler.add(message, sha, asyncio.get_running_loop().time())
        return [] if done is None else message_records(done.message, done.frame_hashes[0])

    def on_garbage(self, conn: _Connection, garbage: Garbage, received_at: datetime) -> None:
        self.stats["garbage_events"] += 1
        conn.garbage_bytes += len(garbage.data)
        self.store.append(garbage.data[:4096], conn.peer, received_at, mn=None, reason=garbage.reason)
        if conn.garbage_bytes > self.config.max_garbage:
            log.warning("closing %s: %d bytes of garbage", conn.peer, conn.garbage_bytes)
            conn.close()

    def _flush_replies(self) -> None:
        # one write per connection per commit, however many of its frames the commit covered
        for conn in self._replying:
            conn.flush()
        self._replying.clear()

    # -- housekeeping ---------------------------------------------------------------------------------
    async def _housekeeping_loop(self) -> None:
        loop = asyncio.get_running_loop()
        last_flush = loop.time()
        while True:
            await asyncio.sleep(1.0)
            now = loop.time()
            for conn in [c for c in self.connections if now - c.last_activity > self.config.idle_timeout]:
                conn.close()
            for key, arrived in self.reassembler.expire(now):
                log.warning("split upload %s expired incomplete (packets %s)", key, arrived)
            self.alerts.check_silence(now, self.store.chain_age if self.config.workers_share_port else None)
            reload = getattr(self.registry, "reload_if_changed", None)
            if reload is not None:
                reload()
            if self.series is not None and (now - last_flush >= self.config.series_flush_interval
                                            or self.series.buffered >= self.config.series_flush_records):
                last_flush = now
                await loop.run_in_executor(None, self.series.write, self.series.take())


class _Connection(asyncio.Protocol):
    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.framer = StreamFramer(receiver.config.max_segment)
        self.transport: asyncio.Transport | None = None
        self.peer = "?"
        self.garbage_bytes = 0
        self.last_activity = 0.0
        self._tokens = self._capacity = max(2 * receiver.config.max_fps, 10.0)
        self._last_refill = 0.0
        self._out: list[bytes] = []
        self._close_after_flush = False
        self._verified: tuple[Point, str] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if peer else "?"
        self.last_activity = self._last_refill = asyncio.get_running_loop().time()
        self.receiver.connections.add(self)
        self.receiver.stats["connections"] += 1

    def data_received(self, data: bytes) -> None:
        self.last_activity = asyncio.get_running_loop().time()
        received_at = datetime.now(UTC)
        for event in self.framer.feed(data):
            if self.transport is None or self.transport.is_closing():
                return
            if isinstance(event, Frame):
                self.receiver.on_frame(self, event, received_at)
            else:
                self.receiver.on_garbage(self, event, received_at)

    def connection_lost(self, exc: Exception | None) -> None:
        rest = self.framer.flush()
        if rest and not self.receiver.closing:
            self.receiver.on_garbage(self, rest[0], datetime.now(UTC))
        self.receiver.connections.discard(self)

    def take_token(self) -> bool:
        rate = self.receiver.config.max_fps
        if rate <= 0:
            return True
        now = asyncio.get_running_loop().time()
        self._tokens = min(self._capacity, self._tokens + (now - self._last_refill) * rate)
        self._last_refill = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True

    def password_ok(self, point: Point, pw: str) -> bool:
        """Check a PW once per connection and point version, not once per frame."""
        verified = self._verified
        if verified is not None and verified[0] is point and verified[1] == pw:
            return True
        if not self.receiver.password_ok(point, pw):
            return False
        self._verified = (point, pw)
        return True

    def send(self, data: bytes) -> None:
        """Queue a reply; it goes out at the end of the current commit batch."""
        self._out.append(data)
        self.receiver._replying.add(self)

    def flush(self) -> None:
        out, self._out = self._out, []
        if out and self.transport is not None and not self.transport.is_closing():
            self.transport.write(b"".join(out))
        if self._close_after_flush:
            self.close()

    def close(self) -> None:
        if self._out:  # replies first: a refused logger still learns why
            self._close_after_flush = True
            return
        if self.transport is not None:
            self.transport.close()
