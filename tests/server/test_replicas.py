"""Two real `mlhub serve` replicas on one PostgreSQL and one artifact folder, requests
alternating between them: logging, the stream across replicas, chunked uploads, training,
predictions, and a replica killed in the middle of a job.

No timing assertions: everything is polled with generous deadlines (CI is a loaded 2-core box).
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import time
from typing import Any, Callable, Iterator

import psutil
import pytest
import requests

from tests.conftest import PG_ADMIN_URL, MLHubServer

LEASE_S = 3.0
RF = "sklearn.ensemble.RandomForestClassifier"
DONE = ("finished", "failed", "aborted")


class Replica(MLHubServer):
    """One `mlhub serve` of the pair: its own data dir (log, cache), the shared DB and files."""

    shared_env: dict[str, str] = {}

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "MLHUB_DATA_DIR": str(self.data_dir), **self.shared_env}

    def api(self, method: str, path: str, token: str | None = None, headers: dict[str, str] | None = None,
            **kw: Any) -> requests.Response:
        sent = {"Authorization": f"token {self.token if token is None else token}", **(headers or {})}
        return requests.request(method, self.url + "mlhub/api/v1/" + path.lstrip("/"), headers=sent, timeout=30,
                                **kw)


def _pg_database(name: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def dask_address() -> Iterator[str]:
    """One Dask cluster both replicas submit to (lighter than a LocalCluster in each)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory, dask_address: str) -> Iterator[list[Replica]]:
    root = tmp_path_factory.mktemp("replicas")
    db = _pg_database(f"mlhub_replicas_{os.getpid()}")
    url = next(db)
    try:
        env = {"MLHUB_DB_URL": url, "MLHUB_ARTIFACT_ROOT": str(root / "artifacts"), "MLHUB_JOB_LEASE": str(LEASE_S),
               "MLHUB_DASK_ADDRESS": dask_address, "MLHUB_RATE_LIMIT": "0"}
        servers = []
        for name in ("a", "b"):
            (root / name).mkdir()
            r = Replica(root / name)
            # A writes metric posts in a child process (the hub's deployment), B on a thread.
            r.shared_env = {**env, "MLHUB_METRIC_WRITER": "process"} if name == "a" else env
            servers.append(r)
        a, b = servers
        a.start()                      # creates the schema; B starts on it
        b.token = a.token
        b.start()
        yield servers
        for r in servers:
            r.stop()
    finally:
        try:
            next(db)
        except StopIteration:
            pass


def poll(what: str, get: Callable[[], Any], timeout: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        got = get()
        if got:
            return got
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)


def ok(r: requests.Response, code: int = 200) -> Any:
    assert r.status_code == code, r.text
    return r.json()


def iris_csv() -> bytes:
    from sklearn.datasets import load_iris

    data = load_iris(as_frame=True)
    frame = data.frame.drop(columns=["target"])
    frame.columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    frame["species"] = [data.target_names[t] for t in data.target]
    body = frame.to_csv(index=False).encode()
    head, rows = body.split(b"\n", 1)
    return head + b"\n" + rows * 30   # ~130 KB: three chunks of the smallest size allowed


def upload_across(first: Replica, second: Replica, data: bytes, name: str, chunk: int) -> dict[str, Any]:
    """Chunks alternate between the replicas; the upload completes on ``second``."""
    up = ok(first.api("POST", "uploads", json={"filename": f"{name}.csv", "size": len(data), "chunk_size": chunk}),
            201)
    for i, off in enumerate(range(0, len(data), chunk)):
        part = data[off:off + chunk]
        via = first if i % 2 == 0 else second
        ok(via.api("PUT", f"uploads/{up['id']}/chunks/{off}", data=part,
                   headers={"X-Chunk-SHA256": hashlib.sha256(part).hexdigest()}))
    ok(second.api("POST", f"uploads/{up['id']}/complete", json={"sha256": hashlib.sha256(data).hexdigest()}))
    return ok(first.api("POST", "datasets", json={"upload_id": up["id"], "name": name}), 201)


def wait_job(via: Replica, job_id: str, until: tuple[str, ...] = DONE, timeout: float = 150.0) -> dict[str, Any]:
    return poll(f"job {job_id} to reach {until}",
                lambda: (lambda j: j if j["state"] in until else None)(ok(via.api("GET", f"jobs/{job_id}"))),
                timeout)


def test_logging_and_the_stream_across_replicas(replicas: list[Replica]) -> None:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    a, b = replicas
    run = ok(a.api("POST", "runs", json={"project": "rep"}), 201)
    for seq in range(1, 7):  # alternate: each replica accepts batches the other one started
        via = a if seq % 2 else b
        batch = {"seq": seq, "metrics": {"loss": {"steps": [seq], "values": [1.0 / seq], "timestamps": [float(seq)]}}}
        res = ok(via.api("POST", f"runs/{run['id']}/metrics", json=batch))
        assert res["accepted"] and not res["duplicate"], res
    series = ok(b.api("GET", f"runs/{run['id']}/metrics/loss"))
    assert series["steps"] == [1, 2, 3, 4, 5, 6]

    big = 2000  # a batch over NOTIFY's 8000 bytes arrives whole, in parts
    async def subscribe_on_b_log_on_a() -> list[dict[str, Any]]:
        req = HTTPRequest(b.url.replace("http", "ws") + "mlhub/api/v1/stream",
                          headers={"Authorization": f"token {b.token}"})
        ws = await websocket_connect(req)
        ws.write_message(json.dumps({"subscribe": {"runs": [run["id"]]}}))
        got: list[dict[str, Any]] = []
        while True:
            msg = json.loads(await asyncio.wait_for(ws.read_message(), 60))
            if msg["type"] == "subscribed":
                break
        small = {"seq": 7, "metrics": {"acc": {"steps": [7], "values": [0.5], "timestamps": [7.0]}}}
        r = await asyncio.to_thread(a.api, "POST", f"runs/{run['id']}/metrics", json=small)
        assert r.status_code == 200, r.text
        steps = list(range(100, 100 + big))
        large = {"seq": 8, "metrics": {"loss": {"steps": steps, "values": [0.25] * big,
                                                "timestamps": [float(s) for s in steps]}}}
        r = await asyncio.to_thread(a.api, "POST", f"runs/{run['id']}/metrics", json=large)
        assert r.status_code == 200, r.text
        loss_points = 0
        while not (any("acc" in m["metrics"] for m in got) and loss_points >= big):
            msg = json.loads(await asyncio.wait_for(ws.read_message(), 60))
            if msg["type"] == "metrics":
                got.append(msg)
                loss_points += len(msg["metrics"].get("loss", {}).get("steps", []))
        ws.close()
        return got

    got = asyncio.run(subscribe_on_b_log_on_a())
    acc = next(m for m in got if "acc" in m["metrics"])
    assert acc["run"] == run["id"] and acc["metrics"]["acc"]["steps"] == [7]
    loss_steps = sorted(s for m in got for s in m["metrics"].get("loss", {}).get("steps", []))
    assert loss_steps == list(range(100, 100 + big))


def test_upload_train_predict_across_replicas(replicas: list[Replica]) -> None:
    a, b = replicas
    data = iris_csv()
    reg = upload_across(a, b, data, "iris", chunk=1 << 16)
    assert reg["version"]["num_rows"] == 150 * 30, reg
    assert ok(b.api("GET", "datasets/iris/versions/1"))["num_rows"] == 150 * 30

    job = ok(a.api("POST", "jobs", json={"dataset": "iris", "target": "species", "estimator": RF,
                                         "params": {"n_estimators": 10, "random_state": 0}, "name": "iris_rf"}), 202)
    done = wait_job(b, job["id"])
    assert done["state"] == "finished" and done["version"] == 1, (done["error"], done["message"])
    # the run is closed just after the job's end is recorded
    poll("the run to close", lambda: ok(b.api("GET", f"runs/{done['run_id']}"))["status"] == "finished", 60)

    ok(b.api("PUT", "models/iris_rf/aliases/production", json={"version": 1}))
    rows = [[5.1, 3.5, 1.4, 0.2]]
    for via in (b, a, b):  # each replica loads the model into its own cache
        p = ok(via.api("POST", "models/iris_rf/predictions", json={"inputs": rows}))
        assert p["version"] == 1 and p["outputs"][0]["prediction"] == "setosa"


def test_abort_through_the_other_replica(replicas: list[Replica]) -> None:
    a, b = replicas
    if ok(a.api("GET", "datasets"))["total"] == 0:
        upload_across(a, b, iris_csv(), "iris", chunk=1 << 16)
    job = ok(a.api("POST", "jobs", json={"dataset": "iris", "target": "species", "kind": "torch_mlp",
                                         "epochs": 5000, "batch_size": 4, "name": "long_mlp"}), 202)
    wait_job(b, job["id"], until=("running",) + DONE)
    aborted = ok(b.api("POST", f"jobs/{job['id']}/abort"))
    assert aborted["state"] == "aborted"
    # A notices at its next lease renewal (every LEASE_S / 3) and cancels the work without
    # writing over the abort: give it that chance, then look.
    time.sleep(LEASE_S)
    final = ok(a.api("GET", f"jobs/{job['id']}"))
    assert final["state"] == "aborted" and final["version"] is None, final
    poll("the run to close", lambda: ok(a.api("GET", f"runs/{job['run_id']}"))["status"] == "killed", 60)


def test_a_token_revoked_through_one_replica_is_refused_by_the_other_at_once(replicas: list[Replica]) -> None:
    """Each replica keeps a valid token's record for a minute (MLHub.token_cache_ttl); a
    revocation through replica A, or by `mlhub token revoke` on the database, reaches B's
    cache over the stream's fan-out, so B refuses the token within moments, not a minute."""
    import subprocess
    import sys

    a, b = replicas
    for how in ("rest", "cli"):
        token = a.create_token("dora")
        assert b.api("GET", "me", token=token).status_code == 200   # B now holds its record
        assert a.api("GET", "me", token=token).status_code == 200
        token_id = ok(a.api("GET", "me/tokens", token=token))["tokens"][-1]["id"]
        if how == "rest":
            assert a.api("DELETE", f"me/tokens/{token_id}", token=token).status_code in (200, 204)
        else:
            subprocess.run([sys.executable, "-m", "mlhub_ext.cli", "token", "revoke", str(token_id)],
                           env=a.env, check=True, capture_output=True)
        start = time.monotonic()
        poll(f"B to refuse the token revoked by {how}", lambda: b.api("GET", "me", token=token).status_code == 401,
             timeout=20)
        assert time.monotonic() - start < 20 < 60   # well inside the cache's minute
        assert a.api("GET", "me", token=token).status_code == 401


def test_a_replica_killed_mid_job_fails_the_job_with_a_reason(replicas: list[Replica]) -> None:
    a, b = replicas
    if ok(a.api("GET", "datasets"))["total"] == 0:
        upload_across(a, b, iris_csv(), "iris", chunk=1 << 16)
    job = ok(a.api("POST", "jobs", json={"dataset": "iris", "target": "species", "kind": "torch_mlp",
                                         "epochs": 5000, "batch_size": 4, "name": "orphan"}), 202)
    wait_job(b, job["id"], until=("running",) + DONE)
    assert a.proc is not None
    children = psutil.Process(a.proc.pid).children(recursive=True)   # its metric writer, dataset worker
    a.proc.send_signal(signal.SIGKILL)   # no goodbye: its lease simply stops being renewed
    a.proc.wait(30)
    a.proc = None
    _, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, [p.cmdline() for p in alive]   # none of its processes outlives it
    done = wait_job(b, job["id"], timeout=120)
    assert done["state"] == "failed" and "lease expired" in done["error"], done
    poll("the run to close", lambda: ok(b.api("GET", f"runs/{job['run_id']}"))["status"] == "failed", 60)
    # Never run twice: nothing registered it, and it stays failed.
    assert b.api("GET", "models/orphan").status_code == 404
    time.sleep(LEASE_S)
    assert ok(b.api("GET", f"jobs/{job['id']}"))["state"] == "failed"
    # The other replica keeps serving everything.
    run = ok(b.api("POST", "runs", json={"project": "after"}), 201)
    ok(b.api("POST", f"runs/{run['id']}/metrics",
             json={"seq": 1, "metrics": {"x": {"steps": [0], "values": [1.0], "timestamps": [0.0]}}}))

