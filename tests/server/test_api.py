"""The REST API inside a real Jupyter server (pytest-jupyter), every error path as JSON."""
from __future__ import annotations

import json

import pytest
from tornado.httpclient import HTTPClientError


async def call(jp_fetch, method: str, *path: str, body=None, raw: bytes | None = None, **kw):  # type: ignore[no-untyped-def]
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    if method in ("POST", "PUT", "PATCH") and data is None:
        data = b""
    try:
        resp = await jp_fetch("mlhub", "api", "v1", *path, method=method, body=data, allow_nonstandard_methods=True, **kw)
    except HTTPClientError as e:
        assert e.response is not None
        return e.code, json.loads(e.response.body)
    return resp.code, json.loads(resp.body) if resp.body else None


async def test_handshake_and_extension_loaded(jp_fetch, jp_serverapp):
    assert "mlhub_ext" in jp_serverapp.extension_manager.extensions
    code, body = await call(jp_fetch, "GET")
    assert code == 200 and body["mode"] == "local" and body["user"] == "alice"


async def test_project_and_run_round_trip(jp_fetch):
    code, p = await call(jp_fetch, "POST", "projects", body={"name": "mnist", "description": "digits"})
    assert code == 201 and p["owner"] == "alice" and p["role"] == "owner"
    code, run = await call(jp_fetch, "POST", "runs", body={"project": "mnist", "name": "r1", "config": {"lr": 0.1},
                                                           "tags": ["baseline"]})
    assert code == 201 and len(run["id"]) == 32 and run["params"] == {"lr": 0.1}
    batch = {"seq": 1, "metrics": {"loss": {"steps": [0, 1, 2], "values": [1.0, "NaN", 0.5],
                                            "timestamps": [1.0, 2.0, 3.0]}}}
    code, res = await call(jp_fetch, "POST", "runs", run["id"], "metrics", body=batch)
    assert (code, res) == (200, {"accepted": 3, "duplicate": False, "last_seq": 1,
                            "stop_requested": False})
    code, res = await call(jp_fetch, "POST", "runs", run["id"], "metrics", body=batch)
    assert res["duplicate"] is True
    code, series = await call(jp_fetch, "GET", "runs", run["id"], "metrics", "loss")
    assert series["values"] == [1.0, "NaN", 0.5] and series["steps"] == [0, 1, 2] and series["downsampled"] is False
    code, res = await call(jp_fetch, "POST", "runs", run["id"], "params", body={"params": {"epochs": 2}})
    assert res["params"] == {"lr": 0.1, "epochs": 2}
    code, done = await call(jp_fetch, "PATCH", "runs", run["id"], body={"status": "finished"})
    assert done["status"] == "finished" and done["latest_metrics"] == {"loss": 0.5}
    code, listing = await call(jp_fetch, "GET", "runs", params={"project": "mnist", "limit": "5"})
    assert listing["total"] == 1 and listing["runs"][0]["id"] == run["id"]
    code, projects = await call(jp_fetch, "GET", "projects")
    assert projects["projects"][0]["run_count"] == 1
    code, metrics = await call(jp_fetch, "GET", "runs", run["id"], "metrics")
    assert metrics["metrics"][0]["key"] == "loss" and metrics["metrics"][0]["count"] == 3


@pytest.mark.parametrize("method,path,body,raw,status,code", [
    ("POST", ("runs",), None, b"{not json", 400, "malformed"),
    ("POST", ("runs",), None, b"[1, 2]", 400, "malformed"),
    ("POST", ("runs",), None, b"", 400, "malformed"),
    ("POST", ("runs",), {"name": "x"}, None, 422, "invalid"),
    ("POST", ("runs",), {"project": "bad name"}, None, 422, "invalid"),
    ("POST", ("runs",), {"project": "p", "colour": "red"}, None, 422, "invalid"),
    ("GET", ("runs", "0" * 32), None, None, 404, "not_found"),
    ("GET", ("projects", "nope"), None, None, 404, "not_found"),
    ("GET", ("runs",), None, None, 422, "invalid"),  # limit=abc below
    ("DELETE", ("runs",), None, None, 405, "method_not_allowed"),
    ("GET", ("nothing-here",), None, None, 404, "not_found"),
])
async def test_errors_are_json(jp_fetch, method, path, body, raw, status, code):
    params = {"limit": "abc"} if path == ("runs",) and method == "GET" else None
    got_status, got = await call(jp_fetch, method, *path, body=body, raw=raw, params=params)
    assert got_status == status
    assert got["error"]["code"] == code and got["error"]["message"]
    assert "Traceback" not in json.dumps(got)


async def test_conflict_is_409(jp_fetch):
    await call(jp_fetch, "POST", "projects", body={"name": "dup"})
    code, body = await call(jp_fetch, "POST", "projects", body={"name": "dup"})
    assert code == 409 and body["error"]["code"] == "conflict"


async def test_missing_token_rejected(jp_fetch):
    with pytest.raises(HTTPClientError) as e:
        await jp_fetch("mlhub", "api", "v1", "projects", headers={"Authorization": ""})
    assert e.value.code in (401, 403)
    assert e.value.response is not None and b"error" in e.value.response.body or e.value.code == 403


async def test_unknown_metric_and_bad_max_points(jp_fetch):
    _, run = await call(jp_fetch, "POST", "runs", body={"project": "p"})
    code, body = await call(jp_fetch, "GET", "runs", run["id"], "metrics", "nope")
    assert code == 404 and "nope" in body["error"]["message"]
    code, body = await call(jp_fetch, "GET", "runs", run["id"], "metrics", "nope", params={"max_points": "x"})
    assert code == 422


async def test_security_headers(jp_fetch):
    resp = await jp_fetch("mlhub", "api", "v1", "projects")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


async def test_compact_batch_form(jp_fetch):
    import base64
    import math
    from array import array

    def b64(code, items):
        return base64.b64encode(array(code, items).tobytes()).decode()  # this machine is little-endian

    _, run = await call(jp_fetch, "POST", "runs", body={"project": "p"})
    body = {"seq": 1, "encoding": "base64-le", "metrics": {"loss": {
        "steps": b64("q", [0, 1, 2]), "values": b64("d", [0.5, math.nan, math.inf]), "timestamps": b64("d", [1, 2, 3])}}}
    code, res = await call(jp_fetch, "POST", "runs", run["id"], "metrics", body=body)
    assert (code, res["accepted"]) == (200, 3)
    _, series = await call(jp_fetch, "GET", "runs", run["id"], "metrics", "loss")
    assert series["values"] == [0.5, "NaN", "Infinity"] and series["steps"] == [0, 1, 2]
    bad = {"encoding": "base64-le", "metrics": {"x": {"steps": "!!", "values": b64("d", [1]), "timestamps": b64("d", [1])}}}
    code, err = await call(jp_fetch, "POST", "runs", run["id"], "metrics", body=bad)
    assert code == 400 and "base64" in err["error"]["message"]
    short = {"encoding": "base64-le", "metrics": {"x": {"steps": b64("q", [0, 1]), "values": b64("d", [1]),
                                                       "timestamps": b64("d", [1])}}}
    assert (await call(jp_fetch, "POST", "runs", run["id"], "metrics", body=short))[0] == 400
    neg = {"encoding": "base64-le", "metrics": {"x": {"steps": b64("q", [-1]), "values": b64("d", [1]),
                                                     "timestamps": b64("d", [1])}}}
    assert (await call(jp_fetch, "POST", "runs", run["id"], "metrics", body=neg))[0] == 422
    other = {"encoding": "zip", "metrics": {"x": {}}}
    assert (await call(jp_fetch, "POST", "runs", run["id"], "metrics", body=other))[0] == 422
