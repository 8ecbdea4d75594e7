"""Models benchmark: serving and sweeps, figures printed.

    python bench/models.py [--quick]

S1 prediction over REST for a RandomForest on iris (one row per request): p50/p99 latency
   sequentially and requests/s with 4 concurrent clients — ML Hub's
   POST /models/{name}/predictions (with and without storing the inference) side by side
   with `mlflow models serve` on the same model (MLflow runs from .venv-peers). Then the
   same for StandardScaler + LogisticRegression, which ML Hub serves through scikit-learn
   itself (forests have a faster path of their own). MLflow stores no inference, so the
   store=false rows are the like-for-like ones.
S2 a 12-trial sweep (RandomForest, 3 x 4 grid) on a 2-worker LocalCluster against the same
   trials run one after the other in this process.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _serve import Server  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / ".venv-peers" / "bin"
COLUMNS = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
ROW = [5.1, 3.5, 1.4, 0.2]
N_ESTIMATORS = 100


def iris_frame() -> Any:
    import numpy as np
    from sklearn.datasets import load_iris

    data = load_iris(as_frame=True)
    df = data.frame.drop(columns=["target"])
    df.columns = COLUMNS
    df["species"] = np.asarray(data.target_names)[data.target]
    return df


def load(post: Callable[[requests.Session], requests.Response], n: int, clients: int) -> dict[str, float]:
    """``n`` requests split over ``clients`` threads: latency percentiles and requests/s."""
    lat: list[float] = []
    lock = threading.Lock()

    def run(count: int) -> None:
        s = requests.Session()
        mine = []
        for _ in range(count):
            t = time.perf_counter()
            r = post(s)
            mine.append((time.perf_counter() - t) * 1000)
            if r.status_code != 200:
                raise RuntimeError(f"{r.status_code}: {r.text[:200]}")
        with lock:
            lat.extend(mine)

    for _ in range(20):  # warm up: model loaded and cached, connections open
        post(requests.Session())
    threads = [threading.Thread(target=run, args=(n // clients,)) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    lat.sort()
    return {"p50_ms": statistics.median(lat), "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))],
            "rps": len(lat) / wall}


PIPELINE_STEPS = [["scale", "sklearn.preprocessing.StandardScaler", {}],
                  ["model", "sklearn.linear_model.LogisticRegression", {"max_iter": 500}]]


def mlhub_serving(n: int) -> dict[str, dict[str, float]]:
    server = Server()
    try:
        api = server.url + "mlhub/api/v1/"
        s = server.session
        os.environ.update(MLHUB_URL=server.url, MLHUB_TOKEN=server.token)
        import mlhub_ext as mh

        mh.datasets.upload(iris_frame(), name="iris")
        trainings = {"iris_rf": {"estimator": "sklearn.ensemble.RandomForestClassifier",
                                 "params": {"n_estimators": N_ESTIMATORS, "random_state": 0, "n_jobs": 1}},
                     "iris_pipeline": {"estimator": "sklearn.pipeline.Pipeline", "steps": PIPELINE_STEPS}}
        for name, spec in trainings.items():
            job = s.post(api + "jobs", json={"dataset": "iris", "target": "species", "name": name, **spec}).json()
            while (job := s.get(api + f"jobs/{job['id']}").json())["state"] not in ("finished", "failed", "aborted"):
                time.sleep(0.2)
            assert job["state"] == "finished", job
            s.put(api + f"models/{name}/aliases/production", json={"version": 1}).raise_for_status()
        headers = {"Authorization": f"token {server.token}"}
        out = {}
        for label, name, store in (("ML Hub (stored)", "iris_rf", True), ("ML Hub (store=false)", "iris_rf", False),
                                   ("ML Hub pipeline (stored)", "iris_pipeline", True),
                                   ("ML Hub pipeline (store=false)", "iris_pipeline", False)):
            url = api + f"models/{name}/predictions"
            body = {"stage": "production", "inputs": [ROW], "store": store}
            seq = load(lambda ses: ses.post(url, json=body, headers=headers), n, 1)
            par = load(lambda ses: ses.post(url, json=body, headers=headers), n, 4)
            out[label] = {"p50_ms": seq["p50_ms"], "p99_ms": seq["p99_ms"], "rps_1": seq["rps"], "rps_4": par["rps"]}
        return out
    finally:
        server.stop()


def mlflow_serving(n: int, kind: str = "rf") -> dict[str, float] | None:
    if not (PEERS / "mlflow").exists():
        print("(.venv-peers has no mlflow: MLflow side skipped; see bench/tracking.py to create it)")
        return None
    work = tempfile.mkdtemp(prefix="mlflow-bench-")
    got = subprocess.run([str(PEERS / "python"), str(ROOT / "bench" / "peers" / "models_peer.py"), work,
                          str(N_ESTIMATORS), kind], check=True, capture_output=True, text=True)
    path = json.loads(got.stdout.strip().splitlines()[-1])["model_path"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "PATH": f"{PEERS}:{os.environ.get('PATH', '')}"}
    proc = subprocess.Popen([str(PEERS / "mlflow"), "models", "serve", "-m", path, "-p", str(port), "-h",
                             "127.0.0.1", "--env-manager", "local", "-w", "1"], env=env, cwd=work,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if requests.get(base + "/ping", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        body = {"dataframe_split": {"columns": COLUMNS, "data": [ROW]}}
        seq = load(lambda ses: ses.post(base + "/invocations", json=body), n, 1)
        par = load(lambda ses: ses.post(base + "/invocations", json=body), n, 4)
        return {"p50_ms": seq["p50_ms"], "p99_ms": seq["p99_ms"], "rps_1": seq["rps"], "rps_4": par["rps"]}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(15)


def sweep_bench(quick: bool, repeats: int = 3) -> dict[str, float]:
    from sklearn.datasets import make_classification
    import pandas as pd

    from mlhub_ext.train.cluster import close_cluster, get_client
    from mlhub_ext.train.sweep import expand_grid, run_sweep
    from mlhub_ext.train.tasks import train_task

    X, y = make_classification(n_samples=1500 if quick else 4000, n_features=20, n_informative=8, random_state=0)
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])]).assign(y=y)
    spec = {"kind": "sklearn", "estimator": "sklearn.ensemble.RandomForestClassifier",
            "params": {"random_state": 0, "n_jobs": 1}}
    space = {"n_estimators": [40, 80, 120], "max_depth": [4, 8, 16, None]}
    trials = expand_grid(spec, space)
    assert len(trials) == 12
    client = get_client(n_workers=2)
    serial_runs, cluster_runs = [], []
    try:
        client.submit(sum, [1, 2]).result()  # workers up; not counted
        for _ in range(repeats):  # alternated, so that load from elsewhere hits both sides alike
            t = time.perf_counter()
            serial = [train_task(tr.to_dict(), df, "y") for tr in trials]
            serial_runs.append(time.perf_counter() - t)
            t = time.perf_counter()
            summary = run_sweep(client, spec, df, "y", space, "f1_macro")
            cluster_runs.append(time.perf_counter() - t)
            assert all(r["state"] == "finished" for r in summary["trials"]) and len(serial) == 12
    finally:
        close_cluster()
    serial_s, cluster_s = min(serial_runs), min(cluster_runs)
    return {"serial_s": serial_s, "cluster_s": cluster_s, "speedup": serial_s / cluster_s,
            "median_speedup": statistics.median(serial_runs) / statistics.median(cluster_runs)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer requests and a smaller sweep table")
    ap.add_argument("--only", choices=("serve", "sweep"), help="run one of the two")
    a = ap.parse_args()
    n = 0 if a.only == "sweep" else 400 if a.quick else 2000
    if n:
        print(f"S1  prediction over REST, RandomForest({N_ESTIMATORS} trees) on iris, one row per request, {n:,} "
              "requests per figure (p50/p99 sequential; req/s with 1 and 4 clients)")
    rows: dict[str, dict[str, float]] = mlhub_serving(n) if n else {}
    peer = mlflow_serving(n, "rf") if n else None
    peer_pipeline = mlflow_serving(n, "pipeline") if n and peer is not None else None
    if peer is not None:
        rows["mlflow models serve (1 worker)"] = peer
    if peer_pipeline is not None:
        rows["mlflow pipeline (1 worker)"] = peer_pipeline
    if rows:
        print(f"{'':34} {'p50 ms':>8} {'p99 ms':>8} {'req/s x1':>9} {'req/s x4':>9}")
    for label, r in rows.items():
        print(f"{label:34} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} {r['rps_1']:9.0f} {r['rps_4']:9.0f}")
    for prefix, theirs in (("ML Hub", peer), ("ML Hub pipeline", peer_pipeline)):
        for variant in ("stored", "store=false"):
            if theirs is not None:
                ours = rows[f"{prefix} ({variant})"]
                print(f"ratios {prefix} ({variant}) / MLflow: p50 {ours['p50_ms'] / theirs['p50_ms']:.2f}x, "
                      f"req/s x4 {ours['rps_4'] / theirs['rps_4']:.2f}x")
    if a.only in (None, "sweep"):
        s = sweep_bench(a.quick)
        print(f"\nS2  12-trial sweep (RandomForest 3 x 4 grid), best of 3 alternated: serial {s['serial_s']:.1f} s, "
              f"2-worker LocalCluster {s['cluster_s']:.1f} s -> {s['speedup']:.2f}x (median {s['median_speedup']:.2f}x; "
              "target >= 1.7x on 2 cores)")


if __name__ == "__main__":
    main()
