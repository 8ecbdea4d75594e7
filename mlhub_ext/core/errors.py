"""Error codes and the one table that maps them to HTTP statuses.

Every error the registry raises is an :class:`MLHubError` carrying a code; the REST
boundary turns it into ``{"error": {"code", "message"}}`` with the status from
:data:`HTTP_STATUS`. Python callers see the same class with the same message.
"""
from __future__ import annotations

import errno
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
    INSUFFICIENT_STORAGE = "insufficient_storage"   # the artifact storage is full or read-only
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
    ErrorCode.INSUFFICIENT_STORAGE: 507,
    ErrorCode.INTERNAL: 500,
}

# Error messages quote at most this many characters of an offending value.
MAX_QUOTED = 100
# No message is longer (a last resort: values are quoted with quoted() first).
MAX_MESSAGE = 2000


def quoted(value: Any, limit: int = MAX_QUOTED) -> str:
    """``repr(value)`` for an error message, cut to ``limit`` characters with an ellipsis and
    the value's length when longer: ``'aaaa…' (1,000,000 characters)``. A message never
    echoes a megabyte a client sent."""
    text = repr(value)
    if len(text) <= limit:
        return text
    if isinstance(value, str):
        size = f"{len(value):,} characters"
    elif isinstance(value, (bytes, bytearray)):
        size = f"{len(value):,} bytes"
    elif isinstance(value, (list, tuple, dict, set, frozenset)):
        size = f"{len(value):,} items"
    else:
        size = f"{len(text):,} characters as text"
    return f"{text[:limit]}… ({size})"


class MLHubError(Exception):
    """An error with a code from :class:`ErrorCode` and a message meant for the user."""

    def __init__(self, code: ErrorCode, message: str, **details: Any) -> None:
        if len(message) > MAX_MESSAGE:   # a value echoed whole somewhere: cut, saying so
            message = f"{message[:MAX_MESSAGE]}… (message cut; {len(message):,} characters)"
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
    return MLHubError(ErrorCode.NOT_FOUND, f"{kind} {quoted(ident)} not found")


def invalid(message: str, **details: Any) -> MLHubError:
    return MLHubError(ErrorCode.INVALID, message, **details)


def malformed(message: str) -> MLHubError:
    return MLHubError(ErrorCode.MALFORMED, message)


def conflict(message: str) -> MLHubError:
    return MLHubError(ErrorCode.CONFLICT, message)


def forbidden(message: str) -> MLHubError:
    return MLHubError(ErrorCode.FORBIDDEN, message)


# Write failures that say something about the storage, not about the request.
_STORAGE_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
_STORAGE_READ_ONLY = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})


def storage_error(exc: BaseException, doing: str) -> MLHubError | None:
    """The ``insufficient_storage`` (507) error for an ``OSError`` of a full or read-only
    storage (or such an error raised deeper down, told again as ``doing``), else None.

    ``doing`` says what failed ("storing the file"); the message never names a server path
    (``exc`` carries one), only what to do about it. ``details.reason``: ``full`` or ``read_only``.
    """
    if isinstance(exc, MLHubError):
        if exc.code != ErrorCode.INSUFFICIENT_STORAGE:
            return None
        full = exc.details.get("reason") == "full"
    elif isinstance(exc, OSError) and exc.errno in _STORAGE_FULL | _STORAGE_READ_ONLY:
        full = exc.errno in _STORAGE_FULL
    else:
        return None
    if full:
        state, remedy = "is full", "free space in the server's artifact storage (or raise its quota)"
    else:
        state, remedy = "is read-only or not writable by the server", \
            "make the server's artifact storage writable"
    return MLHubError(ErrorCode.INSUFFICIENT_STORAGE,
                      f"{doing} failed: the server's artifact storage {state}. "
                      f"Ask the administrator to {remedy}, then send the same request again.",
                      reason="full" if full else "read_only")
