"""Hub-mode forwarding, without a hub: a Jupyter server whose ML Hub forwards REST and the
stream to a real `mlhub serve` (token auth stands in for the hub token)."""
from __future__ import annotations

import asyncio
import json

import pytest


@pytest.fixture
def jp_server_config(jp_server_config, mlhub_server, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", mlhub_server.token)
    return {"ServerApp": {"jpserver_extensions": {"mlhub_ext": True}},
            "MLHub": {"hub_service_url": mlhub_server.url}}


async def test_rest_and_stream_are_forwarded(jp_fetch, jp_ws_fetch, mlhub_server):
    hello = json.loads((await jp_fetch("mlhub", "api", "v1")).body)
    assert hello == {"version": hello["version"], "mode": "standalone", "user": "alice"}
    run = json.loads((await jp_fetch("mlhub", "api", "v1", "runs", method="POST",
                                     body=json.dumps({"project": "fwd"}))).body)
    assert mlhub_server.api("GET", f"runs/{run['id']}").json()["project"] == "fwd"  # stored by the service
    ws = await jp_ws_fetch("mlhub", "api", "v1", "stream")
    ws.write_message(json.dumps({"subscribe": {"runs": [run["id"]]}}))
    assert json.loads(await asyncio.wait_for(ws.read_message(), 10))["type"] == "subscribed"
    mlhub_server.api("POST", f"runs/{run['id']}/metrics",
                     json={"metrics": {"acc": {"steps": [3], "values": [0.75], "timestamps": [1.0]}}})
    pushed = json.loads(await asyncio.wait_for(ws.read_message(), 10))
    assert pushed["type"] == "metrics" and pushed["metrics"]["acc"]["values"] == [0.75]
    ws.close()


async def test_service_errors_pass_through(jp_fetch):
    from tornado.httpclient import HTTPClientError

    with pytest.raises(HTTPClientError) as e:
        await jp_fetch("mlhub", "api", "v1", "runs", "0" * 32)
    assert e.value.code == 404 and json.loads(e.value.response.body)["error"]["code"] == "not_found"


async def test_hostile_requests_through_forwarding(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    """Issue 12, cases 7 and 9 in hub mode: the service refuses the nested body (400, JSON,
    passed through) and the relay's own WebSocket refusal is JSON too."""
    from tornado.httpclient import HTTPClientError

    with pytest.raises(HTTPClientError) as e:
        await jp_fetch("mlhub", "api", "v1", "projects", method="POST", body=b"[" * 100_000 + b"]" * 100_000)
    assert e.value.code == 400 and json.loads(e.value.response.body)["error"] == {
        "code": "malformed", "message": "request body nests arrays/objects 100,000 levels deep; at most 64 are allowed"}
    with pytest.raises(HTTPClientError) as e:
        await jp_fetch("mlhub", "api", "v1", "stream")
    assert e.value.code == 400 and e.value.response.headers["Content-Type"].startswith("application/json")
    err = json.loads(e.value.response.body)["error"]
    assert err["code"] == "malformed" and "/mlhub/api/v1/stream is a WebSocket: open it" in err["message"]


async def test_mlflow_routes_are_forwarded(jp_fetch, mlhub_server):  # type: ignore[no-untyped-def]
    """MLflow's API in hub mode: /mlhub/mlflow/* reaches the service as the user; its MLflow
    answers and errors pass through unchanged."""
    from tornado.httpclient import HTTPClientError

    base = ("mlhub", "mlflow", "api", "2.0", "mlflow")
    exp = json.loads((await jp_fetch(*base, "experiments", "create", method="POST",
                                     body=json.dumps({"name": "fwd-mlflow"}))).body)["experiment_id"]
    got = json.loads((await jp_fetch(*base, "experiments", "get", params={"experiment_id": exp})).body)
    assert got["experiment"]["name"] == "fwd-mlflow"
    assert mlhub_server.api("GET", "projects/fwd-mlflow").json()["owner"] == "alice"   # stored by the service
    with pytest.raises(HTTPClientError) as e:
        await jp_fetch(*base, "runs", "get", params={"run_id": "0" * 32})
    assert e.value.code == 404 and json.loads(e.value.response.body)["error_code"] == "RESOURCE_DOES_NOT_EXIST"


async def test_artifact_bodies_stream_through_the_relay(jp_fetch, mlhub_server):  # type: ignore[no-untyped-def]
    """A 24 MiB MLflow artifact goes up and comes back through the relay byte for byte: the
    body is spooled on its way up and relayed in chunks on its way down (no Content-Length
    is invented, the answer is chunked), and the service's headers and errors pass through."""
    import hashlib
    import os

    from tornado.httpclient import HTTPClientError

    base = ("mlhub", "mlflow", "api", "2.0", "mlflow")
    exp = json.loads((await jp_fetch(*base, "experiments", "create", method="POST",
                                     body=json.dumps({"name": "fwd-artifacts"}))).body)["experiment_id"]
    run = json.loads((await jp_fetch(*base, "runs", "create", method="POST",
                                     body=json.dumps({"experiment_id": exp}))).body)["run"]["info"]["run_id"]
    payload = os.urandom(24 * 1024 * 1024)
    path = ("mlhub", "mlflow", "api", "2.0", "mlflow-artifacts", "artifacts", exp, run, "artifacts", "weights.bin")
    await jp_fetch(*path, method="PUT", body=payload, headers={"Content-Type": "application/octet-stream"})
    got = await jp_fetch(*path)
    assert hashlib.sha256(got.body).hexdigest() == hashlib.sha256(payload).hexdigest()
    assert got.headers["X-Content-SHA256"] == hashlib.sha256(payload).hexdigest()
    assert got.headers["Content-Type"] == "application/octet-stream"
    assert got.headers.get("Transfer-Encoding") == "chunked" and "Content-Length" not in got.headers
    with pytest.raises(HTTPClientError) as e:
        await jp_fetch(*path[:-1], "missing.bin")
    assert e.value.code == 404 and json.loads(e.value.response.body)["error_code"] == "RESOURCE_DOES_NOT_EXIST"
