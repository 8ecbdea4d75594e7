"""The runs table's REST calls in a real Jupyter server: GET /runs (sort, q, ids_only, ids, one
group), GET /projects/{name}/runs/groups, POST /metrics/query, GET /runs/{id}/metrics/{key}
with a cursor or a range, and /projects/{name}/insights, with their 4xx answers."""
from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np


async def call(jp_fetch, method: str, *path: str, body: Any = None, params: dict | None = None):  # type: ignore[no-untyped-def]
    from tornado.httpclient import HTTPClientError

    data = json.dumps(body) if body is not None else (b"" if method in ("POST", "PATCH") else None)
    try:
        resp = await jp_fetch("mlhub", "api", "v1", *path, method=method, body=data, params=params or {},
                              allow_nonstandard_methods=True)
    except HTTPClientError as e:
        assert e.response is not None
        return e.code, json.loads(e.response.body)
    return resp.code, json.loads(resp.body) if resp.body else None


def registry(jp_serverapp):  # type: ignore[no-untyped-def]
    settings = jp_serverapp.web_app.settings
    services = settings.get("mlhub_services")
    return services.registry if services is not None else settings["mlhub.registry"]


def seed(reg) -> list[str]:  # type: ignore[no-untyped-def]
    """Six runs of alice's in "t": lr decides loss, opt alternates; one of bob's private."""
    ids = []
    for i in range(6):
        run = reg.create_run("alice", "t", name=f"r{i}", config={"lr": 0.1 * (i + 1), "opt": ["adam", "sgd"][i % 2]},
                             tags=["sweep"] + (["best"] if i == 5 else []))
        steps = list(range(100))
        reg.append_metrics("alice", run.id, None, {
            "loss": {"steps": steps, "values": [1.0 / (1 + s) + i for s in steps],
                     "timestamps": [1.7e9 + s for s in steps]},
            "val/acc": {"steps": [0, 99], "values": [0.1, 0.2 * i]}})
        ids.append(run.id)
    return ids


async def test_listing_sorts_searches_and_selects_all(jp_fetch, jp_serverapp):
    ids = seed(registry(jp_serverapp))
    code, page = await call(jp_fetch, "GET", "runs", params={"project": "t", "order_by": "params.lr", "desc": "false",
                                                              "limit": 2})
    assert code == 200 and [r["id"] for r in page["runs"]] == ids[:2] and page["total"] == 6
    code, page = await call(jp_fetch, "GET", "runs", params={"project": "t", "order_by": "metrics.loss"})
    assert [r["id"] for r in page["runs"]] == ids[::-1]
    code, page = await call(jp_fetch, "GET", "runs", params={"project": "t", "q": "BEST"})
    assert [r["id"] for r in page["runs"]] == [ids[5]]
    code, got = await call(jp_fetch, "GET", "runs", params={"project": "t", "ids_only": "true",
                                                             "filter": "params.opt = adam", "order_by": "name",
                                                             "desc": "false"})
    assert code == 200 and got == {"runs": [], "ids": ids[0::2], "total": 3, "truncated": False}
    code, got = await call(jp_fetch, "GET", "runs", params={"project": "t", "ids_only": "true",
                                                             "group_by": "params.opt", "group": '"sgd"'})
    assert set(got["ids"]) == set(ids[1::2])
    code, err = await call(jp_fetch, "GET", "runs", params={"project": "t", "order_by": "color"})
    assert code == 422 and "order_by 'color' is not a column" in err["error"]["message"]
    code, err = await call(jp_fetch, "GET", "runs", params={"project": "t", "ids_only": "maybe"})
    assert code == 400 and "ids_only" in err["error"]["message"]


async def test_listing_by_ids_answers_only_those_readable_runs(jp_fetch, jp_serverapp):
    reg = registry(jp_serverapp)
    ids = seed(reg)
    other = reg.create_run("alice", "u", name="elsewhere").id
    hidden = reg.create_run("bob", "hidden", name="x").id   # bob's private project: not alice's to read
    asked = [ids[4], other, ids[1], hidden, "f" * 32]
    # No project: the compare view's runs may come from several projects; one request for all.
    code, page = await call(jp_fetch, "GET", "runs", params={"ids": ",".join(asked), "limit": len(asked)})
    assert code == 200 and page["total"] == 3
    assert sorted(r["id"] for r in page["runs"]) == sorted([ids[4], other, ids[1]])
    assert {r["id"]: r["params"]["lr"] for r in page["runs"] if r["id"] != other} == \
        {ids[4]: 0.5, ids[1]: 0.2}
    # With a project and the other filters, as any listing.
    code, page = await call(jp_fetch, "GET", "runs", params={"project": "t", "ids": ",".join(asked),
                                                              "filter": "params.opt = sgd"})
    assert [r["id"] for r in page["runs"]] == [ids[1]]
    code, err = await call(jp_fetch, "GET", "runs", params={"ids": ",".join(f"{i:032x}" for i in range(1001))})
    assert code == 422 and "at most 1,000 run ids" in err["error"]["message"]


async def test_groups_count_and_aggregate_a_metric(jp_fetch, jp_serverapp):
    reg = registry(jp_serverapp)
    seed(reg)
    reg.create_run("bob", "hidden", name="x")
    code, got = await call(jp_fetch, "GET", "projects", "t", "runs", "groups",
                           params={"by": "params.opt", "metric": "val/acc"})
    assert code == 200 and got["by"] == "params.opt" and got["total"] == 6
    groups = {g["value"]: g for g in got["groups"]}
    assert groups["adam"]["count"] == 3 and groups["adam"]["key"] == '"adam"'
    assert groups["sgd"]["metric"] == {"count": 3, "mean": 0.6, "min": 0.2, "max": 1.0}
    code, got = await call(jp_fetch, "GET", "projects", "t", "runs", "groups", params={"by": "tags"})
    assert {g["value"]: g["count"] for g in got["groups"]} == {"sweep": 6, "best": 1}
    assert got["groups"][0]["metric"] == {"count": 0, "mean": None, "min": None, "max": None}
    code, err = await call(jp_fetch, "GET", "projects", "t", "runs", "groups", params={"by": "name"})
    assert code == 422 and "cannot group by 'name'" in err["error"]["message"]
    code, err = await call(jp_fetch, "GET", "projects", "t", "runs", "groups")
    assert code == 422 and "by is required" in err["error"]["message"]
    code, err = await call(jp_fetch, "GET", "projects", "hidden", "runs", "groups", params={"by": "tags"})
    assert code == 404 and err["error"]["code"] == "not_found"


async def test_metrics_query_batches_downsamples_and_follows_cursors(jp_fetch, jp_serverapp):
    reg = registry(jp_serverapp)
    ids = seed(reg)
    hidden = reg.create_run("bob", "hidden", name="x").id
    code, got = await call(jp_fetch, "POST", "metrics", "query",
                           body={"runs": ids[:2] + [hidden, "f" * 32], "keys": ["loss", "val/.*"], "max_points": 10})
    assert code == 200 and got["x"] == "step" and got["missing"] == [hidden, "f" * 32]
    assert [(s["run"], s["key"]) for s in got["series"]] == [
        (ids[0], "loss"), (ids[0], "val/acc"), (ids[1], "loss"), (ids[1], "val/acc")]
    loss = got["series"][0]
    assert loss["downsampled"] and loss["total"] == 100 and loss["last_step"] == 99
    assert loss["steps"][0] == 0 and loss["steps"][-1] == 99 and len(loss["steps"]) <= 10
    band = loss["band"]
    assert len(band["min"]) == len(band["max"]) == len(loss["steps"])
    assert all(lo <= v <= hi for lo, v, hi in zip(band["min"], loss["values"], band["max"]))
    assert got["series"][1]["band"] is None and got["series"][1]["values"] == [0.1, 0.0]
    assert set(got["starts"]) == set(ids[:2])
    # the compact form: columns as base64 of little-endian arrays, no timestamps
    code, got = await call(jp_fetch, "POST", "metrics", "query", body={
        "runs": ids[:1], "keys": ["loss"], "max_points": 10, "encoding": "base64-le", "timestamps": False})
    [packed] = got["series"]
    assert code == 200 and got["encoding"] == "base64-le" and "timestamps" not in packed
    assert np.frombuffer(base64.b64decode(packed["steps"]), "<i8").tolist() == loss["steps"]
    assert np.frombuffer(base64.b64decode(packed["values"]), "<f8").tolist() == loss["values"]
    assert np.frombuffer(base64.b64decode(packed["band"]["max"]), "<f8").tolist() == loss["band"]["max"]
    # bands left out (a chart of many lines does not draw them), or answered for some keys only
    for band, kept in ((False, False), (["val/acc"], False), (["loss", "val/acc"], True), (True, True)):
        code, got = await call(jp_fetch, "POST", "metrics", "query", body={
            "runs": ids[:1], "keys": ["loss"], "max_points": 10, "band": band})
        [one] = got["series"]
        assert code == 200 and one["steps"] == loss["steps"] and one["values"] == loss["values"]
        assert (one["band"] == loss["band"]) if kept else one["band"] is None, band
    # a live cursor per series, and a zoomed range
    code, got = await call(jp_fetch, "POST", "metrics", "query", body={
        "runs": ids[:2], "keys": ["loss"], "after_step": {ids[0]: {"loss": 96}}, "min_step": 10, "max_step": 97})
    assert [s["steps"] for s in got["series"]] == [[97], list(range(10, 98))]
    code, got = await call(jp_fetch, "POST", "metrics", "query", body={"runs": ids[:1], "keys": ["loss"],
                                                                       "x": "relative", "max_points": 6})
    assert got["x"] == "relative" and got["series"][0]["downsampled"]
    # one series: the same cursor and range on GET
    code, one = await call(jp_fetch, "GET", "runs", ids[0], "metrics", "loss", params={"after_step": 95})
    assert code == 200 and one["steps"] == [96, 97, 98, 99] and one["last_step"] == 99 and one["band"] is None
    code, one = await call(jp_fetch, "GET", "runs", ids[0], "metrics", "loss",
                           params={"min_step": 0, "max_step": 49, "max_points": 10})
    assert one["downsampled"] and one["steps"][-1] == 49 and len(one["band"]["min"]) == len(one["steps"])
    code, err = await call(jp_fetch, "GET", "runs", hidden, "metrics", "loss", params={"after_step": 1})
    assert code == 404
    code, err = await call(jp_fetch, "GET", "runs", ids[0], "metrics", "nope", params={"after_step": 1})
    assert code == 404 and err["error"]["code"] == "not_found"
    for body, words in [({"runs": [], "keys": ["loss"]}, "runs"), ({"runs": ids, "keys": ["(unclosed"]}, "regex"),
                        ({"runs": ids, "keys": ["loss"], "colour": 1}, "unknown field(s)"),
                        ({"runs": ids, "keys": ["loss"], "x": "epoch"}, "x"),
                        ({"runs": ids, "keys": ["loss"], "max_points": 1}, "max_points"),
                        ({"runs": ids, "keys": ["loss"], "encoding": "hex"}, "encoding"),
                        ({"runs": ids, "keys": ["loss"], "band": "loss"}, "band")]:
        code, err = await call(jp_fetch, "POST", "metrics", "query", body=body)
        assert code == 422 and words in err["error"]["message"], (body, err)


async def test_insights_rank_params_and_refuse_bad_input(jp_fetch, jp_serverapp):
    reg = registry(jp_serverapp)
    ids = seed(reg)
    code, got = await call(jp_fetch, "GET", "projects", "t", "insights", params={"metric": "loss"})
    assert code == 200 and got["metric"] == "loss" and got["runs"] == 6
    assert got["skipped"] == {"without_metric": 0}
    assert [p["param"] for p in got["params"]] == ["lr", "opt"]
    lr = got["params"][0]
    assert lr["importance"] > 0.8 and lr["correlation"] > 0.99 and lr["n"] == 6 and lr["kind"] == "number"
    assert got["params"][1]["kind"] == "category" and got["params"][1]["correlation"] is None
    code, got = await call(jp_fetch, "POST", "projects", "t", "insights", body={"metric": "loss", "runs": ids[:3]})
    assert code == 200 and got["runs"] == 3
    code, err = await call(jp_fetch, "GET", "projects", "t", "insights", params={"metric": "accuracy"})
    assert code == 422 and "has metric 'accuracy'" in err["error"]["message"] and "loss" in err["error"]["message"]
    code, err = await call(jp_fetch, "POST", "projects", "t", "insights", body={"metric": "loss", "runs": ids[:1]})
    assert code == 422 and "at least 2 runs" in err["error"]["message"]
    for run_id in ids[:2]:
        reg.update_run("alice", run_id, {"summary": {"verdict": "good"}})
    code, err = await call(jp_fetch, "GET", "projects", "t", "insights", params={"metric": "verdict"})
    assert code == 422 and "not numeric" in err["error"]["message"]
    code, err = await call(jp_fetch, "GET", "projects", "t", "insights")
    assert code == 422 and "metric is required" in err["error"]["message"]
    code, err = await call(jp_fetch, "POST", "projects", "t", "insights", body={"runs": ids})
    assert code == 422 and "metric" in err["error"]["message"]
    code, err = await call(jp_fetch, "GET", "projects", "nowhere", "insights", params={"metric": "loss"})
    assert code == 404


def test_read_only_tokens_may_query_and_ask_for_insights(mlhub_server):  # type: ignore[no-untyped-def]
    run = mlhub_server.api("POST", "runs", json={"project": "ro", "config": {"lr": 1}}).json()
    mlhub_server.api("POST", f"runs/{run['id']}/metrics", json={"metrics": {"loss": {"steps": [0], "values": [1.0]}}})
    made = mlhub_server.api("POST", "me/tokens", json={"name": "reader", "scope": "read"})
    assert made.status_code == 201, made.text
    reader = made.json()["token"]
    got = mlhub_server.api("POST", "metrics/query", token=reader, json={"runs": [run["id"]], "keys": ["loss"]})
    assert got.status_code == 200 and got.json()["series"][0]["values"] == [1.0]
    got = mlhub_server.api("POST", "projects/ro/insights", token=reader, json={"metric": "loss"})
    assert got.status_code == 422 and "at least 2 runs" in got.json()["error"]["message"]
    refused = mlhub_server.api("POST", "runs", token=reader, json={"project": "ro"})
    assert refused.status_code == 403 and "read-only" in refused.json()["error"]["message"]
