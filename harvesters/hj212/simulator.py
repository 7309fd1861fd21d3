"""Plays N HJ 212 loggers against HOST:PORT, one connection each, and measures acks.

Each logger sends real-time (2011) air-quality frames with the A bit set, every ``interval`` seconds
(or, in burst mode, as fast as a window of ``window`` unacknowledged frames allows).  Optional
fractions of late, split (split across TCP writes and as PNUM/PNO packets), bad-CRC and 2005-style
frames test the receiver's handling of each.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from harvesters.hj212.evidence import CHINA
from harvesters.hj212.framing import Frame, StreamFramer, build_frame
from harvesters.hj212.message import build_segment, parse_header
from harvesters.hj212.registry import Point

# Chongqing urban air-quality station, typical winter levels: code -> (mean, spread, decimals)
AIR_FACTORS: dict[str, tuple[float, float, int]] = {
    "a34004": (48.0, 15.0, 0), "a34002": (72.0, 20.0, 0), "a21026": (9.0, 3.0, 0),
    "a21004": (38.0, 10.0, 0), "a05024": (45.0, 15.0, 0), "a21005": (0.8, 0.2, 3),
}
DISTRICTS = ("渝中区解放碑", "江北区观音桥", "南岸区南坪", "沙坪坝区天星桥", "九龙坡区杨家坪", "渝北区两路")


def sim_mn(index: int) -> str:
    """24 hex characters, EPC-96 shaped: a fixed header and the logger's number."""
    return f"C0E1{index:020X}"


def simulated_points(count: int, password: str = "123456", interval: float = 0.0) -> list[Point]:
    limits = {"a34004": 75.0, "a34002": 150.0, "a21026": 150.0, "a21004": 80.0}
    return [Point(mn=sim_mn(i), password=password, org="cq-sthjj", st="22",
                  name=f"{DISTRICTS[i % len(DISTRICTS)]}空气自动站{i + 1:03d}",
                  factors=tuple(AIR_FACTORS), limits=limits, interval=interval) for i in range(count)]


@dataclass(frozen=True)
class SimLogger:
    """One logger to play: its MN, PW, system type and factors (code -> (mean, spread, decimals))."""

    mn: str
    password: str
    st: str
    factors: dict[str, tuple[float, float, int]]


@dataclass(frozen=True)
class SimulatorOptions:
    loggers: int = 10
    interval: float = 5.0
    duration: float = 30.0
    burst: bool = False
    window: int = 8
    late_ratio: float = 0.0
    split_ratio: float = 0.0
    bad_crc_ratio: float = 0.0
    legacy_ratio: float = 0.0
    password: str = "123456"
    drain: float = 3.0
    reconnect: bool = True
    seed: int = 212
    fleet: tuple[SimLogger, ...] = ()  # given: these loggers instead of ``loggers`` simulated air stations
    history_minutes: int = 0  # first send this many past minutes as minute data (CN=2051), then live
    first_logger: int = 0  # simulated MNs start at this number (several simulator processes)
    history_only: bool = False  # stop once the history is sent (and acknowledged, within ``drain``)


@dataclass
class Summary:
    sent: int = 0
    acked: int = 0
    expected_acks: int = 0
    refused: int = 0
    bad_crc_sent: int = 0
    errors: int = 0
    elapsed: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    sent_qns: set[tuple[str, str]] = field(default_factory=set)
    acked_qns: set[tuple[str, str]] = field(default_factory=set)

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def as_dict(self) -> dict[str, float | int]:
        return {"sent": self.sent, "acked": self.acked, "expected_acks": self.expected_acks,
                "refused": self.refused, "bad_crc_sent": self.bad_crc_sent, "errors": self.errors, "elapsed_s": round(self.elapsed, 3),
                "acks_per_second": round(self.acked / self.elapsed, 1) if self.elapsed else 0.0,
                "ack_p50_ms": round(self.percentile(0.5), 2), "ack_p99_ms": round(self.percentile(0.99), 2)}


_STAMPS: dict[int, str] = {}


def _second_stamp(second: int) -> str:
    """``YYYYMMDDhhmmss`` in Beijing time, formatted once per second for all loggers."""
    stamp = _STAMPS.get(second)
    if stamp is None:
        if len(_STAMPS) >= 8:  # now and an hour ago (late frames) stay
            _STAMPS.clear()
        stamp = _STAMPS[second] = datetime.fromtimestamp(second, CHINA).strftime("%Y%m%d%H%M%S")
    return stamp


def _now() -> datetime:
    return datetime.now(CHINA).replace(tzinfo=None, microsecond=0)


def _escaped(text: str) -> str:
    return text.replace("%", "%%")


def _reply_ids(segment: bytes) -> tuple[str, str]:
    """QN and CN of a reply; replies start ``QN=…;ST=91;CN=…`` (anything else is parsed in full)."""
    end, cn_at = segment.find(b";", 3), segment.find(b";CN=")
    if not segment.startswith(b"QN=") or end < 0 or cn_at < 0:
        header = parse_header(segment)
        return header.qn or "", header.cn
    return segment[3:end].decode("ascii", "replace"), segment[cn_at + 4:cn_at + 8].decode("ascii", "replace")


class _Logger:
    def __init__(self, index: int, options: SimulatorOptions, summary: Summary) -> None:
        own = options.fleet[index] if options.fleet else SimLogger(sim_mn(options.first_logger + index),
                                                                   options.password, "22", AIR_FACTORS)
        self.mn, self.password, self.st, self.factor_table = own.mn, own.password, own.st, own.factors
        self.history = options.history_minutes
        self.options = options
        self.summary = summary
        self.rng = random.Random(options.seed * 100_003 + index)
        self.pending: dict[str, float] = {}
        self.window = asyncio.Semaphore(options.window)
        self._last_ms = 0
        # the usual real-time frame as a %-template (QN, DataTime, then one value per factor), made by
        # build_segment itself; values keep _value's distribution and random draws
        items = ";".join(f"{_escaped(code)}-Rtd=%s,{_escaped(code)}-Flag=N" for code in self.factor_table)
        self._realtime = build_segment(qn="%s", st=_escaped(self.st), cn="2011", pw=_escaped(self.password),
                                       mn=_escaped(self.mn), cp="DataTime=%s;" + items, flag=5)
        self._draws = [(mean, spread, f"%.{decimals}f") for mean, spread, decimals in self.factor_table.values()]

    def next_qn(self) -> str:
        self._last_ms = max(int(time.time() * 1000), self._last_ms + 1)
        return _second_stamp(self._last_ms // 1000) + f"{self._last_ms % 1000:03d}"

    def _value(self, code: str) -> str:
        mean, spread, decimals = self.factor_table[code]
        value = max(0.0, mean + spread * (self.rng.random() + self.rng.random() - 1.0))
        return f"{value:.{decimals}f}"

    def _cp(self, when: datetime, codes: list[str]) -> str:
        items = [f"{code}-Rtd={self._value(code)},{code}-Flag=N" for code in codes]
        return f"DataTime={when:%Y%m%d%H%M%S};" + ";".join(items)

    def _minute_cp(self, when: datetime) -> str:
        items = []
        for code in self.factor_table:
            low, mean, high = sorted(float(self._value(code)) for _ in range(3))
            items.append(f"{code}-Min={low:g},{code}-Avg={mean:g},{code}-Max={high:g},{code}-Flag=N")
        return f"DataTime={when:%Y%m%d%H%M%S};" + ";".join(items)

    def _segment(self, qn: str, cp: str, flag: int | None = 5, pnum: int | None = None,
                 pno: int | None = None, cn: str = "2011") -> str:
        return build_segment(qn=qn, st=self.st, cn=cn, pw=self.password, mn=self.mn, cp=cp,
                             flag=flag, pnum=pnum, pno=pno)

    def _history_frame(self, now: datetime) -> list[tuple[bytes, str | None, bool]]:
        self.history -= 1
        when = now.replace(second=0) - timedelta(minutes=self.history + 1)
        qn = self.next_qn()
        return [(build_frame(self._segment(qn, self._minute_cp(when), cn="2051")), qn, False)]

    def _realtime_segment(self, qn: str, stamp: str) -> str:
        """``self._segment(qn, self._cp(when, all codes))`` for ``when`` given as its stamp."""
        rnd = self.rng.random
        values = [fmt % (value if (value := mean + spread * (rnd() + rnd() - 1.0)) > 0.0 else 0.0)
                  for mean, spread, fmt in self._draws]
        return self._realtime % (qn, stamp, *values)

    def frames(self) -> list[tuple[bytes, str | None, bool]]:
        """Next frames to send: (bytes, QN expecting a 9014, split the write)."""
        o, roll = self.options, self.rng.random()
        if self.history > 0:
            return self._history_frame(_now())
        unusual = o.bad_crc_ratio + o.legacy_ratio + o.split_ratio
        if roll < unusual:
            return self._unusual_frames(roll, _now())
        second = int(time.time())
        if roll - unusual < o.late_ratio:
            second -= 3600
        qn = self.next_qn()
        return [(build_frame(self._realtime_segment(qn, _second_stamp(second))), qn, False)]

    def _unusual_frames(self, roll: float, now: datetime) -> list[tuple[bytes, str | None, bool]]:
        """A bad-CRC, 2005-style or split upload, as the options' ratios ask (``roll`` below their sum)."""
        o = self.options
        codes = list(self.factor_table)
        if roll < o.bad_crc_ratio:
            qn = self.next_qn()
            self.summary.bad_crc_sent += 1
            frame = build_frame(self._segment(qn, self._cp(now, codes)))
            return [(frame[:-6] + (b"0000" if frame[-6:-2] != b"0000" else b"FFFF") + b"\r\n", None, False)]
        roll -= o.bad_crc_ratio
        if roll < o.legacy_ratio:
            cp = f"DataTime={now:%Y%m%d%H%M%S};B02-Rtd=35.2;01-Rtd=12.5,01-Flag=N;02-Rtd=8.1,02-Flag=N"
            segment = build_segment(st="31", cn="2011", pw=self.password, mn=self.mn, cp=cp)
            return [(build_frame(segment), None, False)]
        halves = (codes[:3], codes[3:])
        qns = [self.next_qn() for _ in halves]
        return [(build_frame(self._segment(qn, self._cp(now, part), 7, 2, n + 1)), qn, True)
                for n, (qn, part) in enumerate(zip(qns, halves, strict=True))]

    async def run(self, host: str, port: int, deadline: float) -> None:
        if not self.options.burst:
            # loggers are not synchronised: each starts somewhere in the first interval
            await asyncio.sleep(self.rng.random() * self.options.interval)
        while time.monotonic() < deadline:
            try:
                reader, writer = await asyncio.open_connection(host, port)
            except OSError:
                self.summary.errors += 1
                await asyncio.sleep(0.2)
                if not self.options.reconnect:
                    return
                continue
            await self._session(reader, writer, deadline)
            if not self.options.reconnect:
                return

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                       deadline: float) -> None:
        acks = asyncio.create_task(self._read_acks(reader))
        try:
            await self._send_until(writer, deadline, acks)
            end = time.monotonic() + self.options.drain
            while self.pending and time.monotonic() < end and not acks.done():
                await asyncio.sleep(0.02)
        except OSError:
            self.summary.errors += 1
        finally:
            acks.cancel()
            self.pending.clear()
            self.window = asyncio.Semaphore(self.options.window)
            writer.close()

    async def _send_until(self, writer: asyncio.StreamWriter, deadline: float, acks: asyncio.Task[None]) -> None:
        next_at = time.monotonic()
        queued: list[bytes] = []  # frames go out together until the logger has to wait for acks
        while time.monotonic() < deadline and not acks.done():
            catching_up = self.history > 0
            for data, qn, split in self.frames():
                if qn is not None and (self.options.burst or catching_up):
                    if queued and self.window.locked():
                        await self._send(writer, queued)
                    await self.window.acquire()
                self._count_sent(qn)
                if split:
                    await self._send(writer, queued)
                    await self._write_split(writer, data)
                else:
                    queued.append(data)
            if catching_up and self.history == 0 and self.options.history_only:
                break
            if catching_up:
                next_at = time.monotonic()
            elif not self.options.burst:
                await self._send(writer, queued)
                next_at += self.options.interval
                await asyncio.sleep(max(0.0, min(next_at, deadline) - time.monotonic()))
        await self._send(writer, queued)

    def _count_sent(self, qn: str | None) -> None:
        if qn is not None:
            self.pending[qn] = time.perf_counter()
            self.summary.expected_acks += 1
            self.summary.sent_qns.add((self.mn, qn))
        self.summary.sent += 1

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, queued: list[bytes]) -> None:
        if queued:
            writer.write(b"".join(queued) if len(queued) > 1 else queued[0])
            queued.clear()
            await writer.drain()

    @staticmethod
    async def _write_split(writer: asyncio.StreamWriter, data: bytes) -> None:
        for piece in (data[:5], data[5:len(data) // 2], data[len(data) // 2:]):
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(0.005)

    async def _read_acks(self, reader: asyncio.StreamReader) -> None:
        framer = StreamFramer()
        try:
            while chunk := await reader.read(65536):
                for event in framer.feed(chunk):
                    if isinstance(event, Frame):
                        self._on_reply(event)
        except OSError:
            self.summary.errors += 1  # the receiver went away; the session ends and reconnects
        finally:
            for _ in range(self.options.window):
                self.window.release()  # wake a sender waiting for acks that will never come

    def _on_reply(self, frame: Frame) -> None:
        qn, cn = _reply_ids(frame.segment)
        if cn == "9011":
            self.summary.refused += 1
        if cn != "9014" or qn not in self.pending:
            return
        sent_at = self.pending.pop(qn)
        self.summary.latencies_ms.append((time.perf_counter() - sent_at) * 1000)
        self.summary.acked += 1
        self.summary.acked_qns.add((self.mn, qn))
        self.window.release()


async def simulate(host: str, port: int, options: SimulatorOptions) -> Summary:
    summary = Summary()
    count = len(options.fleet) if options.fleet else options.loggers
    loggers = [_Logger(i, options, summary) for i in range(count)]
    started = time.monotonic()
    deadline = started + options.duration
    await asyncio.gather(*(logger.run(host, port, deadline) for logger in loggers))
    summary.elapsed = time.monotonic() - started
    return summary
