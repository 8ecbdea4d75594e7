"""Hostile or careless clients (issue 12, cases 7-9): deeply nested and oversized JSON
bodies, megabyte values echoed in messages, and non-API answers, on every route that
takes a body, in the Jupyter server, in `mlhub serve` and through hub-mode forwarding.
Every answer is the JSON error shape."""
from __future__ import annotations

import asyncio
import inspect
import json
import re
from typing import Any

import pytest
import requests
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

from mlhub_ext.server.handlers.base import MAX_JSON_BYTES, MAX_JSON_DEPTH, json_depth
from mlhub_ext.server.routes import API_TABLE

BOMB = b"[" * 100_000 + b"]" * 100_000
DEEP = "request body nests arrays/objects 100,000 levels deep; at most 64 are allowed"


async def call(jp_fetch, method: str, *path: str, raw: bytes | None = None, **kw: Any) -> tuple[int, Any, str]:  # type: ignore[no-untyped-def]
    try:
        resp = await jp_fetch("mlhub", "api", "v1", *path, method=method, body=raw,
                              allow_nonstandard_methods=True, **kw)
    except HTTPClientError as e:
        assert e.response is not None
        return e.code, json.loads(e.response.body), e.response.headers.get("Content-Type", "")
    return resp.code, json.loads(resp.body), resp.headers.get("Content-Type", "")


def body_routes() -> list[tuple[str, str]]:
    """(method, path) of every API route whose handler reads a JSON body (its method calls
    ``json_body``), path parameters as placeholders. Raw byte bodies (artifact and upload
    chunk PUTs) are not JSON, and bodiless POSTs (abort, stop) read nothing."""
    out = []
    for pattern, mixin in API_TABLE:
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: "{" + m.group(1) + "}", pattern)
        for method in ("POST", "PUT", "PATCH"):
            handler = getattr(mixin, method.lower(), None)
            if handler is not None and "json_body" in inspect.getsource(handler):
                out.append((method, path))
    return out


def test_depth_scan() -> None:
    assert json_depth(BOMB) == 100_000
    assert json_depth(b'{"a": [1, {"b": "[[[[ \\" {{{"}]}') == 3       # brackets in strings do not count
    assert json_depth(b'["\\\\", [[]]]') == 3                          # an escaped backslash ends before the quote
    assert json_depth(b"42") == 0


def test_every_body_route_is_covered() -> None:
    routes = body_routes()
    assert ("POST", "/projects") in routes and ("PATCH", "/runs/{run_id}") in routes
    assert ("POST", "/models/{name}/predictions") in routes and ("POST", "/sweeps") in routes
    assert len(routes) >= 20


async def test_nested_bomb_is_400_on_every_body_route(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    for method, path in body_routes():
        parts = [p if not p.startswith("{") else ("0" * 32 if p == "{run_id}" else "x1")
                 for p in path.strip("/").split("/")]
        code, body, ctype = await call(jp_fetch, method, *parts, raw=BOMB,
                                       headers={"Content-Type": "application/json"})
        assert (code, body["error"]["code"]) == (400, "malformed"), (method, path, body)
        assert body["error"]["message"] == DEEP, (method, path)
        assert ctype.startswith("application/json")


async def test_depth_limit_is_exact_and_size_limit_is_413(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    def nested(levels: int) -> Any:
        value: Any = 1
        for _ in range(levels):
            value = {"k": value}
        return value

    # {"project", "config": <n dicts>}: the body is n + 1 levels deep.
    ok = json.dumps({"project": "p", "config": nested(MAX_JSON_DEPTH - 1)}).encode()
    code, run, _ = await call(jp_fetch, "POST", "runs", raw=ok)
    assert code == 201, run
    too_deep = json.dumps({"project": "p", "config": nested(MAX_JSON_DEPTH)}).encode()
    code, err, _ = await call(jp_fetch, "POST", "runs", raw=too_deep)
    assert (code, err["error"]["message"]) == (400, "request body nests arrays/objects 65 levels deep; "
                                                    "at most 64 are allowed")
    huge = b'{"name": "' + b"a" * MAX_JSON_BYTES + b'"}'
    code, err, _ = await call(jp_fetch, "POST", "projects", raw=huge)
    assert (code, err["error"]["code"]) == (413, "too_large")
    assert err["error"]["message"] == "request body is 33,554,444 bytes; JSON bodies may be at most 33,554,432 " \
                                      "bytes (send files as uploads or artifacts)"


async def test_megabyte_name_is_quoted_short(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    name = "a" * 1_000_000
    code, err, _ = await call(jp_fetch, "POST", "projects", raw=json.dumps({"name": name}).encode())
    assert (code, err["error"]["code"]) == (422, "invalid")
    message = err["error"]["message"]
    assert message == f"project name '{'a' * 99}… (1,000,000 characters) is not valid: use 1-128 letters, digits, " \
                      "'_', '.' or '-', starting with a letter or digit"
    # In a URL too (a 404 names the value it did not find, cut the same way).
    code, err, _ = await call(jp_fetch, "GET", "projects", "b" * 5000)
    assert code == 404 and err["error"]["message"] == f"project '{'b' * 99}… (5,000 characters) not found"
    # And a value in a list field: the unknown keys of a run body.
    code, err, _ = await call(jp_fetch, "POST", "runs",
                              raw=json.dumps({"project": "p", **{f"k{i}" * 50: 1 for i in range(500)}}).encode())
    assert code == 422 and len(err["error"]["message"]) <= 2100


async def test_stream_without_upgrade_is_json(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    code, err, ctype = await call(jp_fetch, "GET", "stream")
    assert (code, err["error"]["code"]) == (400, "malformed") and ctype.startswith("application/json")
    assert err["error"]["message"].endswith(   # after the server's base URL
        "/mlhub/api/v1/stream is a WebSocket: open it with a WebSocket client (a GET with 'Upgrade: websocket' "
        """and 'Connection: Upgrade'); Can "Upgrade" only to "WebSocket".""")
    code, err, ctype = await call(jp_fetch, "GET", "stream", headers={"Upgrade": "websocket"})
    assert (code, err["error"]["code"]) == (400, "malformed")
    assert err["error"]["message"].endswith('"Connection" must be "Upgrade".')


@pytest.mark.parametrize("method,path,status,code,words", [
    ("GET", ("no", "such", "route"), 404, "not_found", "no API route GET /a%40b/mlhub/api/v1/no/such/route"),
    ("PROPFIND", ("runs",), 405, "method_not_allowed",
     "'PROPFIND' is not allowed on /a%40b/mlhub/api/v1/runs; it allows GET, POST"),
    ("DELETE", ("projects",), 405, "method_not_allowed",
     "'DELETE' is not allowed on /a%40b/mlhub/api/v1/projects; it allows GET, POST"),
    ("GET", ("docs", "static", "nope.js"), 404, "not_found", "Not Found"),
])
async def test_other_answers_are_json(jp_fetch, method, path, status, code, words) -> None:  # type: ignore[no-untyped-def]
    got, err, ctype = await call(jp_fetch, method, *path)
    assert (got, err["error"]["code"]) == (status, code) and words in err["error"]["message"]
    assert ctype.startswith("application/json")


async def test_stream_message_bomb_is_an_error_message(jp_ws_fetch) -> None:  # type: ignore[no-untyped-def]
    ws = await jp_ws_fetch("mlhub", "api", "v1", "stream")
    ws.write_message(BOMB.decode())
    got = json.loads(await asyncio.wait_for(ws.read_message(), 10))
    assert got == {"type": "error", "error": {"code": "malformed", "message": "a stream message nests "
                                              "arrays/objects 100,000 levels deep; at most 64 are allowed"}}
    ws.write_message(json.dumps({"subscribe": {"runs": []}}))    # the connection still works
    assert json.loads(await asyncio.wait_for(ws.read_message(), 10))["type"] == "subscribed"
    ws.close()


def test_standalone_serve(mlhub_server) -> None:  # type: ignore[no-untyped-def]
    r = requests.post(mlhub_server.url + "mlhub/api/v1/projects", data=BOMB, timeout=30,
                      headers={"Authorization": f"token {mlhub_server.token}", "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == {"code": "malformed", "message": DEEP}
    r = mlhub_server.api("POST", "projects", json={"name": "c" * 1_000_000})
    assert r.status_code == 422 and len(r.json()["error"]["message"]) < 300
    r = mlhub_server.api("GET", "stream")
    assert r.status_code == 400 and r.headers["Content-Type"].startswith("application/json")
    assert r.json()["error"]["code"] == "malformed" and "is a WebSocket" in r.json()["error"]["message"]
    r = requests.get(mlhub_server.url + "mlhub/api/v1/stream", timeout=30)     # no token either
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"


async def test_standalone_websocket_handshake_refusal_is_json(mlhub_server) -> None:  # type: ignore[no-untyped-def]
    url = mlhub_server.url.replace("http", "ws") + "mlhub/api/v1/stream"
    with pytest.raises(HTTPClientError) as e:
        await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {mlhub_server.token}",
                                                          "Origin": "http://evil.example"}))
    assert e.value.code == 403 and e.value.response is not None
    assert json.loads(e.value.response.body)["error"]["code"] == "forbidden"


async def test_values_no_store_can_hold_are_refused_on_every_body_route(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    """Found by the API fuzzer: an integer beyond 64 bits or a lone surrogate escape anywhere in
    a body (Python's decoder accepts both) answered 500 from the database or orjson."""
    big = b'{"k": [1, {"n": -426529713729858275639296}]}'
    lone = b'{"k": {"a\\uda57": 1}}'
    nul = b'{"k": ["a\\u0000b"]}'   # PostgreSQL text and JSONB cannot hold NUL (found fuzzing on PostgreSQL)
    for method, path in body_routes():
        parts = [p if not p.startswith("{") else ("0" * 32 if p == "{run_id}" else "x1")
                 for p in path.strip("/").split("/")]
        code, body, _ = await call(jp_fetch, method, *parts, raw=big, headers={"Content-Type": "application/json"})
        assert (code, body["error"]["message"]) == (422, "request body at k[1].n: the integer "
                                                         "-426529713729858275639296 does not fit in 64 bits (-2**63 "
                                                         "to 2**64-1); send it as a string or a float"), (method, path)
        code, body, _ = await call(jp_fetch, method, *parts, raw=lone, headers={"Content-Type": "application/json"})
        assert (code, body["error"]["message"]) == (400, "request body at k.a\\uda57: 'a\\uda57' holds a lone UTF-16 "
                                                         "surrogate escape (\\ud800-\\udfff), which is not valid "
                                                         "Unicode"), (method, path)
        code, body, _ = await call(jp_fetch, method, *parts, raw=nul, headers={"Content-Type": "application/json"})
        assert (code, body["error"]["message"]) == (422, "request body at k[0]: 'a\\x00b' holds a NUL character "
                                                         "(\\u0000), which ML Hub cannot store"), (method, path)
    # A surrogate pair is one character, and 2**64-1 fits: both are stored and given back.
    code, run, _ = await call(jp_fetch, "POST", "runs", raw=b'{"project": "p", "config": {"e": "\\ud83d\\ude00", '
                                                             b'"n": 18446744073709551615}}')
    assert code == 201 and run["params"]["e"] == "\U0001F600", run


@pytest.mark.parametrize("method,path,allow", [
    ("TRACE", ("",), "GET"),
    ("PUT", ("runs", "0" * 32), "GET, PATCH, DELETE"),
    ("POST", ("projects", "p", "members", "bob"), "PUT, DELETE"),
])
async def test_405_lists_the_allowed_methods(jp_fetch, method, path, allow) -> None:  # type: ignore[no-untyped-def]
    """Found by the API fuzzer (schemathesis' unsupported_method check): a 405 had no Allow
    header (RFC 9110) and its message did not say what the route allows."""
    try:
        await jp_fetch("mlhub", "api", "v1", *path, method=method, body=b"" if method in ("PUT", "POST") else None,
                       allow_nonstandard_methods=True)
        raise AssertionError("expected 405")
    except HTTPClientError as e:
        assert e.code == 405 and e.response is not None
        assert e.response.headers["Allow"] == allow
        assert json.loads(e.response.body)["error"]["message"].endswith(f"; it allows {allow}")


@pytest.mark.parametrize("path,params,message", [
    (("projects",), {"q": "a\x00b"}, "query parameter 'q' holds a NUL character (%00), which no ML Hub value can"),
    (("projects", "a\x00b"), {}, "path parameter 'name' ('a\\x00b') holds a NUL character (%00), which no ML Hub "
                                  "name can"),
])
async def test_nul_in_path_or_query_is_422(jp_fetch, path, params, message) -> None:  # type: ignore[no-untyped-def]
    """Found by the API fuzzer on PostgreSQL, which refuses NUL even in a lookup (a 500 there)."""
    try:
        await jp_fetch("mlhub", "api", "v1", *path, params=params)
        raise AssertionError("expected 422")
    except HTTPClientError as e:
        assert e.code == 422 and e.response is not None
        assert json.loads(e.response.body)["error"]["message"] == message
