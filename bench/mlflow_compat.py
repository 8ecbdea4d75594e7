"""MLflow compatibility benchmark: the same MLflow-client workload against `mlflow server`
(SQLite, this machine) and against ML Hub's MLflow endpoint (`mlhub serve`, SQLite), in one run.

    python bench/mlflow_compat.py [--quick]

Workloads (--quick: a tenth of each):
  log_batch       200 log-batch calls of 1,000 metrics each, one run
  search_runs     search_runs over 1,000 runs with a metric filter and order_by (median of 5)
  metric_history  get_metric_history of a 100,000-point series (median of 3)
  create_run      500 create_run calls
Prints each side's seconds and the ratio MLflow / ML Hub (target: >= 5 on each), then the
client's floor: the same workload against bench/mlflow_replay.py, a server that replays the
answers ML Hub gave (recorded in a pass through it just before) at once, so that what is left
is the MLflow client's own time; "best ratio" = MLflow / that floor, the most any server could
reach with this client on this machine. --no-floor skips the two extra passes.
The MLflow client and server run from .venv-peers (created on first use, as bench/tracking.py
does; .venv-mlflow, the tests' client, serves when .venv-peers is missing).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serve import Server  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CLIENT = ROOT / "bench" / "peers" / "mlflow_compat_client.py"
REPLAY = ROOT / "bench" / "mlflow_replay.py"
WORKLOADS = [("log_batch", "log_batch_s"), ("search_runs", "search_runs_s"),
             ("metric_history", "metric_history_s"), ("create_run", "create_run_s")]


def peer_python() -> Path:
    for venv in (".venv-peers", ".venv-mlflow"):
        python = ROOT / venv / "bin" / "python"
        if (ROOT / venv / "bin" / "mlflow").exists():
            return python
    print("creating .venv-peers with mlflow and wandb (first run only)...", flush=True)
    subprocess.run(f"python3 -m venv {ROOT / '.venv-peers'} && {ROOT / '.venv-peers/bin/pip'} install -q mlflow wandb",
                   shell=True, check=True)
    return ROOT / ".venv-peers" / "bin" / "python"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client_env(uri: str, token: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MLHUB_"))}
    env.update({"MLFLOW_TRACKING_URI": uri, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true",
                "GIT_PYTHON_REFRESH": "quiet", "PYTHONWARNINGS": "ignore"})
    if token:
        env["MLFLOW_TRACKING_TOKEN"] = token
    return env


def run_client(python: Path, uri: str, token: str | None, scale: float) -> dict[str, float]:
    out = subprocess.run([str(python), str(CLIENT), str(scale)], env=client_env(uri, token), capture_output=True,
                         text=True, timeout=3600)
    if out.returncode != 0:
        raise SystemExit(f"the MLflow client failed against {uri}:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def mlflow_server(python: Path) -> tuple[subprocess.Popen, str, Path]:  # type: ignore[type-arg]
    work = Path(tempfile.mkdtemp(prefix="mlflow-bench-"))
    port = free_port()
    mlflow = python.parent / "mlflow"
    proc = subprocess.Popen([str(mlflow), "server", "--backend-store-uri", f"sqlite:///{work}/mlflow.db",
                             "--artifacts-destination", str(work / "artifacts"), "--host", "127.0.0.1",
                             "--port", str(port), "--workers", "1"],
                            env=client_env("", None), stdout=subprocess.DEVNULL, stderr=open(work / "server.log", "wb"),
                            start_new_session=True)
    uri = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"mlflow server exited: {(work / 'server.log').read_text()[-3000:]}")
        try:
            if requests.get(uri + "/health", timeout=5).ok:
                return proc, uri, work
        except requests.RequestException:   # not listening yet, or still starting its workers
            pass
        time.sleep(0.3)
    stop_group(proc)
    raise SystemExit("mlflow server did not start in 180 s")


def stop_group(proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
    """Stop the mlflow server and its workers (SIGKILL if they are not gone after 30 s)."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def client_floor(python: Path, hub: Server, scale: float) -> dict[str, float]:
    """The workload's seconds against a server that answers at once (bench/mlflow_replay.py):
    one pass through it to ML Hub records ML Hub's answers, a second pass is answered from them."""
    proc = subprocess.Popen([sys.executable, str(REPLAY), hub.url], stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline().split()[-1])
        base = f"http://127.0.0.1:{port}"
        run_client(python, base + "/mlhub/mlflow", hub.token, scale)           # recording pass, not timed
        requests.post(base + "/__replay__/replay", timeout=10).raise_for_status()
        floor = run_client(python, base + "/mlhub/mlflow", hub.token, scale)
        stats = requests.get(base + "/__replay__/stats", timeout=10).json()
        if stats["forwarded"]:
            print(f"(replay: {stats['forwarded']} requests were not recorded and went to ML Hub)", flush=True)
        return floor
    finally:
        stop_group(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of each workload")
    parser.add_argument("--no-floor", action="store_true", help="skip the client floor (two more client passes)")
    args = parser.parse_args()
    scale = 0.1 if args.quick else 1.0
    python = peer_python()
    results: dict[str, dict[str, float]] = {}
    loads = [("start", os.getloadavg()[0])]   # the 1-minute load average as each phase begins
    proc = None
    try:
        proc, uri, _ = mlflow_server(python)
        results["mlflow"] = run_client(python, uri, None, scale)
        print("mlflow server:", json.dumps(results["mlflow"]), flush=True)
    finally:
        if proc is not None:
            stop_group(proc)
    loads.append(("ML Hub", os.getloadavg()[0]))
    hub = Server()
    try:
        results["mlhub"] = run_client(python, hub.url + "mlhub/mlflow", hub.token, scale)
        print("ML Hub:", json.dumps(results["mlhub"]), flush=True)
        if not args.no_floor:
            loads.append(("floor", os.getloadavg()[0]))
            results["floor"] = client_floor(python, hub, scale)
    finally:
        hub.stop()
    loads.append(("end", os.getloadavg()[0]))
    print(f"MLflow client workload ({'quick' if args.quick else 'full'}), seconds; ratio = MLflow / ML Hub; "
          "client floor = the same client against a server replaying ML Hub's answers at once; "
          "best ratio = MLflow / floor")
    print(f"{'workload':<16}{'mlflow server':>14}{'ML Hub':>10}{'ratio':>8}{'client floor':>14}{'best ratio':>12}")
    for name, key in WORKLOADS:
        a, b = results["mlflow"][key], results["mlhub"][key]
        line = f"{name:<16}{a:>14.3f}{b:>10.3f}{a / b:>7.1f}x"
        if "floor" in results:
            f = results["floor"][key]
            line += f"{f:>14.3f}{a / f:>11.1f}x"
        print(line)
    print(f"load average (1 min; {os.cpu_count()} CPUs): " + ", ".join(f"{k} {v:.1f}" for k, v in loads))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
