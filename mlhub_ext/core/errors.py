"""Error codes and the one table that maps them to HTTP statuses.

Every error the registry raises is an :class:`MLHubError` carrying a code; the REST
boundary turns it into ``{"error": {"code", "message"}}`` with the status from
:data:`HTTP_STATUS`. Python callers see the same class with the same message.
"""
from __future__ import annotations

from enum import Enum
from typing import Any


class ErrorCode(str, Enum):
    MALFORMED = "malformed"              # body is not JSON / wrong shape
    INVALID = "invalid"                  # well-formed but fails validation
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    CONFLICT = "conflict"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    RATE_LIMITED = "rate_limited"
    TOO_LARGE = "too_large"
    SCHEMA_OUTDATED = "schema_outdated"
    UNAVAILABLE = "unavailable"
    INTERNAL = "internal"


HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.MALFORMED: 400,
    ErrorCode.INVALID: 422,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.CONFLICT: 409,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.TOO_LARGE: 413,
    ErrorCode.SCHEMA_OUTDATED: 503,
    ErrorCode.UNAVAILABLE: 503,
    ErrorCode.INTERNAL: 500,
}


class MLHubError(Exception):
    """An error with a code from :class:`ErrorCode` and a message meant for the user."""

    def __init__(self, code: ErrorCode, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = ErrorCode(code)
        self.message = message
        self.details = details

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.code]

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code.value, "message": self.message}
        if self.details:
            body["details"] = self.details
        return {"error": body}

    @classmethod
    def from_json(cls, body: dict[str, Any], status: int | None = None) -> "MLHubError":
        err = body.get("error", {}) if isinstance(body, dict) else {}
        try:
            code = ErrorCode(err.get("code", "internal"))
        except ValueError:
            code = ErrorCode.INTERNAL
        return cls(code, str(err.get("message", f"HTTP {status}")), **(err.get("details") or {}))

    def __repr__(self) -> str:
        return f"MLHubError({self.code.value!r}, {self.message!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors raised on Dask workers travel back pickled; keep code and details.
        return (_rebuild, (self.code.value, self.message, self.details))


def _rebuild(code: str, message: str, details: dict[str, Any]) -> MLHubError:
    return MLHubError(ErrorCode(code), message, **details)


def not_found(kind: str, ident: Any) -> MLHubError:
    return MLHubError(ErrorCode.NOT_FOUND, f"{kind} {ident!r} not found")


def invalid(message: str, **details: Any) -> MLHubError:
    return MLHubError(ErrorCode.INVALID, message, **details)


def malformed(message: str) -> MLHubError:
    return MLHubError(ErrorCode.MALFORMED, message)


def conflict(message: str) -> MLHubError:
    return MLHubError(ErrorCode.CONFLICT, message)


def forbidden(message: str) -> MLHubError:
    return MLHubError(ErrorCode.FORBIDDEN, message)
