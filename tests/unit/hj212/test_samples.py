"""Every frame in shared/standards/hj212-samples.txt gets the verdict noted beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog import settings
from harvesters.hj212.errors import Hj212Error
from harvesters.hj212.framing import Frame, check_frame, crc_verdict
from harvesters.hj212.message import parse_message

SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "standards" / "hj212-samples.txt"


def _samples() -> list[tuple[str, str]]:
    if not SAMPLES.exists():
        return []
    out, verdict = [], ""
    for line in SAMPLES.read_text(encoding="utf-8").splitlines():
        if line.startswith("# source:"):
            verdict = line.split("|", 1)[1].strip()
        elif line.startswith("##"):
            out.append((line, verdict))
    return out


def _expected(verdict: str) -> str:
    if "CRC valid" in verdict:
        return "hj212"
    if "Modbus" in verdict:
        return "modbus"
    assert "CRC INVALID" in verdict, verdict
    return "bad"


def test_sample_file_present() -> None:
    if not SAMPLES.exists():
        if settings.load()["ECODATA_REQUIRE_SERVICES"]:
            pytest.fail(f"{SAMPLES} missing")
        pytest.skip(f"{SAMPLES} absent (shared folder not laid out beside the repository)")
    assert len(_samples()) == 30


@pytest.mark.parametrize(("line", "verdict"), _samples(), ids=lambda v: v[:24] if isinstance(v, str) else v)
def test_sample_verdict(line: str, verdict: str) -> None:
    raw = line.encode("utf-8") + b"\r\n"
    declared = int(verdict.split("len=")[1][:4])
    assert len(Frame(raw).segment) == declared
    expected = _expected(verdict)
    assert crc_verdict(Frame(raw).segment, Frame(raw).crc_field) == expected
    if expected == "hj212" or (expected == "modbus" and declared <= 1024):
        frame = check_frame(raw, accept_modbus=expected == "modbus")
        assert parse_message(frame.segment).header.mn in line
    if expected != "hj212":
        with pytest.raises(Hj212Error) as info:
            check_frame(raw, max_segment=2048)
        assert info.value.code == "hj212.bad_crc"
    if declared > 1024:
        with pytest.raises(Hj212Error) as info:
            check_frame(raw, accept_modbus=True)
        assert info.value.code == "hj212.too_long"
