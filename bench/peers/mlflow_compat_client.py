"""Client side of bench/mlflow_compat.py: one MLflow-client workload against the tracking
server named by MLFLOW_TRACKING_URI (runs in the peers' virtualenv); prints one JSON object.

    python mlflow_compat_client.py SCALE     (SCALE 1 = the full workload, 0.1 = --quick)
"""
from __future__ import annotations

import json
import statistics
import sys
import time


def main(scale: float) -> None:
    from mlflow import MlflowClient
    from mlflow.entities import Metric

    client = MlflowClient()
    calls, n_runs, points, creates = int(200 * scale), int(1000 * scale), int(100_000 * scale), int(500 * scale)
    out: dict[str, float] = {}
    exp = client.create_experiment(f"compat-{time.time_ns()}")
    now = int(time.time() * 1000)

    run = client.create_run(exp)
    t = time.perf_counter()
    for c in range(calls):
        client.log_batch(run.info.run_id, metrics=[Metric("loss", 1.0 / (j + 1), now + j, c * 1000 + j)
                                                   for j in range(1000)])
    out["log_batch_s"] = time.perf_counter() - t

    hist = client.create_run(exp)   # setup, not timed
    for c in range(0, points, 1000):
        client.log_batch(hist.info.run_id, metrics=[Metric("h", float(j), now + j, c + j) for j in range(1000)])
    times = []
    for _ in range(3):
        t = time.perf_counter()
        got = client.get_metric_history(hist.info.run_id, "h")
        times.append(time.perf_counter() - t)
        assert len(got) == points, len(got)
    out["metric_history_s"] = statistics.median(times)

    grid = client.create_experiment(f"grid-{time.time_ns()}")   # setup: runs with one metric each
    for i in range(n_runs):
        r = client.create_run(grid)
        client.log_batch(r.info.run_id, metrics=[Metric("acc", i / n_runs, now, 0)])
    times = []
    for _ in range(5):
        t = time.perf_counter()
        found = client.search_runs([grid], "metrics.acc > 0.5", max_results=n_runs, order_by=["metrics.acc DESC"])
        times.append(time.perf_counter() - t)
    assert len(found) == n_runs - int(n_runs * 0.5) - 1 or len(found) > 0, len(found)
    out["search_runs_s"] = statistics.median(times)
    out["search_found"] = len(found)

    t = time.perf_counter()
    for _ in range(creates):
        client.create_run(exp)
    out["create_run_s"] = time.perf_counter() - t
    print(json.dumps(out))


if __name__ == "__main__":
    main(float(sys.argv[1]))
