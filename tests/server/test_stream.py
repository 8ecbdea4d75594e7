"""The WebSocket stream: subscribers get new points and run changes; auth and origin enforced."""
from __future__ import annotations

import asyncio
import io
import json

import pandas as pd
import pytest
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect


async def _next(ws, kind: str, timeout: float = 5.0) -> dict:
    while True:
        msg = json.loads(await asyncio.wait_for(ws.read_message(), timeout))
        if msg["type"] == kind:
            return msg


async def test_subscriber_receives_points_and_run_state(jp_fetch, jp_ws_fetch):
    run = json.loads((await jp_fetch("mlhub", "api", "v1", "runs", method="POST",
                                     body=json.dumps({"project": "live"}))).body)
    ws = await jp_ws_fetch("mlhub", "api", "v1", "stream")
    ws.write_message(json.dumps({"subscribe": {"runs": [run["id"]]}}))
    assert (await _next(ws, "subscribed"))["runs"] == [run["id"]]
    batch = {"seq": 1, "metrics": {"acc": {"steps": [0, 1], "values": [0.5, "Infinity"], "timestamps": [1.0, 2.0]}}}
    await jp_fetch("mlhub", "api", "v1", "runs", run["id"], "metrics", method="POST", body=json.dumps(batch))
    got = await _next(ws, "metrics")
    assert got["run"] == run["id"] and got["metrics"]["acc"]["values"] == [0.5, "Infinity"]
    await jp_fetch("mlhub", "api", "v1", "runs", run["id"], method="PATCH", body=json.dumps({"status": "finished"}))
    assert (await _next(ws, "run"))["run"]["status"] == "finished"
    ws.write_message("not json")
    assert (await _next(ws, "error"))["error"]["code"] == "malformed"
    ws.write_message(json.dumps({"subscribe": {"runs": ["f" * 32]}}))
    assert (await _next(ws, "error"))["error"]["code"] == "not_found"
    ws.close()


async def test_stream_refuses_cross_origin(jp_ws_fetch):
    with pytest.raises(HTTPClientError) as e:
        await jp_ws_fetch("mlhub", "api", "v1", "stream", headers={"Origin": "http://evil.example"})
    assert e.value.code == 403


async def test_standalone_stream_auth_and_origin(mlhub_server):
    url = mlhub_server.url.replace("http", "ws") + "mlhub/api/v1/stream"
    for headers, status in (({}, 401), ({"Authorization": "token mlh_bad"}, 401),
                            ({"Authorization": f"token {mlhub_server.token}", "Origin": "http://evil.example"}, 403)):
        with pytest.raises(HTTPClientError) as e:
            await websocket_connect(HTTPRequest(url, headers=headers))
        assert e.value.code == status, headers
    run = mlhub_server.api("POST", "runs", json={"project": "p"}).json()
    bob = mlhub_server.create_token("bob")
    ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {bob}"}))
    ws.write_message(json.dumps({"subscribe": {"projects": ["p"]}}))
    assert (await _next(ws, "error"))["error"]["code"] == "not_found"  # bob may not read alice's project
    ws.close()
    ws = await websocket_connect(f"{url}?token={mlhub_server.token}")
    ws.write_message(json.dumps({"subscribe": {"projects": ["p"]}}))
    await _next(ws, "subscribed")
    mlhub_server.api("POST", f"runs/{run['id']}/metrics",
                     json={"metrics": {"x": {"steps": [5], "values": [1.5], "timestamps": [1.0]}}})
    assert (await _next(ws, "metrics"))["metrics"]["x"]["steps"] == [5]
    ws.close()


def test_artifacts_and_export(mlhub_server):
    run = mlhub_server.api("POST", "runs", json={"project": "p"}).json()
    rid = run["id"]
    r = mlhub_server.api("PUT", f"runs/{rid}/artifacts/model/weights.bin", data=b"\x00\x01" * 1000)
    assert r.status_code == 201 and r.json()["size"] == 2000
    mlhub_server.api("PUT", f"runs/{rid}/artifacts/copy.bin", data=b"\x00\x01" * 1000)
    blobs = [p for p in (mlhub_server.data_dir / "artifacts").rglob("*") if p.is_file() and p.parent.name != "tmp"]
    assert len(blobs) == 1  # same content stored once
    assert mlhub_server.api("GET", f"runs/{rid}/artifacts/model/weights.bin").content == b"\x00\x01" * 1000
    assert [a["name"] for a in mlhub_server.api("GET", f"runs/{rid}/artifacts").json()["artifacts"]] == [
        "copy.bin", "model/weights.bin"]
    bad = mlhub_server.api("PUT", f"runs/{rid}/artifacts/a/../../x", data=b"1")
    assert bad.status_code in (404, 422)
    assert mlhub_server.api("PUT", f"runs/{rid}/artifacts/x.bin?sha256={'0' * 64}", data=b"1").status_code == 422
    mlhub_server.api("POST", f"runs/{rid}/metrics", json={"metrics": {
        "loss": {"steps": [0, 1, 2], "values": [1.0, "NaN", 0.25], "timestamps": [1.0, 2.0, 3.0]},
        "acc": {"steps": [0], "values": [0.5], "timestamps": [1.0]}}})
    csv = pd.read_csv(io.StringIO(mlhub_server.api("GET", f"runs/{rid}/export?format=csv").text))
    assert len(csv) == 4 and csv[csv.key == "loss"].value.isna().sum() == 1
    pq = pd.read_parquet(io.BytesIO(mlhub_server.api("GET", f"runs/{rid}/export?format=parquet").content))
    assert pq[pq.key == "loss"].value.tolist()[2] == 0.25 and set(pq.columns) == {"key", "step", "value", "timestamp"}
    assert mlhub_server.api("GET", f"runs/{rid}/export?format=xls").status_code == 422


async def test_compact_subscriber_gets_the_same_points_in_fewer_bytes(jp_fetch, jp_ws_fetch):
    """Two subscribers of one run, one asking for the compact form: each gets its own form of
    the same event, and the compact one decodes to exactly the JSON one."""
    from mlhub_ext.core.point_codec import decode_metrics_event

    run = json.loads((await jp_fetch("mlhub", "api", "v1", "runs", method="POST",
                                     body=json.dumps({"project": "live"}))).body)
    plain = await jp_ws_fetch("mlhub", "api", "v1", "stream")
    compact = await jp_ws_fetch("mlhub", "api", "v1", "stream")
    plain.write_message(json.dumps({"subscribe": {"runs": [run["id"]]}}))
    assert (await _next(plain, "subscribed"))["encoding"] == "json"
    compact.write_message(json.dumps({"subscribe": {"runs": [run["id"]], "encoding": "delta-base64"}}))
    assert (await _next(compact, "subscribed"))["encoding"] == "delta-base64"
    steps = list(range(1000, 1010))
    batch = {"seq": 1, "metrics": {
        "loss": {"steps": steps, "values": [1 / (1 + s) for s in steps[:-2]] + ["NaN", "-Infinity"],
                 "timestamps": [1764503456.123456 + i / 10 for i in range(10)]},
        "acc": {"steps": [3, 1, 7], "values": [0.5, 0.25, 0.125], "timestamps": [1.0, 2.0, 3.0]}}}
    await jp_fetch("mlhub", "api", "v1", "runs", run["id"], "metrics", method="POST", body=json.dumps(batch))
    raw_plain = await asyncio.wait_for(plain.read_message(), 5)
    raw_compact = await asyncio.wait_for(compact.read_message(), 5)
    as_json, packed = json.loads(raw_plain), json.loads(raw_compact)
    assert "encoding" not in as_json and as_json["metrics"]["loss"]["values"][-2:] == ["NaN", "-Infinity"]
    assert packed["encoding"] == "delta-base64" and packed["run"] == run["id"] and packed["project"] == "live"
    assert packed["metrics"]["loss"]["steps"] == [1000] + [1] * 9
    assert packed["metrics"]["acc"]["steps"] == [3, -2, 6]   # steps as logged, out of order too
    assert decode_metrics_event(packed["metrics"]) == as_json["metrics"]
    loss = packed["metrics"]["loss"]
    assert len(json.dumps(loss, separators=(",", ":"))) < 2 * 24 * 10   # under 2x the 24 raw bytes a point
    # Back to JSON on the same connection; an unknown form is refused and changes nothing.
    compact.write_message(json.dumps({"subscribe": {"runs": [], "encoding": "msgpack"}}))
    err = await _next(compact, "error")
    assert err["error"]["code"] == "invalid" and "delta-base64" in err["error"]["message"]
    compact.write_message(json.dumps({"subscribe": {"runs": [], "encoding": "json"}}))
    assert (await _next(compact, "subscribed"))["encoding"] == "json"
    await jp_fetch("mlhub", "api", "v1", "runs", run["id"], "metrics", method="POST", body=json.dumps(
        {"seq": 2, "metrics": {"acc": {"steps": [9], "values": [1.0], "timestamps": [4.0]}}}))
    assert (await _next(compact, "metrics"))["metrics"]["acc"] == {"steps": [9], "values": [1.0], "timestamps": [4.0]}
    plain.close()
    compact.close()
