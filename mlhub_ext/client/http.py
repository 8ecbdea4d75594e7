"""The one HTTP seam of the SDK: every request to the registry goes through here."""
from __future__ import annotations

from typing import Any

from ..core.errors import ErrorCode, MLHubError
from .config import Connection
from .jsonbody import encode_json

_STATUS_CODES = {
    400: ErrorCode.MALFORMED, 401: ErrorCode.UNAUTHENTICATED, 403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND, 409: ErrorCode.CONFLICT, 413: ErrorCode.TOO_LARGE,
    422: ErrorCode.INVALID, 429: ErrorCode.RATE_LIMITED, 502: ErrorCode.UNAVAILABLE,
    503: ErrorCode.UNAVAILABLE, 504: ErrorCode.UNAVAILABLE, 507: ErrorCode.INSUFFICIENT_STORAGE,
}
# Worth retrying later: the request may succeed unchanged.
TRANSIENT = frozenset({ErrorCode.UNAVAILABLE, ErrorCode.RATE_LIMITED, ErrorCode.INTERNAL,
                       ErrorCode.UNAUTHENTICATED, ErrorCode.SCHEMA_OUTDATED})


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` is an :class:`MLHubError` worth retrying (a predicate for
    ``tenacity.retry_if_exception``)."""
    return isinstance(exc, MLHubError) and exc.code in TRANSIENT


class HTTPClient:
    """A keep-alive session against one server; methods return decoded JSON."""

    def __init__(self, conn: Connection, timeout: float = 30.0) -> None:
        import requests  # imported here so `import mlhub_ext` stays cheap

        self.conn = conn
        self.timeout = timeout
        self._requests = requests
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"
        if conn.token:
            self.session.headers["Authorization"] = f"token {conn.token}"

    def clone(self) -> "HTTPClient":
        """A client with its own session, for use from another thread."""
        return HTTPClient(self.conn, self.timeout)

    def request(self, method: str, path: str, *, json: Any = None, data: bytes | None = None,
                params: dict[str, Any] | None = None, files: Any = None,
                headers: dict[str, str] | None = None, timeout: float | None = None,
                raw: bool = False) -> Any:
        """Send one request to ``<api>/<path>``; raise :class:`MLHubError` on failure."""
        url = self.conn.api + path.lstrip("/")
        hdrs = dict(headers or {})
        if json is not None:   # encoded here, so that a bad value is named (not "cannot reach")
            data = encode_json(json, f"{method} {path.split('?')[0]}")
        if data is not None and "Content-Type" not in hdrs:
            hdrs["Content-Type"] = "application/json"
        req = self._requests
        try:
            resp = self.session.request(method, url, data=data, params=params,
                                        files=files, headers=hdrs,
                                        timeout=timeout or self.timeout)
        except (req.ConnectionError, req.exceptions.ChunkedEncodingError) as exc:
            # Only a failed connection (or one that broke) means the server is unavailable.
            raise MLHubError(ErrorCode.UNAVAILABLE,
                             f"cannot reach ML Hub at {self.conn.url}: {exc}") from None
        except req.Timeout:
            raise MLHubError(ErrorCode.UNAVAILABLE,
                             f"ML Hub at {self.conn.url} did not answer {method} {path} within "
                             f"{timeout or self.timeout} s") from None
        except req.RequestException as exc:   # the request itself could not be built
            raise MLHubError(ErrorCode.INVALID, f"{method} {path} could not be sent: {exc}") from None
        if resp.status_code >= 400:
            raise error_from_response(resp.status_code, resp.content, url)
        if raw:
            return resp.content
        if not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            raise MLHubError(ErrorCode.INTERNAL,
                             f"{method} {url} answered {resp.status_code} with a body that "
                             f"is not JSON: {resp.text[:200]!r}") from None

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.request("POST", path, **kw)

    def patch(self, path: str, **kw: Any) -> Any:
        return self.request("PATCH", path, **kw)

    def close(self) -> None:
        self.session.close()


def error_from_response(status: int, content: bytes, url: str) -> MLHubError:
    """The server's own error if the body carries one, else one named after the status."""
    import json

    try:
        body = json.loads(content)
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return MLHubError.from_json(body, status)
    code = _STATUS_CODES.get(status, ErrorCode.INTERNAL if status >= 500 else ErrorCode.MALFORMED)
    text = content[:200].decode("utf-8", "replace")
    return MLHubError(code, f"HTTP {status} from {url}: {text!r}")
