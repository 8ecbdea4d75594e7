"""UI at scale: the lab's runs table, panel grid, zoom and live view in Chromium, and MLflow's UI.

    python bench/ui_scale.py [--quick] [--runs 10000] [--compare-runs 200] [--points 100000]
                             [--live-runs 50] [--live-seconds 20] [--repeat 5] [--no-mlflow]
                             [--mlflow-cap 300] [--phases open,compare,live] [--profile]

Fills a SQLite registry in bulk (one executemany per table; metric points as the store's packed
chunks of 1,000 points), starts a real JupyterLab with the ML Hub extension on it and drives
Chromium (/usr/bin/chromium) through Node Playwright (ui-tests/node_modules, bench/ui_scale.mjs).
Each figure is the median of ``--repeat`` (after one untimed warm-up), timed inside the page
(performance.now()) until the condition holds and the next animation frame has run:

- open: ``mlhub:open-runs-table`` on a project of ``--runs`` runs -> the first row is in the DOM;
- compare: ``mlhub:compare-runs`` on ``--compare-runs`` runs x 4 metrics x ``--points`` points ->
  the 4 panels each drew every run (``data-total`` = every point of the 4 series);
- zoom: a drag over a third of one panel -> the re-fetch at screen resolution is in place
  (``data-zoom-ms`` changed) and all 4 panels redrew (same new ``data-version``);
- live: ``--live-runs`` runs each logging 10 points a second (a batch a second over REST) while
  a compare view of them is open: the bytes the browser received in ``--live-seconds``
  (CDP Network: websocket frames + HTTP responses, headers included), per second, against
  the new points' size (24 bytes a point: step int64, value float64, timestamp float64);
- MLflow: ``mlflow server`` (.venv-peers or .venv-mlflow, see bench/mlflow_compat.py) on the same
  compare data, written into its SQL store in bulk; its experiment page's chart view is opened
  and timed until 4 charts have lines. Skipped with a message when the peer is missing. A load
  that has not drawn after ``--mlflow-cap`` seconds ends the MLflow phase: the row then reports
  a lower bound ("> N x ML Hub, not drawn after T s").
- ``--profile``: a CPU profile (CDP Profiler) of one compare load and one zoom, the functions
  with the most self time printed, the ``.cpuprofile`` files kept for DevTools.

``--quick``: 1,000 runs, 20 runs x 10,000 points, 10 live runs for 8 s, 1 repetition.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import insert  # noqa: E402

from mlhub_ext.store import open_registry  # noqa: E402
from mlhub_ext.store.orm import ChunkRow, ParamRow, RunRow, SeriesRow  # noqa: E402
from mlhub_ext.store.sqlstore import param_columns  # noqa: E402
from runs_table import PROJECT as TABLE_PROJECT  # noqa: E402
from runs_table import fill as fill_table  # noqa: E402

USER = "bench"
COMPARE = "compare-bench"
LIVE = "live-bench"
METRICS = ["loss", "acc", "val/loss", "val/acc"]
CHUNK = 1000
POINT_BYTES = 24   # step int64 + value float64 + timestamp float64
T0 = 1.7e9
MJS = Path(__file__).with_suffix(".mjs")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def curve(key: str, r: int, steps: np.ndarray) -> np.ndarray:
    base = np.exp(-steps / (len(steps) / 5 + 1)) * (1 + 0.05 * (r % 7))
    noise = 0.02 * np.sin(steps * 1.7 + r) * np.cos(steps * 0.3)
    return (1 - base + noise) if key.endswith("acc") else (base + 0.1 + noise)


def fill_compare(db_url: str, runs: int, points: int) -> list[str]:
    """``runs`` finished runs, each with the 4 metrics of ``points`` points, inserted in bulk: the
    chunk rows with their step bounds, then each series' summary pages built from its chunks
    (``series_summary.rebuild``, as the migration that introduced them does)."""
    from mlhub_ext.store.series_summary import rebuild

    registry = open_registry(db_url, auto_upgrade=True)
    project = registry.create_project(USER, COMPARE)
    rnd = random.Random(5)
    now = datetime.now(timezone.utc)
    ids = [uuid.UUID(int=rnd.getrandbits(128)).hex for _ in range(runs)]
    steps = np.arange(points, dtype="<i8")
    stamps = T0 + steps * 0.1
    t0 = time.perf_counter()
    with registry.store.write_engine.begin() as c:
        c.execute(insert(RunRow.__table__), [
            {"id": rid, "project_id": project.id, "owner": USER, "name": f"run-{r:03d}", "status": "finished",
             "summary": {}, "provenance": {}, "notes": "", "created_at": now - timedelta(hours=1),
             "updated_at": now, "last_seq": 0, "status_reason": "", "stop_requested": False, "finished_at": now}
            for r, rid in enumerate(ids)])
        c.execute(insert(ParamRow.__table__), [
            {"run_id": rid, "key": "lr", **param_columns(10 ** -(1 + r % 4))} for r, rid in enumerate(ids)])
        # Series first (the chunks refer to them), then the points in packed chunks.
        first = 1_000_000
        keys = [(r, rid, key) for r, rid in enumerate(ids) for key in METRICS]
        series = []
        for i, (r, rid, key) in enumerate(keys):
            values = curve(key, r, steps.astype(float))
            series.append({"id": first + i, "run_id": rid, "key": key, "count": points, "last_step": points - 1,
                           "last_value": float(values[-1]), "min_value": float(values.min()),
                           "max_value": float(values.max())})
        c.execute(insert(SeriesRow.__table__), series)
        chunks = []
        for i, (r, rid, key) in enumerate(keys):
            values = curve(key, r, steps.astype(float)).astype("<f8")
            for a in range(0, points, CHUNK):
                b = min(a + CHUNK, points)
                chunks.append({"series_id": first + i, "n": b - a, "steps": steps[a:b].tobytes(),
                               "values": values[a:b].tobytes(), "timestamps": stamps[a:b].astype("<f8").tobytes(),
                               "first_step": a, "last_step": b - 1})
            if len(chunks) >= 20_000:
                c.execute(insert(ChunkRow.__table__), chunks)
                chunks = []
        if chunks:
            c.execute(insert(ChunkRow.__table__), chunks)
        t1 = time.perf_counter()
        rebuild(c, [first + i for i in range(len(keys))], chunk_bounds=False)
    registry.store.close()
    print(f"  filled {runs} runs x {len(METRICS)} metrics x {points:,} points ({runs * len(METRICS) * points:,}) "
          f"in {time.perf_counter() - t0:.1f} s, of which {time.perf_counter() - t1:.1f} s building the summaries",
          flush=True)
    return ids


def fill_live(db_url: str, runs: int) -> list[str]:
    registry = open_registry(db_url, auto_upgrade=True)
    registry.create_project(USER, LIVE)
    ids = []
    for r in range(runs):
        run = registry.create_run(USER, LIVE, name=f"live-{r:02d}", config={"lr": 0.001 * (r + 1)})
        registry.append_metrics(USER, run.id, None, {"loss": {"steps": [0], "values": [1.0], "timestamps": [time.time()]}})
        ids.append(run.id)
    registry.store.close()
    return ids


class Lab:
    """``jupyter lab`` with ML Hub on ``db_url``, acting as the bench user, with a fixed token."""

    def __init__(self, db_url: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="mlhub-ui-bench-"))
        self.port = free_port()
        self.token = uuid.uuid4().hex
        env = {**os.environ, "MLHUB_DATA_DIR": str(self.dir), "MLHUB_DB_URL": db_url, "MLHUB_USER": USER,
               "MLHUB_RATE_LIMIT": "0", "JUPYTER_CONFIG_DIR": str(self.dir / "config")}
        (self.dir / "root").mkdir()
        self.log = open(self.dir / "lab.log", "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={self.port}", "--ip=127.0.0.1",
             f"--IdentityProvider.token={self.token}", "--ServerApp.allow_root=True",
             f"--ServerApp.root_dir={self.dir / 'root'}", "--LabApp.expose_app_in_browser=True",
             f"--LabApp.workspaces_dir={self.dir / 'workspaces'}", "--MLHub.open_home_on_first_load=False",
             "--ServerApp.jpserver_extensions=mlhub_ext=True"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}/"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {self.token}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if self.session.get(self.url + "mlhub/api/v1/projects", timeout=5).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        raise SystemExit(f"jupyter lab did not start: {(self.dir / 'lab.log').read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


def drive(config: dict[str, Any]) -> dict[str, Any]:
    """Run bench/ui_scale.mjs with ``config``; its last stdout line is the JSON answer."""
    out = subprocess.run(["node", str(MJS), json.dumps(config)], cwd=ROOT, capture_output=True, text=True,
                         timeout=3600)
    sys.stderr.write(out.stderr[-4000:])
    if out.returncode != 0:
        raise RuntimeError(f"ui_scale.mjs ({config['phase']}) failed: {out.stdout[-3000:]}{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


class Logger(threading.Thread):
    """Each live run logs ``rate`` points a second, as one batch a second over REST."""

    def __init__(self, lab: Lab, ids: list[str], rate: int) -> None:
        super().__init__(daemon=True)
        self.lab, self.ids, self.rate = lab, ids, rate
        self.stop_event = threading.Event()
        self.sent: list[tuple[float, int, int]] = []   # (epoch s, points, JSON bytes of the points)
        self.errors = 0

    def run(self) -> None:
        step = {rid: 1 for rid in self.ids}
        url = self.lab.url + "mlhub/api/v1/runs/{}/metrics"
        local = threading.local()
        lock = threading.Lock()

        def post(rid: str) -> None:
            if not hasattr(local, "session"):
                local.session = requests.Session()
                local.session.headers.update(self.lab.session.headers)
            s0 = step[rid]
            steps = list(range(s0, s0 + self.rate))
            now = time.time()
            pts = {"steps": steps, "values": [1.0 / (1 + s) for s in steps],
                   "timestamps": [now + i / self.rate for i in range(self.rate)]}
            try:
                local.session.post(url.format(rid), json={"metrics": {"loss": pts}}, timeout=30).raise_for_status()
                with lock:
                    self.sent.append((time.time(), self.rate, len(json.dumps(pts, separators=(",", ":")))))
            except requests.RequestException:
                with lock:
                    self.errors += 1
            step[rid] = s0 + self.rate

        # Several posts at once: one after the other, 50 runs' batches take longer than a second here.
        with ThreadPoolExecutor(8) as pool:
            nxt = time.time()
            while not self.stop_event.is_set():
                list(pool.map(post, self.ids))
                nxt += 1.0
                self.stop_event.wait(max(0.0, nxt - time.time()))


def mlflow_peer() -> Path | None:
    for venv in (".venv-peers", ".venv-mlflow"):
        if (ROOT / venv / "bin" / "mlflow").exists():
            return ROOT / venv / "bin" / "python"
    return None


def fill_mlflow(work: Path, ids: list[str], points: int) -> tuple[str, list[str]]:
    """The compare data written straight into MLflow's SQLite store (created by its server)."""
    db = sqlite3.connect(work / "mlflow.db")
    now = int(time.time() * 1000)
    cur = db.execute("SELECT max(experiment_id) FROM experiments")
    exp = (cur.fetchone()[0] or 0) + 1
    db.execute("INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, "
               "last_update_time) VALUES (?, ?, ?, 'active', ?, ?)", (exp, COMPARE, str(work / "art"), now, now))
    # MLflow 3 opens an experiment without this tag as a GenAI one (traces, not runs and charts).
    db.execute("INSERT INTO experiment_tags (key, value, experiment_id) "
               "VALUES ('mlflow.experimentKind', 'custom_model_development', ?)", (exp,))
    steps = np.arange(points)
    stamps = (T0 + steps * 0.1) * 1000
    t0 = time.perf_counter()
    mids = []
    for r, _ in enumerate(ids):
        rid = uuid.uuid4().hex
        mids.append(rid)
        db.execute("INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, "
                   "start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id) "
                   "VALUES (?, ?, 'LOCAL', '', '', ?, 'FINISHED', ?, ?, '', 'active', ?, ?)",
                   (rid, f"run-{r:03d}", USER, now - 3_600_000, now, str(work / "art" / rid), exp))
        db.execute("INSERT INTO params (key, value, run_uuid) VALUES ('lr', ?, ?)", (str(10 ** -(1 + r % 4)), rid))
        db.execute("INSERT INTO tags (key, value, run_uuid) VALUES ('mlflow.runName', ?, ?)", (f"run-{r:03d}", rid))
        for key in METRICS:
            values = curve(key, r, steps.astype(float))
            db.executemany("INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) "
                           "VALUES (?, ?, ?, ?, ?, 0)",
                           zip([key] * points, values.tolist(), stamps.astype(int).tolist(), [rid] * points,
                               steps.tolist()))
            db.execute("INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) "
                       "VALUES (?, ?, ?, ?, 0, ?)", (key, float(values[-1]), int(stamps[-1]), points - 1, rid))
    db.commit()
    db.close()
    print(f"  filled MLflow's store: {len(ids)} runs x {len(METRICS)} x {points:,} points "
          f"in {time.perf_counter() - t0:.1f} s", flush=True)
    return str(exp), mids


def bench_mlflow(args: argparse.Namespace, compare_ids: list[str]) -> dict[str, Any] | str:
    python = mlflow_peer()
    if python is None:
        return "skipped: no .venv-peers / .venv-mlflow with mlflow (python bench/mlflow_compat.py makes one)"
    from mlflow_compat import mlflow_server, stop_group
    print("== MLflow UI (mlflow server, SQLite)", flush=True)
    proc, uri, work = mlflow_server(python)
    try:
        exp, mids = fill_mlflow(work, compare_ids, args.points)
        return drive({"phase": "mlflow", "url": uri, "experiment": exp, "runs": len(mids),
                      "metrics": METRICS, "repeat": args.mlflow_repeat or args.repeat, "cap_s": args.mlflow_cap})
    finally:
        stop_group(proc)


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "MISSED")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000, help="runs in the project the runs table opens")
    parser.add_argument("--compare-runs", type=int, default=200)
    parser.add_argument("--points", type=int, default=100_000, help="points per series in the comparison")
    parser.add_argument("--live-runs", type=int, default=50)
    parser.add_argument("--live-rate", type=int, default=10, help="points a second per live run")
    parser.add_argument("--live-seconds", type=float, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-mlflow", action="store_true")
    parser.add_argument("--mlflow-repeat", type=int, default=0, help="repetitions in MLflow's UI (default: --repeat)")
    parser.add_argument("--mlflow-cap", type=float, default=300,
                        help="seconds one MLflow chart load may take before the ratio is reported as a lower bound")
    parser.add_argument("--phases", default="open,compare,live",
                        help="which ML Hub workloads to run (comma-separated: open, compare, live)")
    parser.add_argument("--profile", action="store_true",
                        help="also a CPU profile of one compare load and one zoom (top self times printed)")
    parser.add_argument("--quick", action="store_true",
                        help="1,000 runs; 20 runs x 10,000 points; 10 live runs for 8 s; 1 repetition")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.compare_runs, args.points, args.repeat = 1000, 20, 10_000, 1
        args.live_runs, args.live_seconds = 10, 8
    phases = {p.strip() for p in args.phases.split(",") if p.strip()}
    unknown = phases - {"open", "compare", "live"}
    if unknown:
        parser.error(f"--phases: unknown {', '.join(sorted(unknown))} (open, compare, live)")
    full_points = 200 * len(METRICS) * 100_000
    scaled = args.compare_runs * len(METRICS) * args.points < full_points
    load_before = os.getloadavg()[0]
    db_url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='mlhub-ui-bench-db-')) / 'mlhub.db'}"
    print("== filling the registry (SQLite, bulk inserts)", flush=True)
    t0 = time.perf_counter()
    if "open" in phases:
        fill_table(db_url, args.runs)
        print(f"  filled {args.runs:,} runs (runs table project) in {time.perf_counter() - t0:.1f} s", flush=True)
    compare_ids = fill_compare(db_url, args.compare_runs, args.points)
    live_ids = fill_live(db_url, args.live_runs) if "live" in phases else []
    print("== JupyterLab + ML Hub", flush=True)
    lab = Lab(db_url)
    res: dict[str, Any] = {}
    try:
        common = {"url": lab.url, "token": lab.token, "repeat": args.repeat}
        if "open" in phases:
            res["open"] = drive({**common, "phase": "open", "project": TABLE_PROJECT})
            print(f"  open: {res['open']}", flush=True)
        compare = {"runs": compare_ids, "metrics": METRICS, "total": args.compare_runs * args.points}
        if "compare" in phases:
            res["compare"] = drive({**common, "phase": "compare", **compare})
            print(f"  compare + zoom: {res['compare']}", flush=True)
        if args.profile:
            res["profile"] = drive({**common, "phase": "profile", **compare, "out_dir": str(lab.dir)})
            for what, prof in res["profile"].items():
                if what == "trace":
                    print(f"  trace of one compare ({prof['ms']:.0f} ms; {prof['file']}), renderer main thread "
                          f"self time by event:", flush=True)
                    lines = prof["top"]
                else:
                    print(f"  profile of one {what} ({prof['ms']:.0f} ms; {prof['top']['sampled_ms']} ms sampled; "
                          f"{prof['file']}):", flush=True)
                    lines = prof["top"]["top"]
                for line in lines:
                    print(f"    {line}", flush=True)
        if "live" in phases:
            res["live"] = bench_live(lab, common, live_ids, args)
            print(f"  live: {res['live']}", flush=True)
    finally:
        lab.stop()
    mlflow: dict[str, Any] | str = "skipped (--no-mlflow)"
    if not args.no_mlflow:
        try:
            mlflow = bench_mlflow(args, compare_ids)
        except (RuntimeError, SystemExit, sqlite3.Error) as e:
            mlflow = f"failed: {e}"
        print(f"  MLflow: {mlflow}", flush=True)
    report(args, res, mlflow, load_before, scaled)
    print(json.dumps({"args": vars(args), "results": res, "mlflow": mlflow}, default=str))


def bench_live(lab: Lab, common: dict[str, Any], live_ids: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """The live workload: the logger posts while the browser counts the bytes it receives."""
    logger = Logger(lab, live_ids, args.live_rate)
    logger.start()
    try:
        live = drive({**common, "phase": "live", "runs": live_ids, "seconds": args.live_seconds})
    finally:
        logger.stop_event.set()
        logger.join(30)
    a, b = live["window"]
    inside = [(p, n) for t, p, n in logger.sent if a / 1000 <= t <= b / 1000]
    secs = (b - a) / 1000
    live["points_per_s"] = sum(p for p, _ in inside) / secs
    live["json_points_bytes_per_s"] = sum(n for _, n in inside) / secs
    live["logger_errors"] = logger.errors
    return live


def mlflow_row(args: argparse.Namespace, mlflow: dict[str, Any] | str,
               compare: dict[str, Any] | None) -> tuple[str, str, str, str]:
    """The ratio row: MLflow's time over ML Hub's, a lower bound when MLflow was not drawn
    within the cap, or why there is no figure."""
    what = "the same comparison in MLflow's UI"
    if not isinstance(mlflow, dict):
        return (what, "report the ratio", mlflow, "n/a")
    hub = compare["median_ms"] if compare else None
    if mlflow.get("timed_out"):
        bound = mlflow["median_ms"] / 1000
        ratio = f" = > {mlflow['median_ms'] / hub:.0f} x ML Hub" if hub else ""
        return (f"{what} ({mlflow['note']}: {mlflow['charts']} charts, {mlflow['lines']} traces with lines then, "
                 f"{mlflow.get('min_lines_per_chart', '?')} in the emptiest chart, {args.compare_runs} wanted in each)",
                "report the ratio", f"> {bound:.0f} s{ratio} (not drawn within the {mlflow['cap_s']:.0f} s cap)",
                "reported (lower bound)")
    # MLflow's chart view draws only its first runs by default: say how many lines it drew.
    shown = "every run shown" if mlflow.get("show_all") else "its default: first 10 runs shown"
    ratio = f" = {mlflow['median_ms'] / hub:.1f} x ML Hub" if hub else ""
    return (f"{what} ({mlflow['charts']} charts, {shown}, {mlflow['lines']} traces drawn; median of "
            f"{args.mlflow_repeat or args.repeat})", "report the ratio", f"{mlflow['median_ms'] / 1000:.2f} s{ratio}",
            "reported")


def report(args: argparse.Namespace, res: dict[str, Any], mlflow: dict[str, Any] | str, load_before: float,
           scaled: bool) -> None:
    rows = []
    if "open" in res:
        rows.append((f"open a project of {args.runs:,} runs (runs table first rows visible)", "<= 300 ms",
                     f"{res['open']['median_ms']:.0f} ms", verdict(res["open"]["median_ms"] <= 300)))
    compare = res.get("compare")
    if compare:
        rows += [
            (f"compare {args.compare_runs} runs x 4 metrics x {args.points:,} points: all panels drawn", "<= 1.5 s",
             f"{compare['median_ms'] / 1000:.2f} s", verdict(compare["median_ms"] <= 1500)),
            ("zoom one panel (re-fetch at screen resolution, all panels redrawn)", "<= 250 ms",
             f"{compare['zoom_median_ms']:.0f} ms", verdict(compare["zoom_median_ms"] <= 250)),
        ]
    live = res.get("live")
    if live:
        points_bps = live["points_per_s"] * POINT_BYTES
        rows += [
            (f"{args.live_runs} live runs x {args.live_rate} points/s: bytes/s to the browser (all)",
             f"<= 2 x {points_bps:,.0f} B/s",
             f"{live['bytes_per_s']:,.0f} B/s ({live['bytes_per_s'] / points_bps:.2f} x)",
             verdict(live["bytes_per_s"] <= 2 * points_bps)),
            ("  of which ML Hub's (stream frames + /mlhub/ responses)", f"<= 2 x {points_bps:,.0f} B/s",
             f"{live['mlhub_bytes_per_s']:,.0f} B/s ({live['mlhub_bytes_per_s'] / points_bps:.2f} x)",
             verdict(live["mlhub_bytes_per_s"] <= 2 * points_bps)),
            ("  the same against the points as the logger posted them (JSON)",
             f"<= 2 x {live['json_points_bytes_per_s']:,.0f} B/s",
             f"{live['bytes_per_s']:,.0f} B/s ({live['bytes_per_s'] / live['json_points_bytes_per_s']:.2f} x)",
             verdict(live["bytes_per_s"] <= 2 * live["json_points_bytes_per_s"])),
        ]
    rows.append(mlflow_row(args, mlflow, compare))
    print()
    print(f"UI at scale ({'--quick, ' if args.quick else ''}median of {args.repeat} after one warm-up; "
          f"Chromium {live.get('browser', '') if live else ''}; this machine: {os.cpu_count()} cores, load average "
          f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end)")
    if compare:
        print(f"compare: the view's own load time (data-load-ms: runs + the batched query) "
              f"{statistics.median(compare['load_ms']):.0f} ms; zoom: the model's re-fetch (data-zoom-ms) "
              f"{statistics.median(compare['zoom_model_ms']):.0f} ms; series fetched at "
              f"{compare['max_points']} points (a panel's plot width in device pixels)")
    if scaled:
        print(f"NOTE: scaled down: {args.compare_runs} runs x 4 x {args.points:,} points = "
              f"{args.compare_runs * len(METRICS) * args.points:,} points, not the issue's 200 x 4 x 100,000.")
    if live:
        print("New points' size: 24 bytes a point (step int64 + value float64 + timestamp float64); the logger "
              f"posted {live['json_points_bytes_per_s']:,.0f} B/s of points as JSON "
              f"({live['points_per_s']:.0f} points/s; {live['logger_errors']} failed posts).")
    w = max(len(r[0]) for r in rows)
    print(f"| {'workload':<{w}} | target | result | verdict |")
    print(f"| {'-' * w} | --- | --- | --- |")
    for r in rows:
        print(f"| {r[0]:<{w}} | {r[1]} | {r[2]} | {r[3]} |")


if __name__ == "__main__":
    main()
