"""The REST calls behind the lab's run page, in a real Jupyter server: DELETE /runs/{id}
(manage role only) and GET /runs/{id}/links."""
from __future__ import annotations

import json
from typing import Any



async def call(jp_fetch, method: str, *path: str, body: Any = None):  # type: ignore[no-untyped-def]
    from tornado.httpclient import HTTPClientError

    data = json.dumps(body) if body is not None else (b"" if method in ("POST", "PATCH") else None)
    try:
        resp = await jp_fetch("mlhub", "api", "v1", *path, method=method, body=data, allow_nonstandard_methods=True)
    except HTTPClientError as e:
        assert e.response is not None
        return e.code, json.loads(e.response.body)
    return resp.code, json.loads(resp.body) if resp.body else None


def registry(jp_serverapp):  # type: ignore[no-untyped-def]
    return jp_serverapp.web_app.settings["mlhub_services"].registry


async def test_delete_run_by_its_owner(jp_fetch):
    _, run = await call(jp_fetch, "POST", "runs", body={"project": "p", "name": "doomed", "config": {"lr": 1}})
    await call(jp_fetch, "POST", "runs", run["id"], "metrics",
               body={"metrics": {"loss": {"steps": [0, 1], "values": [1.0, 0.5]}}})
    code, body = await call(jp_fetch, "DELETE", "runs", run["id"])
    assert (code, body) == (204, None)
    code, body = await call(jp_fetch, "GET", "runs", run["id"])
    assert code == 404 and body["error"]["code"] == "not_found"
    code, body = await call(jp_fetch, "GET", "runs", run["id"], "metrics", "loss")
    assert code == 404
    code, body = await call(jp_fetch, "DELETE", "runs", run["id"])
    assert code == 404 and body["error"]["code"] == "not_found"


async def test_delete_run_is_refused_below_manage(jp_fetch, jp_serverapp):
    reg = registry(jp_serverapp)
    run = reg.create_run("bob", "bobs", name="keep-me")
    reg.set_member("bob", "bobs", "alice", "edit")
    code, body = await call(jp_fetch, "DELETE", "runs", run.id)
    assert code == 403 and body["error"]["code"] == "forbidden"
    assert "edit access" in body["error"]["message"] and "needs manage" in body["error"]["message"]
    code, got = await call(jp_fetch, "GET", "runs", run.id)
    assert code == 200 and got["name"] == "keep-me"
    # The project says which role the caller has, which the lab uses to offer Delete.
    code, project = await call(jp_fetch, "GET", "projects", "bobs")
    assert project["role"] == "edit"
    reg.set_member("bob", "bobs", "alice", "manage")
    code, _ = await call(jp_fetch, "DELETE", "runs", run.id)
    assert code == 204
    # A run in a project the caller cannot see is not found, not forbidden.
    hidden = reg.create_run("bob", "private", name="x")
    code, body = await call(jp_fetch, "DELETE", "runs", hidden.id)
    assert code == 404


async def test_run_links(jp_fetch, jp_serverapp):
    _, run = await call(jp_fetch, "POST", "runs", body={"project": "p", "name": "trainer"})
    code, links = await call(jp_fetch, "GET", "runs", run["id"], "links")
    assert (code, links) == (200, {"model_versions": [], "jobs": [], "datasets": []})
    models = jp_serverapp.web_app.settings["mlhub_services"].models
    models.register_version("alice", "iris_rf", {"model_bytes": b"m", "model_type": "sklearn", "task": "classification"},
                            dataset="iris", dataset_version=3, run_id=run["id"], project="p")
    code, links = await call(jp_fetch, "GET", "runs", run["id"], "links")
    assert [(v["model"], v["version"], v["run_id"]) for v in links["model_versions"]] == [("iris_rf", 1, run["id"])]
    assert links["datasets"] == [{"name": "iris", "version": 3, "via": "model iris_rf v1"}]
    code, body = await call(jp_fetch, "GET", "runs", "0" * 32, "links")
    assert code == 404 and body["error"]["code"] == "not_found"
