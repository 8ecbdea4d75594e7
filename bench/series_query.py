"""Batched series benchmark: POST /mlhub/api/v1/metrics/query for 200 runs x 1,000 points, and
the compare view's reads at 200 runs x 4 metrics x 100,000 points.

    python bench/series_query.py [--runs 200] [--points 1000] [--repeat 5] [--no-mlflow] [--pg-url URL]
                                 [--scale-runs 200] [--scale-points 100000] [--no-scale] [--only-scale]

Fills a registry (SQLite, and PostgreSQL when --pg-url or MLHUB_TEST_PG_URL names a server it can
reach: a database ``mlhub_bench_series`` is made there) with ``--runs`` runs, each logging
``loss`` (``--points`` points, in batches of 100) and ``val/loss`` (10 x that, for the
downsampling line), starts a real ``mlhub serve`` on it and prints the median of ``--repeat``
requests of:

- ``query loss``: one POST /metrics/query for every run's ``loss`` (all points: the target is
  <= 150 ms for 200 x 1,000), as JSON arrays, and in the compact form (``encoding: base64-le``,
  ``timestamps: false``: what a chart on a step axis needs);
- ``query val/loss -> 1000``: every run's 10x longer series downsampled to 1,000 points (+ band);
- the same read in-process (RunTable.series: the store and the reduction, without HTTP);
- ``MLflow bulk-interval``: MLflow's own ``mlflow server`` (from .venv-peers or .venv-mlflow,
  see bench/mlflow_compat.py) on the same data, ``metrics/get-history-bulk-interval`` for
  ``loss`` (max_results = points; it takes at most 100 runs a request, so 200 runs are two
  requests, timed together), and the same call on ML Hub's MLflow-compatible routes.

At scale (SQLite, ``--scale-runs`` runs x 4 metrics x ``--scale-points`` points, filled in bulk by
bench/ui_scale.py's filler: packed chunks of 1,000 points, then each series' summary pages),
in-process (the store's read and reduction) and through ``mlhub serve`` (until the last byte):

- ``compare``: one query for all 4 keys of every run, ``max_points`` 1,000, the whole range
  (target <= 300 ms), as JSON with timestamps, and as the lab's step axis asks (JSON, no
  timestamps) and in the compact form (``base64-le``, no timestamps);
- ``zoom``: the same over a third of the range (``min_x``/``max_x`` on the step axis, as the lab
  zooms: every panel re-fetches) at 1,000 points (target <= 150 ms); ``zoom, one key``: one
  panel's 200 series only;
- ``... raw path``: the same reads forced through the raw chunks (what every read did before
  the summaries), in-process, once (``--scale-raw``).
"""
from __future__ import annotations

import argparse
import base64
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import orjson
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from mlhub_ext.core.run_table import RunTable  # noqa: E402
from mlhub_ext.store import open_registry  # noqa: E402

USER = "bench"
BATCH = 100


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def median_ms(fn: Callable[[], Any], repeat: int) -> float:
    fn()   # warm: connections, caches
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def fill(db_url: str, runs: int, points: int) -> tuple[Any, list[str]]:
    registry = open_registry(db_url, auto_upgrade=True)
    registry.create_project(USER, "series-bench")
    ids = []
    t0 = time.perf_counter()
    for r in range(runs):
        run = registry.create_run(USER, "series-bench", name=f"run-{r}", config={"lr": 10 ** -(r % 5)})
        for key, n in (("loss", points), ("val/loss", points * 10)):
            size = BATCH if key == "loss" else BATCH * 10
            for start in range(0, n, size):
                steps = list(range(start, min(start + size, n)))
                registry.append_metrics(USER, run.id, None, {key: {
                    "steps": steps, "values": [1.0 / (1 + s) + 0.01 * r for s in steps],
                    "timestamps": [1.7e9 + s * 0.1 for s in steps]}})
        ids.append(run.id)
    print(f"  filled {runs} runs x ({points:,} + {points * 10:,} points) in {time.perf_counter() - t0:.1f} s",
          flush=True)
    return registry, ids


class Serve:
    """``mlhub serve`` on ``db_url`` with a token of the bench user's."""

    def __init__(self, db_url: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="mlhub-series-bench-"))
        self.port = free_port()
        env = {**os.environ, "MLHUB_DATA_DIR": str(self.dir), "MLHUB_DB_URL": db_url, "MLHUB_RATE_LIMIT": "0"}
        self.token = subprocess.run([sys.executable, "-m", "mlhub_ext.cli", "token", "create", "--user", USER],
                                    env=env, check=True, capture_output=True, text=True).stdout.strip()
        self.proc = subprocess.Popen([sys.executable, "-m", "mlhub_ext.cli", "serve", "--port", str(self.port)],
                                     env=env, stdout=subprocess.DEVNULL, stderr=open(self.dir / "serve.log", "wb"))
        self.url = f"http://127.0.0.1:{self.port}/"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {self.token}"
        for _ in range(600):
            try:
                requests.get(self.url + "mlhub/api/v1/openapi.json", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise SystemExit(f"mlhub serve did not start: {(self.dir / 'serve.log').read_text()[-2000:]}")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(15)


def bench_backend(name: str, db_url: str, args: argparse.Namespace) -> dict[str, float]:
    print(f"== {name}", flush=True)
    registry, ids = fill(db_url, args.runs, args.points)
    out: dict[str, float] = {}
    table = RunTable(registry)
    body = {"runs": ids, "keys": ["loss"], "max_points": max(args.points, 2)}
    down = {"runs": ids, "keys": ["val/loss"], "max_points": 1000}
    series, _, _ = table.series(USER, body)
    assert len(series) == args.runs and all(len(s.steps) == args.points for s in series)
    out["in-process loss"] = median_ms(lambda: table.series(USER, body), args.repeat)
    out["in-process val/loss -> 1000"] = median_ms(lambda: table.series(USER, down), args.repeat)
    server = Serve(db_url)
    try:
        url = server.url + "mlhub/api/v1/metrics/query"

        def query(payload: dict[str, Any]) -> bytes:
            """The answer's bytes: timed until the whole body has arrived (decoding it is the client's)."""
            r = server.session.post(url, json=payload, timeout=120)
            r.raise_for_status()
            return r.content

        got = orjson.loads(query(body))
        assert len(got["series"]) == args.runs and all(len(s["steps"]) == args.points for s in got["series"])
        out["query loss"] = median_ms(lambda: query(body), args.repeat)
        out["answer MB"] = len(query(body)) / 1e6
        compact = {**body, "encoding": "base64-le", "timestamps": False}
        got = orjson.loads(query(compact))
        assert all(len(base64.b64decode(s["values"])) == 8 * args.points for s in got["series"])
        out["query loss, base64-le, no timestamps"] = median_ms(lambda: query(compact), args.repeat)
        out["answer MB (base64-le, no timestamps)"] = len(query(compact)) / 1e6
        got = orjson.loads(query(down))
        assert all(s["downsampled"] and len(s["steps"]) <= 1000 for s in got["series"])
        out["query val/loss -> 1000"] = median_ms(lambda: query(down), args.repeat)
        out["ML Hub's MLflow bulk-interval"] = median_ms(
            lambda: mlflow_bulk(server.session, server.url + "mlhub/mlflow", ids, args.points), args.repeat)
    finally:
        server.stop()
        registry.store.close()
    for k, v in out.items():
        print(f"  {k:<40}{v:>9.1f}{'' if k.startswith('answer MB') else ' ms'}", flush=True)
    return out


def bench_scale(args: argparse.Namespace) -> dict[str, float]:
    """The compare view's reads at scale on SQLite (see the module docstring)."""
    from ui_scale import METRICS, fill_compare

    from mlhub_ext.core.run_table import parse_series_request
    from mlhub_ext.store import series_read

    print(f"== ML Hub, SQLite, {args.scale_runs} runs x {len(METRICS)} metrics x {args.scale_points:,} points",
          flush=True)
    work = Path(tempfile.mkdtemp(prefix="series-bench-scale-"))
    db_url = f"sqlite:///{work / 'mlhub.db'}"
    ids = fill_compare(db_url, args.scale_runs, args.scale_points)
    registry = open_registry(db_url)
    table = RunTable(registry)
    third = args.scale_points / 3
    compare = {"runs": ids, "keys": METRICS, "max_points": 1000}
    zoom = {**compare, "min_x": third, "max_x": 2 * third}
    panel = {**zoom, "keys": METRICS[:1]}   # one panel's series only (200)
    out: dict[str, float] = {}
    series, _, _ = table.series(USER, compare)
    assert len(series) == len(ids) * len(METRICS) and all(s.downsampled and len(s.steps) <= 1000 for s in series)
    out["points answered, compare"] = sum(len(s.steps) for s in series)
    out["in-process compare"] = median_ms(lambda: table.series(USER, compare), args.repeat)
    out["in-process zoom"] = median_ms(lambda: table.series(USER, zoom), args.repeat)
    out["in-process zoom, one key"] = median_ms(lambda: table.series(USER, panel), args.repeat)
    if args.scale_raw:
        for name, body in (("compare", compare), ("zoom", zoom)):
            request = parse_series_request(body)
            request.starts = registry.store.readable_runs(USER, ids)
            t0 = time.perf_counter()
            with registry.store._read() as c:
                series_read.query_series(c, request, prefer="raw")
            out[f"in-process {name}, raw path (once)"] = (time.perf_counter() - t0) * 1000
    server = Serve(db_url)
    try:
        url = server.url + "mlhub/api/v1/metrics/query"

        def query(payload: dict[str, Any]) -> bytes:
            r = server.session.post(url, json=payload, timeout=600)
            r.raise_for_status()
            return r.content

        for name, body in (("compare", compare), ("zoom", zoom), ("zoom, one key", panel)):
            got = orjson.loads(query(body))
            assert len(got["series"]) == len(ids) * len(body["keys"])
            out[f"query {name}, JSON"] = median_ms(lambda: query(body), args.repeat)
            out[f"answer MB, {name}, JSON"] = len(query(body)) / 1e6
            lab = {**body, "timestamps": False}
            out[f"query {name}, JSON, no timestamps (lab, step axis)"] = median_ms(lambda: query(lab), args.repeat)
            compact = {**lab, "encoding": "base64-le"}
            out[f"query {name}, base64-le, no timestamps"] = median_ms(lambda: query(compact), args.repeat)
            out[f"answer MB, {name}, base64-le"] = len(query(compact)) / 1e6
        out["server RSS MB"] = _rss_mb(server.proc.pid)
    finally:
        server.stop()
        registry.store.close()
    for k, v in out.items():
        unit = "" if k.startswith(("answer MB", "points", "server RSS")) else " ms"
        print(f"  {k:<52}{v:>11.1f}{unit}", flush=True)
    print("  targets: compare <= 300 ms, zoom <= 150 ms (server side)", flush=True)
    return out


def _rss_mb(pid: int) -> float:
    """Peak resident memory of a process (VmHWM), in MB; NaN where /proc is not there."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def mlflow_bulk(session: requests.Session, base: str, run_ids: list[str], points: int, count: bool = False) -> int:
    """MLflow's bulk-interval read of every run's ``loss``; the points it answered when ``count``
    (else the bytes: timed until the bodies arrived, as the ML Hub query)."""
    n = 0
    for start in range(0, len(run_ids), 100):   # MLflow's limit: 100 runs a request
        r = session.get(f"{base}/api/2.0/mlflow/metrics/get-history-bulk-interval", timeout=120,
                        params={"run_ids": run_ids[start:start + 100], "metric_key": "loss", "max_results": points})
        r.raise_for_status()
        n += len(orjson.loads(r.content).get("metrics", [])) if count else len(r.content)
    return n


def bench_mlflow(args: argparse.Namespace) -> float | None:
    try:
        from mlflow_compat import mlflow_server, peer_python, stop_group
    except ImportError:
        return None
    print("== MLflow (mlflow server, SQLite)", flush=True)
    proc, uri, _ = mlflow_server(peer_python())
    try:
        s = requests.Session()
        api = uri + "/api/2.0/mlflow"
        exp = s.post(f"{api}/experiments/create", json={"name": "series-bench"}, timeout=60).json()["experiment_id"]
        ids = []
        t0 = time.perf_counter()
        for r in range(args.runs):
            rid = s.post(f"{api}/runs/create", json={"experiment_id": exp, "run_name": f"run-{r}",
                                                     "start_time": 1_700_000_000_000}, timeout=60).json()["run"]["info"]["run_id"]
            for start in range(0, args.points, 1000):   # log-batch takes 1,000 metrics
                metrics = [{"key": "loss", "value": 1.0 / (1 + st) + 0.01 * r, "step": st,
                            "timestamp": 1_700_000_000_000 + st * 100}
                           for st in range(start, min(start + 1000, args.points))]
                s.post(f"{api}/runs/log-batch", json={"run_id": rid, "metrics": metrics}, timeout=60).raise_for_status()
            ids.append(rid)
        print(f"  filled {args.runs} runs x {args.points:,} points in {time.perf_counter() - t0:.1f} s", flush=True)
        assert mlflow_bulk(s, uri, ids, args.points, count=True) == args.runs * args.points
        ms = median_ms(lambda: mlflow_bulk(s, uri, ids, args.points), args.repeat)
        print(f"  {'MLflow bulk-interval':<34}{ms:>9.1f} ms", flush=True)
        return ms
    finally:
        stop_group(proc)


def pg_database(url: str | None, name: str = "mlhub_bench_series") -> str | None:
    """A fresh database ``name`` on the PostgreSQL server of ``url``; None when it cannot be reached."""
    if not url:
        return None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    try:
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            c.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as e:  # noqa: BLE001 - no server: SQLite only
        print(f"(PostgreSQL skipped: {e.__class__.__name__}: {str(e)[:200]})")
        return None
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-mlflow", action="store_true")
    parser.add_argument("--pg-url", default=os.environ.get(
        "MLHUB_TEST_PG_URL", "postgresql+psycopg://mlhub:mlhub@127.0.0.1:5432/mlhub_test"))
    parser.add_argument("--quick", action="store_true", help="20 runs (make bench's quick pass)")
    parser.add_argument("--scale-runs", type=int, default=200)
    parser.add_argument("--scale-points", type=int, default=100_000)
    parser.add_argument("--scale-raw", action="store_true", help="also time the raw path once at scale")
    parser.add_argument("--no-scale", action="store_true", help="leave out the 200 x 4 x 100,000 reads")
    parser.add_argument("--only-scale", action="store_true", help="only the 200 x 4 x 100,000 reads")
    args = parser.parse_args()
    if args.quick:
        args.runs = 20
        args.scale_runs = 20
    if not args.no_scale:
        bench_scale(args)
    if args.only_scale:
        return
    results: dict[str, dict[str, float]] = {}
    work = Path(tempfile.mkdtemp(prefix="series-bench-"))
    results["SQLite"] = bench_backend("ML Hub, SQLite", f"sqlite:///{work / 'mlhub.db'}", args)
    pg = pg_database(args.pg_url)
    if pg:
        results["PostgreSQL"] = bench_backend("ML Hub, PostgreSQL", pg, args)
    mlflow_ms = None if args.no_mlflow else bench_mlflow(args)
    print(f"\n{args.runs} runs x {args.points:,} points, median of {args.repeat} (ms, timed until the answer's "
          "last byte); target: query loss <= 150 ms")
    names = list(next(iter(results.values())))
    print(f"{'':<42}" + "".join(f"{b:>12}" for b in results))
    for n in names:
        print(f"{n:<42}" + "".join(f"{results[b][n]:>12.1f}" for b in results))
    if mlflow_ms is not None:
        print(f"{'MLflow server bulk-interval (SQLite)':<42}{mlflow_ms:>12.1f}")
        print(f"ratio MLflow bulk-interval / ML Hub query loss (SQLite): {mlflow_ms / results['SQLite']['query loss']:.1f}x")


if __name__ == "__main__":
    main()
