"""A zip streamed as it is written: constant memory, no temporary file, any size (zip64)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Response

_CHUNK = 1 << 20


class _Sink:
    """A write-only, non-seekable file for ZipFile; what is written is handed out in pieces."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.offset = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        out, self.parts = b"".join(self.parts), []
        return out


def zip_stream(descriptor: dict[str, Any], members: list[tuple[str, Path]]) -> Iterator[bytes]:
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:  # type: ignore[call-overload]
        zf.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=2))
        yield sink.drain()
        for arcname, path in members:
            info = zipfile.ZipInfo.from_file(path, arcname)
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as src, zf.open(info, "w", force_zip64=True) as dst:
                while chunk := src.read(_CHUNK):
                    dst.write(chunk)
                    yield sink.drain()
            yield sink.drain()
    yield sink.drain()


def zip_response(descriptor: dict[str, Any], members: list[tuple[str, Path]]) -> Response:
    return Response(zip_stream(descriptor, members), mimetype="application/zip", direct_passthrough=True)
