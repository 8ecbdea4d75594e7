"""What every ML Hub handler shares: JSON in and out, errors as JSON, the acting user."""
from __future__ import annotations

import asyncio
import functools
import json
import logging
from typing import Any, Awaitable, Callable, TypeVar

import numpy as np
import orjson
from tornado import web

from ...core.access import Caller
from ...core.entities import ApiToken, TokenScope
from ...core.errors import ErrorCode, MLHubError, invalid, malformed, quoted, storage_error
from ...core.service import Registry
from ...services.container import SETTINGS_KEY, Services

log = logging.getLogger("mlhub.server")
T = TypeVar("T")

API_PREFIX = "mlhub/api/v1"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

HTTP_TO_CODE = {
    400: ErrorCode.MALFORMED, 401: ErrorCode.UNAUTHENTICATED, 403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND, 405: ErrorCode.METHOD_NOT_ALLOWED, 409: ErrorCode.CONFLICT, 413: ErrorCode.TOO_LARGE,
    422: ErrorCode.INVALID, 429: ErrorCode.RATE_LIMITED,
}

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _json_default(o: Any) -> Any:
    if hasattr(o, "to_json"):
        return o.to_json()
    if hasattr(o, "isoformat"):
        return o.isoformat()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def dumps(obj: Any) -> bytes:
    """JSON for the wire. Non-finite floats never reach here raw: metric values are
    encoded as "NaN"/"Infinity" by the entities, and request bodies refuse NaN literals,
    so orjson (which would write them as null) is safe and several times faster."""
    return orjson.dumps(obj, default=_json_default, option=orjson.OPT_SERIALIZE_NUMPY)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON; send non-finite numbers as the strings \"NaN\", "
                     "\"Infinity\" or \"-Infinity\"")


# Limits on JSON request bodies (docs/api.md "Limits"): checked before the body is parsed,
# so that neither a huge nor a deeply nested body reaches the decoder (whose recursion a
# body of 100,000 '[' would exhaust).
MAX_JSON_BYTES = 32 * 1024 * 1024
MAX_JSON_DEPTH = 64


def json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in ``raw`` (brackets inside strings not
    counted), found without decoding it: a few vectorised passes, about 1 ms per MB.

    Escaped backslashes and quotes are removed first (left to right, as a decoder pairs
    them), so every quote left delimits a string. Invalid JSON gives some count that the
    decoder then refuses anyway.
    """
    if b"\\" in raw:
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    codes = np.frombuffer(raw, dtype=np.uint8)
    in_string = np.bitwise_xor.accumulate((codes == ord('"')).view(np.uint8))
    opens = (codes == ord("[")) | (codes == ord("{"))
    at = np.flatnonzero((opens | (codes == ord("]")) | (codes == ord("}"))) & (in_string == 0))
    if not at.size:
        return 0
    return int(np.cumsum(np.where(opens[at], 1, -1), dtype=np.int64).max())


def _huge_float(doc: Any) -> bool:
    """Whether decoded JSON holds a float of magnitude 2**63 or more (maybe an integer beyond
    64 bits that orjson read as a float)."""
    stack = [doc]
    while stack:
        x = stack.pop()
        t = type(x)
        if t is float:
            if not -_I64 < x < _I64:   # NaN never comes from orjson
                return True
        elif t is dict:
            stack.extend(x.values())
        elif t is list:
            stack.extend(x)
    return False


_I64 = 2.0 ** 63


def parse_json(raw: bytes | str, what: str = "request body") -> Any:
    """Decode a JSON document from a client, refusing it whole before decoding if it is above
    :data:`MAX_JSON_BYTES` (413 ``too_large``) or nested deeper than :data:`MAX_JSON_DEPTH`
    (400 ``malformed``); invalid JSON and NaN/Infinity literals are 400 ``malformed``."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if len(data) > MAX_JSON_BYTES:
        raise MLHubError(ErrorCode.TOO_LARGE, f"{what} is {len(data):,} bytes; JSON bodies may be at most "
                         f"{MAX_JSON_BYTES:,} bytes (send files as uploads or artifacts)")
    # Fewer brackets than the limit cannot nest deeper than it: most bodies skip the scan.
    depth = 0 if data.count(b"[") + data.count(b"{") <= MAX_JSON_DEPTH else json_depth(data)
    if depth > MAX_JSON_DEPTH:
        raise malformed(f"{what} nests arrays/objects {depth:,} levels deep; at most {MAX_JSON_DEPTH} are allowed")
    if b"\\u0000" not in data:
        # The fast path: orjson refuses NaN/Infinity and lone surrogates (read again below for
        # the precise error); what it would take that the stores cannot hold goes the slow
        # way: a NUL escape (PostgreSQL text cannot store it) and a float beyond 64-bit
        # integers (orjson reads an integer beyond 64 bits as one).
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
        else:
            if not _huge_float(doc):
                return doc
    try:
        doc = json.loads(data, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as e:
        raise malformed(f"{what} is not valid JSON: {e}") from None
    check_storable(doc, what)
    return doc


def check_storable(doc: Any, what: str = "request body") -> None:
    """Refuse decoded JSON that no store or answer can hold, naming where it is: an integer
    outside 64 bits or a string holding NUL (``"\\u0000"``, which PostgreSQL text and JSONB
    cannot store) (422 ``invalid``), or a string with a lone surrogate escape such as
    ``"\\ud800"``, which is not Unicode (400 ``malformed``). Python's decoder accepts them;
    the databases, orjson and every client's UTF-8 do not."""
    try:
        # The fast path: what orjson writes, the answers hold; NUL is escaped in what it writes.
        if b"\\u0000" not in orjson.dumps(doc):
            return
    except orjson.JSONEncodeError:
        pass
    found = _unstorable(doc, "")
    if found is None:
        return
    where, value = found
    at = f"{what} at {where}" if where else what
    if isinstance(value, int):
        raise invalid(f"{at}: the integer {quoted(value)} does not fit in 64 bits "
                      f"(-2**63 to 2**64-1); send it as a string or a float")
    if "\x00" in value:
        raise invalid(f"{at}: {quoted(value)} holds a NUL character (\\u0000), which ML Hub cannot store")
    raise malformed(f"{at}: {quoted(value)} holds a lone UTF-16 surrogate escape (\\ud800-\\udfff), "
                    "which is not valid Unicode")


def _unstorable(doc: Any, where: str) -> tuple[str, Any] | None:
    """The JSON path and value of the first integer beyond 64 bits or string (value or key)
    with a lone surrogate or NUL in ``doc``; None if there is none. Depth is bounded by
    :data:`MAX_JSON_DEPTH`, checked before decoding."""
    if isinstance(doc, bool):
        return None
    if isinstance(doc, int):
        return None if -2**63 <= doc < 2**64 else (where, doc)
    if isinstance(doc, str):
        try:
            doc.encode("utf-8")
            return (where, doc) if "\x00" in doc else None
        except UnicodeEncodeError:
            return where, doc
    if isinstance(doc, list):
        for i, item in enumerate(doc):
            if (found := _unstorable(item, f"{where}[{i}]")) is not None:
                return found
    elif isinstance(doc, dict):
        for key, item in doc.items():
            # The path goes into the message: surrogates escaped, long keys cut.
            name = (key[:100].encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
                    if isinstance(key, str) else str(key))
            path = f"{where}.{name}" if where else name
            if (found := _unstorable(key, path)) is not None or (found := _unstorable(item, path)) is not None:
                return found
    return None


def refuse_nul(query: dict[str, list[bytes]], path_kwargs: dict[str, Any], path_args: tuple[Any, ...]) -> None:
    """A NUL character in a path or query parameter is a 422 naming it: PostgreSQL refuses
    NUL even in a lookup, and no stored name can hold one."""
    for name, values in query.items():
        if "\x00" in name or any(b"\x00" in v for v in values):
            raise invalid(f"query parameter {quoted(name)} holds a NUL character (%00), which no ML Hub value can")
    for name, value in [*path_kwargs.items(), *enumerate(path_args)]:
        if isinstance(value, str) and "\x00" in value:
            raise invalid(f"path parameter {quoted(name)} ({quoted(value)}) holds a NUL character (%00), "
                          "which no ML Hub name can")


def bearer_token(handler: web.RequestHandler) -> str:
    """The token from ``Authorization: token|Bearer T`` or, for WebSockets, ``?token=T``."""
    scheme, _, value = handler.request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() in ("token", "bearer") and value.strip():
        return value.strip()
    return handler.get_query_argument("token", "")


def api(method: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """Require an authenticated caller; unauthenticated requests get a 401 JSON error."""

    @functools.wraps(method)
    async def wrapper(self: "MLHubAPIMixin", *args: Any, **kwargs: Any) -> None:
        if not self.current_user:
            raise MLHubError(ErrorCode.UNAUTHENTICATED, self.auth_hint())
        token = self.api_token()
        # A POST that only reads (a query too big for a URL) is a read: read-only tokens may send it.
        writes = self.request.method in WRITE_METHODS and not (
            self.request.method == "POST" and getattr(self, "post_reads_only", False))
        if token is not None and token.scope == TokenScope.READ and writes:
            raise MLHubError(ErrorCode.FORBIDDEN, f"API token {quoted(token.note or token.prefix)} is read-only: "
                             f"it may read but not {self.request.method} here; use a read-write token")
        limiter = self.settings.get("mlhub.rate_limiter")
        if limiter is not None and writes:
            limiter.check(self.acting_user())
        refuse_nul(self.request.query_arguments, kwargs, args)
        await method(self, *args, **kwargs)

    return wrapper


class MLHubAPIMixin:
    """Mixed in front of a host ``RequestHandler`` subclass (see the package docstring)."""

    settings: dict[str, Any]
    request: Any
    current_user: Any

    @property
    def services(self) -> Services:
        """The application's services, built once by the host (``server/app.py``, ``server/standalone.py``)."""
        return self.settings[SETTINGS_KEY]

    @property
    def registry(self) -> Registry:
        return self.services.registry

    def auth_hint(self) -> str:
        parent = getattr(super(), "auth_hint", None)
        return parent() if parent else "authentication required"

    def api_token(self) -> ApiToken | None:
        """The ML Hub API token this request was authenticated with (None for other auth)."""
        _ = self.current_user   # hosts that resolve the caller lazily note the token doing so
        return getattr(self, "mlhub_token", None)

    def hub_token(self) -> str | None:
        """The caller's JupyterHub token on a hub service (their jobs run on a dask-gateway
        cluster opened with it); None elsewhere, and for ML Hub API tokens, which open none."""
        if self.settings.get("mlhub.mode") != "hub" or self.api_token() is not None:
            return None
        return bearer_token(self) or None  # type: ignore[arg-type]

    def acting_user(self) -> str:
        """The registry user for this request (the host decides how the caller is identified).

        A :class:`~mlhub_ext.core.access.Caller`: on a hub it carries the user's hub groups,
        so that what is shared with ``group:<g>`` reaches them.
        """
        token = self.api_token()
        fixed = self.settings.get("mlhub.local_user")
        if fixed and token is None:
            return Caller(str(fixed))
        user = self.current_user
        if isinstance(user, dict):
            return Caller(str(user["name"]), user.get("groups") or ())
        if token is not None:
            return Caller(token.user)
        if isinstance(user, str):
            return Caller(user)
        return Caller(str(getattr(user, "username", None) or getattr(user, "name")))

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a (blocking) registry call off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.services.executor, functools.partial(fn, *args, **kwargs))

    def json_body(self) -> dict[str, Any]:
        raw = self.request.body
        if not raw:
            raise malformed("request body must be a JSON object, got an empty body")
        body = parse_json(raw)
        if not isinstance(body, dict):
            raise malformed(f"request body must be a JSON object, got {type(body).__name__}")
        return body

    def write_json(self, obj: Any, status: int = 200) -> None:
        self.set_status(status)  # type: ignore[attr-defined]
        self.set_header("Content-Type", "application/json; charset=utf-8")  # type: ignore[attr-defined]
        self.finish(dumps(obj))  # type: ignore[attr-defined]

    def set_default_headers(self) -> None:
        super().set_default_headers()  # type: ignore[misc]
        for k, v in SECURITY_HEADERS.items():
            self.set_header(k, v)  # type: ignore[attr-defined]

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, MLHubError):
            err = exc
        elif isinstance(exc, web.HTTPError):
            code = HTTP_TO_CODE.get(exc.status_code, ErrorCode.INTERNAL if exc.status_code >= 500 else ErrorCode.MALFORMED)
            err = MLHubError(code, exc.log_message % exc.args if exc.log_message and exc.args else
                             (exc.log_message or exc.reason or self._reason))  # type: ignore[attr-defined]
            err.http_status_override = exc.status_code  # type: ignore[attr-defined]
        elif exc is None and status_code < 500:
            err = MLHubError(HTTP_TO_CODE.get(status_code, ErrorCode.MALFORMED), self._reason)  # type: ignore[attr-defined]
        elif exc is not None and (full := storage_error(exc, "the request")) is not None:
            err = full   # a full or read-only disk that no layer below turned into a 507 itself
        else:
            err = MLHubError(ErrorCode.INTERNAL, "internal server error; the server log has the details")
        status = getattr(err, "http_status_override", err.http_status)
        if status == 405:   # RFC 9110: a 405 lists what the route allows
            allowed = self.allowed_methods()
            self.set_header("Allow", ", ".join(allowed))  # type: ignore[attr-defined]
            err = MLHubError(ErrorCode.METHOD_NOT_ALLOWED, f"{quoted(self.request.method)} is not allowed on "
                             f"{self.request.path}; it allows {', '.join(allowed) or 'no method'}")
        self.set_status(status)  # type: ignore[attr-defined]
        if status == 401:
            self.set_header("WWW-Authenticate", 'token realm="mlhub"')  # type: ignore[attr-defined]
        if status == 429 and "retry_after" in err.details:
            self.set_header("Retry-After", str(err.details["retry_after"]))  # type: ignore[attr-defined]
        self.set_header("Content-Type", "application/json; charset=utf-8")  # type: ignore[attr-defined]
        self.finish(dumps(err.to_json()))  # type: ignore[attr-defined]

    def allowed_methods(self) -> list[str]:
        """The methods this route implements: those its handler class overrides."""
        return [m for m in ("GET", "POST", "PUT", "PATCH", "DELETE")
                if getattr(type(self), m.lower(), None) is not getattr(web.RequestHandler, m.lower())]

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, MLHubError) and value.http_status < 500:
            log.info("%s %s -> %s %s", self.request.method, self.request.path, value.http_status, value.message)
            return
        super().log_exception(typ, value, tb)  # type: ignore[misc]
