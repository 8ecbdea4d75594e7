"""Peer side of bench/tracking.py: the same workloads on MLflow and W&B (offline).

Runs in its own virtualenv (.venv-peers) so MLflow's and wandb's pins never touch ML
Hub's environment; prints one JSON object per workload on stdout.
"""
from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def mlflow_client(tmp: str):  # type: ignore[no-untyped-def]
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{tmp}/mlflow.db")
    return mlflow


def w1_mlflow_log_metric(n: int) -> dict:
    tmp = tempfile.mkdtemp()
    mlflow = mlflow_client(tmp)
    with mlflow.start_run():
        t = time.perf_counter()
        for i in range(n):
            mlflow.log_metric("loss", 1.0 / (i + 1), step=i)
        loop = time.perf_counter() - t
    return {"peer": "MLflow log_metric (SQLite)", "us_per_call": loop / n * 1e6, "durable_s": 0.0, "rss_mb": rss_mb()}


def w1_mlflow_log_batch(n: int, keys: int = 1) -> dict:
    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

    tmp = tempfile.mkdtemp()
    mlflow_client(tmp)
    client = MlflowClient()
    exp = client.create_experiment("b")
    run = client.create_run(exp)
    t = time.perf_counter()
    batch = []
    for i in range(n):
        now = int(time.time() * 1000)
        for k in range(keys):
            batch.append(Metric(f"m{k}", 1.0 / (i + 1), now, i))
        if len(batch) >= 1000:
            client.log_batch(run.info.run_id, metrics=batch)
            batch = []
    if batch:
        client.log_batch(run.info.run_id, metrics=batch)
    loop = time.perf_counter() - t
    return {"peer": "MLflow log_batch (SQLite)", "us_per_call": loop / n * 1e6, "durable_s": 0.0, "rss_mb": rss_mb(),
            "run_id": run.info.run_id, "tmp": tmp}


def w_wandb(n: int, keys: int) -> dict:
    import wandb

    tmp = tempfile.mkdtemp()
    os.environ["WANDB_MODE"] = "offline"
    os.environ["WANDB_SILENT"] = "true"
    run = wandb.init(project="bench", dir=tmp)
    t = time.perf_counter()
    for i in range(n):
        run.log({f"m{k}": 1.0 / (i + 1) for k in range(keys)}, step=i)
    loop = time.perf_counter() - t
    t = time.perf_counter()
    run.finish()
    return {"peer": "W&B offline", "us_per_call": loop / n * 1e6, "durable_s": time.perf_counter() - t,
            "rss_mb": rss_mb()}


def w3_mlflow_read(n: int) -> dict:
    from mlflow.tracking import MlflowClient

    res = w1_mlflow_log_batch(n)
    client = MlflowClient()
    t = time.perf_counter()
    hist = client.get_metric_history(res["run_id"], "m0")
    return {"peer": "MLflow get_metric_history", "read_s": time.perf_counter() - t, "points": len(hist)}


def w4_mlflow_list(runs: int) -> dict:
    from mlflow.tracking import MlflowClient

    tmp = tempfile.mkdtemp()
    mlflow_client(tmp)
    client = MlflowClient()
    exp = client.create_experiment("w4")
    from mlflow.entities import Metric, Param

    for i in range(runs):
        r = client.create_run(exp)
        client.log_batch(r.info.run_id, metrics=[Metric("acc", i / runs, int(time.time() * 1000), 0)],
                         params=[Param(f"p{j}", str(i * j)) for j in range(10)])
    t = time.perf_counter()
    got = client.search_runs([exp], max_results=runs)
    return {"peer": "MLflow search_runs", "list_s": time.perf_counter() - t, "runs": len(got)}


if __name__ == "__main__":
    work, args = sys.argv[1], [int(a) for a in sys.argv[2:]]
    fn = {"w1_mlflow_log_metric": w1_mlflow_log_metric, "w1_mlflow_log_batch": w1_mlflow_log_batch,
          "w_wandb": w_wandb, "w3_mlflow_read": w3_mlflow_read, "w4_mlflow_list": w4_mlflow_list}[work]
    out = fn(*args)
    out.pop("tmp", None)
    out.pop("run_id", None)
    print(json.dumps(out))
