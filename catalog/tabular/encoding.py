"""Text-encoding detection for uploaded tables: BOM, strict UTF-8, then charset-normalizer.

Departments send UTF-8 (with or without BOM) from newer systems and GBK/GB18030 from Excel on
Chinese Windows.  A wrong guess turns 重庆 into mojibake silently, so every candidate must decode
the whole file strictly before it is accepted.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from charset_normalizer import from_bytes

SAMPLE_BYTES = 256 * 1024
_CHUNK = 4 << 20
# The detector only chooses among the legacy Chinese encodings we accept; left free it calls short
# GBK files Korean or Japanese.
_LEGACY = ["gb18030", "cp950"]
# Tried in order when the detector's guess fails the strict check.
_FALLBACKS = ("gbk", "gb18030", "cp950")


class EncodingError(ValueError):
    """No supported encoding decodes the file without errors."""


def decodes_strictly(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path, *, trust_utf8_sample: bool = False) -> str:
    """Return a Python codec name that decodes the whole file: utf-8, utf-8-sig, gbk, gb18030, cp950.

    ``trust_utf8_sample`` skips the whole-file check when the sample is UTF-8, for callers (the
    pyarrow CSV reader) that validate UTF-8 themselves and retry on failure.
    """
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if trust_utf8_sample and _utf8_sample(sample):
        return "utf-8"
    for candidate in _candidates(sample):
        if decodes_strictly(path, candidate):
            return candidate
    raise EncodingError(f"{path.name}: not UTF-8, GBK, GB18030 or Big5 (CP950)")


def _utf8_sample(sample: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")(errors="strict").decode(sample)  # a cut character is fine
    except UnicodeDecodeError:
        return False
    return True


def _candidates(sample: bytes) -> list[str]:
    ordered = ["utf-8"]
    guess = from_bytes(sample, cp_isolation=_LEGACY).best()
    if guess is not None and guess.encoding == "cp950":
        ordered.append("cp950")
    # GBK is preferred over its superset GB18030 when it decodes the whole file, to record what was sent.
    ordered.extend(_FALLBACKS)
    return list(dict.fromkeys(ordered))
