"""JSON request bodies of the SDK, encoded here rather than inside ``requests``.

``requests`` reports a body it cannot encode (a NaN, a ``datetime``) as a connection
failure, which the SDK used to turn into "cannot reach ML Hub". Encoding first lets the
error name the value: which field, which row, and what to send instead.

Accepted besides plain JSON values: numpy scalars and arrays (as their Python values).
Refused with ``MLHubError(INVALID)``: NaN and ±infinity (plain JSON has no literal for
them), and objects of any other type.
"""
from __future__ import annotations

import json
import math
from typing import Any, Iterator

from ..core.errors import ErrorCode, MLHubError, quoted

__all__ = ["encode_json", "find_unencodable"]


def _plain(o: Any) -> Any:
    """numpy scalars and arrays as Python values (without importing numpy)."""
    if type(o).__module__ == "numpy":
        if hasattr(o, "tolist"):
            return o.tolist()
    raise TypeError(f"{type(o).__name__} is not JSON serialisable")


def encode_json(body: Any, what: str = "the request") -> bytes:
    """``body`` as compact UTF-8 JSON; raises ``MLHubError(INVALID)`` naming the first value
    that JSON cannot carry (see :func:`find_unencodable`)."""
    try:
        return json.dumps(body, allow_nan=False, default=_plain, separators=(",", ":"),
                          ensure_ascii=False).encode("utf-8", "surrogatepass")
    except (ValueError, TypeError, RecursionError) as exc:
        found = find_unencodable(body)
        if found is None:  # e.g. a circular reference
            raise MLHubError(ErrorCode.INVALID, f"{what} cannot be sent as JSON: {exc}") from None
        path, value = found
        raise MLHubError(ErrorCode.INVALID, f"{what} cannot be sent: {_describe(path, value)}",
                         field=_dotted(path)) from None


def find_unencodable(body: Any) -> tuple[list[str | int], Any] | None:
    """The path (keys and indexes) and value of the first thing in ``body`` that
    :func:`encode_json` refuses, or None."""
    for path, value in _walk(body):
        if isinstance(value, float) and not math.isfinite(value):
            return path, value
        if not isinstance(value, (str, int, float, bool, type(None), dict, list, tuple)):
            try:
                plain = _plain(value)
            except TypeError:
                return path, value
            inner = find_unencodable(plain)
            if inner is not None:
                return path + inner[0], inner[1]
    return None


def _walk(value: Any, path: list[str | int] | None = None) -> Iterator[tuple[list[str | int], Any]]:
    stack: list[tuple[list[str | int], Any]] = [(path or [], value)]
    while stack:
        at, v = stack.pop()
        yield at, v
        if isinstance(v, dict):
            stack.extend((at + [str(k)], x) for k, x in reversed(list(v.items())))
        elif isinstance(v, (list, tuple)):
            stack.extend((at + [i], x) for i, x in reversed(list(enumerate(v))))


def _dotted(path: list[str | int]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out or "the body"


def _describe(path: list[str | int], value: Any) -> str:
    where = _dotted(path)
    if len(path) >= 2 and path[0] == "inputs" and isinstance(path[1], int):
        row = path[1]
        where += f" (row {row}" + (f", column {quoted(path[2])})" if len(path) > 2 else ")")
    if isinstance(value, float):
        if math.isnan(value):
            remedy = ("a missing value: send None for it where missing values are allowed, or drop or "
                      "fill the row (df.dropna(), df.fillna())") if path[:1] == ["inputs"] else \
                "pass a finite number (or leave the field out)"
        else:
            remedy = "pass a finite number"
        return f"{where} is {value!r}, which JSON cannot carry; {remedy}"
    kind = f"{type(value).__module__}.{type(value).__qualname__}"
    return (f"{where} is a {kind} ({quoted(value, 60)}), which JSON cannot carry; "
            "convert it to a number, string, list or dict")
