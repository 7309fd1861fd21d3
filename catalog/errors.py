"""Errors as data: a stable code, a message a clerk can act on, and where it happened.

Every layer raises or collects :class:`Problem` objects; the portal turns them into
its one JSON error shape per API.  Messages are Chinese first, English second.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Location:
    """Where a problem sits: any of record, row, field, file, line may be set."""

    record: str | None = None
    row: int | None = None
    field: str | None = None
    file: str | None = None
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    message_en: str = ""
    location: Location = field(default_factory=Location)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.message_en:
            out["message_en"] = self.message_en
        loc = self.location.as_dict()
        if loc:
            out["location"] = loc
        return out


class EcodataError(Exception):
    """Base error.  ``status`` is the HTTP status an API maps it to."""

    status = 400
    code = "error"

    def __init__(self, message: str, message_en: str = "", *, problems: list[Problem] | None = None,
                 code: str | None = None) -> None:
        super().__init__(message_en or message)
        self.message = message
        self.message_en = message_en
        self.problems = problems or []
        if code:
            self.code = code

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.message_en:
            out["message_en"] = self.message_en
        if self.problems:
            out["problems"] = [p.as_dict() for p in self.problems]
        return out


class ValidationFailed(EcodataError):
    status = 409
    code = "validation_error"


class NotFound(EcodataError):
    status = 404
    code = "not_found"


class Forbidden(EcodataError):
    status = 403
    code = "forbidden"


class Unauthorized(EcodataError):
    status = 401
    code = "unauthorized"


class Conflict(EcodataError):
    status = 409
    code = "conflict"
