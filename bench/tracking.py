"""Tracking benchmark: ML Hub against MLflow and W&B (offline) on the same workloads, in one run.

    python bench/tracking.py [--quick] [--only W7]

W1 one metric x 100,000 steps, one log call per step: µs per call, time until durable.
W2 20 metrics x 10,000 steps: µs per call.
W3 read back a 100,000-point series raw; a 1,000,000-point series downsampled to 1,000 points.
W4 1,000 runs x 10 params: list with latest metrics.
W5 latency from `log` to the point arriving on the stream (p50/p95).
W6 50 processes logging at once into one SQLite registry (no point lost, no "database is locked").
W7 the cost of system metrics on a `run.log` loop (sampler off / every 10 s / every 0.5 s), and
   the W&B-style shim's `wandb.log` on the same loop.
Peers run in .venv-peers (created on first use) so their pins never touch ML Hub's venv.
Figures are medians of 3 where a workload is repeated.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serve import Server  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / ".venv-peers" / "bin" / "python"


def ensure_peers() -> bool:
    if PEERS.exists():
        return True
    print("creating .venv-peers with mlflow and wandb (first run only)...", flush=True)
    r = subprocess.run(f"python3 -m venv {PEERS.parent.parent} && {PEERS.parent}/pip install -q mlflow wandb",
                       shell=True)
    return r.returncode == 0


def peer(work: str, *args: int) -> dict:
    out = subprocess.run([str(PEERS), str(ROOT / "bench" / "peers" / "tracking_peers.py"), work, *map(str, args)],
                         capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        return {"peer": work, "error": out.stderr.strip().splitlines()[-1:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def worker(kind: str, n: int, keys: int) -> None:
    """The ML Hub logging side, in its own process (for a clean peak RSS)."""
    import mlhub_ext as mh

    values = [{f"m{k}": 1.0 / (i + 1) for k in range(keys)} for i in range(min(n, 1000))]
    if kind == "wandb":   # the W&B-style shim: each wandb.log call is the next step
        import mlhub_ext.wandb as wandb

        wrun = wandb.init(project="bench", name=kind)
        run = wrun.mlhub_run
        t = time.perf_counter()
        for i in range(n):
            wandb.log(values[i % 1000])
        loop = time.perf_counter() - t
    else:
        run = mh.init(project="bench", name=kind)
        t = time.perf_counter()
        for i in range(n):
            run.log(values[i % 1000], step=i)
        loop = time.perf_counter() - t
    samples = run._monitor._step if run._monitor is not None else 0
    t = time.perf_counter()
    run.finish()
    durable = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peer": "ML Hub", "us_per_call": loop / n * 1e6, "durable_s": durable, "rss_mb": rss,
                      "run": run.id, "loop_s": loop, "samples": samples}))


def mlhub_worker(server: Server, n: int, keys: int, env: dict[str, str] | None = None,
                 kind: str = "w") -> dict:
    env = {**os.environ, "MLHUB_URL": server.url, "MLHUB_TOKEN": server.token,
           "MLHUB_WAL_DIR": str(server.dir / "wal"), **(env or {})}
    out = subprocess.run([sys.executable, __file__, "--worker", str(n), str(keys), "--kind", kind], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


SYSTEM_METRICS_CASES = {
    "off": {"MLHUB_SYSTEM_METRICS": "0"},
    "every 10 s (default)": {"MLHUB_SYSTEM_METRICS": "1", "MLHUB_SYSTEM_METRICS_INTERVAL": "10"},
    "every 0.5 s": {"MLHUB_SYSTEM_METRICS": "1", "MLHUB_SYSTEM_METRICS_INTERVAL": "0.5"},
}


def w7(server: Server, n: int, repeats: int) -> dict[str, dict]:
    """run.log loop of ``n`` calls with the sampler off/on, rounds interleaved so drift in
    the machine's load hits every case alike; medians of ``repeats``. Then wandb.log."""
    results: dict[str, list[dict]] = {case: [] for case in SYSTEM_METRICS_CASES}
    for _ in range(repeats):
        for case, env in SYSTEM_METRICS_CASES.items():
            results[case].append(mlhub_worker(server, n, 1, env))
    out = {case: {"us_per_call": statistics.median(r["us_per_call"] for r in rs),
                  "loop_s": statistics.median(r["loop_s"] for r in rs),
                  "samples": statistics.median(r["samples"] for r in rs)} for case, rs in results.items()}
    shim = [mlhub_worker(server, n, 1, SYSTEM_METRICS_CASES["off"], kind="wandb") for _ in range(repeats)]
    out["wandb.log (shim), sampler off"] = {"us_per_call": statistics.median(r["us_per_call"] for r in shim),
                                            "loop_s": statistics.median(r["loop_s"] for r in shim),
                                            "samples": 0}
    return out


def median_of(fn, repeats: int = 3) -> dict:  # type: ignore[no-untyped-def]
    results = [fn() for _ in range(repeats)]
    if any("error" in r for r in results):
        return next(r for r in results if "error" in r)
    out = dict(results[0])
    for key in ("us_per_call", "durable_s", "rss_mb", "read_s", "list_s"):
        if key in out:
            out[key] = statistics.median(r[key] for r in results)
    return out


def table(title: str, rows: list[dict], metric: str, unit: str) -> None:
    print(f"\n{title}")
    ours = next((r[metric] for r in rows if r.get("peer") == "ML Hub"), None)
    for r in rows:
        if "error" in r:
            print(f"  {r['peer']:<32} error: {r['error']}")
            continue
        ratio = f"  ({r[metric] / ours:,.1f}x ML Hub)" if ours and r.get("peer") != "ML Hub" else ""
        extra = "".join(f"  {k}={r[k]:.3f}" for k in ("durable_s", "rss_mb") if k in r)
        print(f"  {r['peer']:<32} {r[metric]:>12,.2f} {unit}{ratio}{extra}")


def w3(server: Server, n_raw: int, n_big: int) -> list[dict]:
    import mlhub_ext as mh

    mh.login(server.url, server.token)
    rows = []
    for n, max_points, label in ((n_raw, None, f"ML Hub raw {n_raw:,}"), (n_big, 1000, f"ML Hub {n_big:,} -> 1,000")):
        run = mh.init(project="bench-read")
        for i in range(n):
            run.log({"x": (i % 1000) / 1000.0}, step=i)
        run.finish()
        params = {"max_points": max_points} if max_points else {}
        times = []
        for _ in range(5):
            t = time.perf_counter()
            body = server.get(f"runs/{run.id}/metrics/x", params=params).content
            times.append(time.perf_counter() - t)
        assert len(json.loads(body)["values"]) == (n if not max_points else len(json.loads(body)["values"]))
        rows.append({"peer": label, "read_s": statistics.median(times)})
    return rows


def w4(server: Server, runs: int) -> dict:
    import mlhub_ext as mh

    mh.login(server.url, server.token)
    for i in range(runs):
        r = mh.init(project="bench-list", config={f"p{j}": i * j for j in range(10)})
        r.log({"acc": i / runs})
        r.finish()
    times = []
    for _ in range(5):
        t = time.perf_counter()
        got = server.get("runs", params={"project": "bench-list", "limit": runs}).content
        times.append(time.perf_counter() - t)
    assert json.loads(got)["total"] == runs
    return {"peer": "ML Hub", "list_s": statistics.median(times)}


def w5(server: Server, points: int) -> dict:
    import websocket

    import mlhub_ext as mh

    mh.login(server.url, server.token)
    run = mh.init(project="bench-stream")
    ws = websocket.create_connection(server.url.replace("http", "ws") + "mlhub/api/v1/stream",
                                     header=[f"Authorization: token {server.token}"])
    ws.send(json.dumps({"subscribe": {"runs": [run.id]}}))
    json.loads(ws.recv())
    sent: dict[int, float] = {}
    lat: list[float] = []

    def read() -> None:
        while len(lat) < points:
            msg = json.loads(ws.recv())
            now = time.time()
            if msg.get("type") == "metrics":
                lat.extend(now - sent[s] for s in msg["metrics"]["t"]["steps"])

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    for i in range(points):
        sent[i] = time.time()
        run.log({"t": float(i)}, step=i)
        time.sleep(0.02)
    reader.join(30)
    run.finish()
    ws.close()
    q = statistics.quantiles(lat, n=20)
    return {"peer": "ML Hub", "p50_ms": statistics.median(lat) * 1000, "p95_ms": q[18] * 1000}


def w6(server: Server, procs: int, steps: int) -> dict:
    """``procs`` processes logging at once into one SQLite registry: nothing lost, no lock errors."""
    env = {**os.environ, "MLHUB_URL": server.url, "MLHUB_TOKEN": server.token,
           "MLHUB_WAL_DIR": str(server.dir / "wal6")}
    t = time.perf_counter()
    workers = [subprocess.Popen([sys.executable, __file__, "--worker", str(steps), "5"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(procs)]
    outs = [w.communicate(timeout=600) for w in workers]
    wall = time.perf_counter() - t
    locked = sum("database is locked" in err for _, err in outs)
    failed = sum(w.returncode != 0 for w in workers)
    runs = [json.loads(out.strip().splitlines()[-1])["run"] for out, _ in outs if out.strip()]
    complete = sum(server.get(f"runs/{r}/metrics/m0").json()["total"] == steps for r in runs)
    return {"procs": procs, "wall_s": wall, "failed": failed, "locked": locked, "complete": complete}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller workloads (for a smoke run)")
    ap.add_argument("--only", choices=["W7"], help="run one workload only")
    ap.add_argument("--worker", nargs=2, type=int, help=argparse.SUPPRESS)
    ap.add_argument("--kind", default="w", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        worker(a.kind, *a.worker)
        return
    if a.only == "W7":
        server = Server()
        try:
            report_w7(server, a.quick)
        finally:
            server.stop()
        return
    n1, n2, nbig, nruns, nslow = ((20_000, 2_000, 200_000, 200, 500) if a.quick else
                                  (100_000, 10_000, 1_000_000, 1_000, 2_000))
    have_peers = ensure_peers()
    server = Server()
    try:
        rows = [median_of(lambda: mlhub_worker(server, n1, 1))]
        if have_peers:
            rows += [peer("w1_mlflow_log_metric", nslow), median_of(lambda: peer("w1_mlflow_log_batch", n1)),
                     median_of(lambda: peer("w_wandb", n1, 1))]
        table(f"W1  1 metric x {n1:,} steps, one log call per step", rows, "us_per_call", "µs/call")
        rows = [median_of(lambda: mlhub_worker(server, n2, 20))]
        if have_peers:
            rows += [median_of(lambda: peer("w1_mlflow_log_batch", n2, 20)), median_of(lambda: peer("w_wandb", n2, 20))]
        table(f"W2  20 metrics x {n2:,} steps", rows, "us_per_call", "µs/call")
        rows = w3(server, n1, nbig)
        if have_peers:
            rows.append(peer("w3_mlflow_read", n1))
        table(f"W3  read back a series over REST ({n1:,} raw; {nbig:,} downsampled)", rows, "read_s", "s")
        rows = [w4(server, nruns)]
        if have_peers:
            rows.append(peer("w4_mlflow_list", nruns))
        table(f"W4  list {nruns:,} runs x 10 params with latest metric", rows, "list_s", "s")
        r5 = w5(server, 100 if a.quick else 300)
        print(f"\nW5  log -> stream latency: p50 {r5['p50_ms']:.1f} ms, p95 {r5['p95_ms']:.1f} ms")
        r6 = w6(server, 10 if a.quick else 50, 2_000)
        print(f"\nW6  {r6['procs']} processes x 2,000 steps x 5 metrics into one SQLite registry: "
              f"{r6['wall_s']:.1f} s, {r6['complete']}/{r6['procs']} runs complete, {r6['failed']} failed, "
              f"{r6['locked']} saw 'database is locked'")
        report_w7(server, a.quick)
    finally:
        server.stop()


def sample_cost(samples: int = 200) -> tuple[float, float]:
    """(wall ms, CPU ms) of one system-metrics sample, taken here in-process: the sampler's
    whole cost is this once per interval, which the loop timings above cannot resolve
    from a busy machine's noise."""
    from mlhub_ext.client.sysmetrics import Sampler

    sampler = Sampler()
    time.sleep(0.2)
    t, c = time.perf_counter(), time.process_time()
    for _ in range(samples):
        sampler.sample()
    wall, cpu = (time.perf_counter() - t) / samples * 1e3, (time.process_time() - c) / samples * 1e3
    sampler.close()
    return wall, cpu


def report_w7(server: Server, quick: bool) -> None:
    n, repeats = (3_000_000, 3) if quick else (10_000_000, 5)
    r7 = w7(server, n, repeats)
    base = r7["off"]["us_per_call"]
    wall, cpu = sample_cost()
    print(f"\nW7  one system-metrics sample: {wall:.2f} ms wall, {cpu:.2f} ms CPU = "
          f"{wall / 10_000 * 100:.3f} % of a 10 s interval, {wall / 500 * 100:.2f} % of 0.5 s")
    print(f"W7  system metrics on a run.log loop of {n:,} calls (1 metric), medians of {repeats}")
    for case, r in r7.items():
        print(f"  {case:<32} {r['us_per_call']:>8.3f} µs/call  loop {r['loop_s']:.2f} s  "
              f"{r['samples']:.0f} samples  cost {100 * (r['us_per_call'] / base - 1):+.1f} %")


if __name__ == "__main__":
    main()
