"""The source-type seam: what every harvester implements and what the runner hands it.

A source type only lists, fetches and maps; the runner (``harvesters.runner``) owns every piece of
bookkeeping (jobs, items, hashes, provenance, withdrawals).  ``to_record`` must be pure: given the
same raw bytes and source configuration it returns the same record, so a mapping can be re-run
over stored raw records without touching the network.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from catalog.errors import EcodataError, Location, Problem

if TYPE_CHECKING:
    from harvesters.http import HttpClient

SHARE_TYPES = ("无条件共享", "有条件共享", "不予共享")
OPEN_TYPES = ("无条件开放", "有条件开放", "不予开放")


@dataclass(frozen=True)
class RemoteRef:
    """A record as a listing names it, before it is fetched."""

    remote_id: str
    modified: datetime | None = None
    url: str | None = None


@dataclass(frozen=True)
class RawRecord:
    """One remote record exactly as received; kept so the mapping can be re-run later."""

    remote_id: str
    content: bytes
    content_type: str
    url: str | None
    modified: datetime | None


@dataclass
class MappedRecord:
    """A profile record (without ``organization``: the runner sets it) and mapping problems."""

    record: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class SourceConfig:
    """Everything a source type may know about the source it harvests."""

    name: str
    type: str
    url: str
    options: dict[str, Any] = field(default_factory=dict)
    org: str = ""
    share_type: str = "无条件共享"
    open_type: str = "无条件开放"
    update_cycle: str = "不定期"
    theme: str = "general"
    share_condition: str | None = None
    open_condition: str | None = None
    share_basis: str | None = None
    open_basis: str | None = None
    allow_private: bool = False
    id: str | None = None

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)

    def defaults(self) -> dict[str, Any]:
        """The national fields every record from this source starts from."""
        out: dict[str, Any] = {
            "share_type": self.share_type,
            "open_type": self.open_type,
            "update_cycle": self.update_cycle,
            "themes": [self.theme],
        }
        for key in ("share_condition", "open_condition", "share_basis", "open_basis"):
            value = getattr(self, key)
            if value:
                out[key] = value
        return out


@runtime_checkable
class SourceType(Protocol):
    name: str
    options_schema: dict[str, Any]

    def list_records(self, source: SourceConfig, since: datetime | None,
                     http: HttpClient) -> Iterator[RemoteRef | RawRecord]:
        """Yield what exists upstream (modified after ``since`` when the source can filter).

        May yield :class:`RawRecord` directly when the listing already carries full records.
        """
        ...

    def fetch(self, source: SourceConfig, ref: RemoteRef, http: HttpClient) -> RawRecord:
        ...

    def to_record(self, raw: RawRecord, source: SourceConfig) -> MappedRecord:
        """PURE mapping from raw bytes to a profile record."""
        ...


class HarvestError(EcodataError):
    """The source as a whole could not be harvested (network, TLS, unparsable listing)."""

    status = 502
    code = "harvest_error"


class RecordError(EcodataError):
    """One record could not be fetched or parsed; the job goes on without it."""

    status = 422
    code = "harvest_record_error"


def problem(code: str, message: str, message_en: str, remote_id: str | None = None,
            field_name: str | None = None) -> Problem:
    return Problem(code, message, message_en, Location(record=remote_id, field=field_name))


def harvest_extras(values: dict[str, Any]) -> dict[str, Any]:
    """Flatten unmapped source fields into ``harvest_``-prefixed scalar extras."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None or value == "" or value == [] or value == {}:
            continue
        name = key if key.startswith("harvest_") else f"harvest_{key}"
        out[name] = value if isinstance(value, str | int | float | bool) else _compact(value)
    return out


def _compact(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
