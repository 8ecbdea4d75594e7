"""Dataset benchmark: upload and register a generated CSV on a real `mlhub serve`, then read it.

    python bench/datasets.py [--size-mb 1024] [--keep] [--s3]

Prints:
- upload + register throughput (MB/s), split into the chunked upload and the registration
  (Parquet conversion and statistics in the registry's worker process);
- peak RSS of the `mlhub serve` process (target <= 300 MB) and, separately, of its worker;
- latency of the preview and statistics of that version (median of 20, target <= 200 ms);
- ``Dataset.to_pandas()`` (first call downloads, later calls read the cache) against
  ``pandas.read_parquet`` on the same Parquet file (target <= 1.5x);
- side by side: logging the same file as an MLflow artifact (in .venv-peers) and ``dvc add``
  (in .venv-dvc or on PATH), each skipped with the reason when not installed.

``--s3``: the registry keeps its files in a bucket of an S3-compatible server started on
127.0.0.1 (moto's, in its own process, which holds the objects in its memory: keep
``--size-mb`` to what this machine's memory allows three times over), configured as on a
cluster: ``MLHUB_ARTIFACT_ROOT=s3://...`` and ``AWS_*``.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serve import Server  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MB = 1 << 20


def generate_csv(path: Path, size_mb: float, seed: int = 0) -> int:
    """A CSV of about ``size_mb``: ints, floats with some missing values, a category, text."""
    rng = np.random.default_rng(seed)
    target = int(size_mb * MB)
    cats = np.array(["red", "green", "blue", "yellow", "black"])
    written = 0
    row = 0
    with open(path, "w") as f:
        f.write("id,x,y,category,score,label\n")
        while written < target:
            n = 200_000
            ids = np.arange(row, row + n)
            x = rng.normal(0, 1, n)
            y = rng.uniform(0, 1000, n)
            cat = cats[rng.integers(0, len(cats), n)]
            score = rng.integers(0, 100, n)
            label = rng.integers(0, 2, n)
            xs = np.char.mod("%.6f", x)
            xs[rng.random(n) < 0.01] = ""
            lines = [",".join(t) for t in zip(ids.astype(str), xs, np.char.mod("%.3f", y), cat,
                                               score.astype(str), label.astype(str))]
            chunk = "\n".join(lines) + "\n"
            remaining = target - written
            if len(chunk) > remaining:
                chunk = chunk[:chunk.rfind("\n", 0, max(remaining, 1)) + 1] or chunk[:chunk.find("\n") + 1]
            f.write(chunk)
            written += len(chunk)
            row += n
    return path.stat().st_size


def _rss_split(pid: int) -> str:
    """The resident memory of ``pid`` by kind (Linux): anonymous (the heap) and file-backed
    (memory-mapped files, shared libraries), to tell allocations from mapped files."""
    try:
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                      if line.startswith(("RssAnon", "RssFile", "RssShmem")))
    except OSError:
        return ""
    return ", ".join(f"{k[3:].lower()} {int(v.split()[0]) // 1024} MB" for k, v in fields.items())


class RSSWatcher(threading.Thread):
    """Peak resident memory of a process and, separately, of its children; the process's
    peak is also kept per phase (set :attr:`phase` as the work moves on)."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.proc = psutil.Process(pid)
        self.interval = interval
        self.peak = self.children_peak = 0
        self.phase = "start"
        self.peak_split = ""
        self.phase_peaks: dict[str, int] = {}
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                rss = self.proc.memory_info().rss
                if rss > self.peak:
                    self.peak_split = _rss_split(self.proc.pid)
                self.peak = max(self.peak, rss)
                self.phase_peaks[self.phase] = max(self.phase_peaks.get(self.phase, 0), rss)
                kids = 0
                for child in self.proc.children(recursive=True):
                    try:
                        kids = max(kids, child.memory_info().rss)
                    except psutil.Error:
                        pass
                self.children_peak = max(self.children_peak, kids)
            except psutil.Error:
                return
            time.sleep(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def median_ms(fn, n: int = 20) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def mlflow_artifact(path: Path) -> str:
    peers = ROOT / ".venv-peers" / "bin" / "python"
    if not peers.exists():
        return "skipped: .venv-peers (with mlflow) does not exist; run bench/tracking.py once to create it"
    code = (
        "import sys, tempfile, time, mlflow\n"
        "tmp = tempfile.mkdtemp()\n"
        "mlflow.set_tracking_uri(f'sqlite:///{tmp}/mlflow.db')\n"
        "with mlflow.start_run():\n"  # creates the database first, outside the timing
        "    pass\n"
        "t = time.perf_counter()\n"
        "with mlflow.start_run():\n"
        "    mlflow.log_artifact(sys.argv[1])\n"
        "print(time.perf_counter() - t)\n"
    )
    out = subprocess.run([str(peers), "-c", code, str(path)], capture_output=True, text=True)
    if out.returncode != 0:
        return f"skipped: mlflow failed: {out.stderr.strip().splitlines()[-1] if out.stderr else out.returncode}"
    secs = float(out.stdout.strip().splitlines()[-1])
    return f"{secs:.2f} s ({path.stat().st_size / MB / secs:.0f} MB/s; a file copy: no preview, statistics or typed copy)"


def dvc_add(path: Path) -> str:
    dvc = shutil.which("dvc") or str(ROOT / ".venv-dvc" / "bin" / "dvc")
    if not Path(dvc).exists():
        return "skipped: dvc is not installed (pip install dvc into .venv-dvc to compare)"
    repo = Path(tempfile.mkdtemp(prefix="dvc-bench-"))
    try:
        subprocess.run([dvc, "init", "--no-scm", "-q"], cwd=repo, check=True, capture_output=True)
        target = repo / path.name
        os.link(path, target) if path.stat().st_dev == repo.stat().st_dev else shutil.copyfile(path, target)
        t = time.perf_counter()
        out = subprocess.run([dvc, "add", "-q", target.name], cwd=repo, capture_output=True, text=True)
        secs = time.perf_counter() - t
        if out.returncode != 0:
            return f"skipped: dvc add failed: {out.stderr.strip()[-200:]}"
        return f"{secs:.2f} s ({path.stat().st_size / MB / secs:.0f} MB/s; hashes and caches the file)"
    finally:
        shutil.rmtree(repo, ignore_errors=True)


def start_s3() -> subprocess.Popen:  # type: ignore[type-arg]
    """moto's S3 server on a free port, a bucket on it, and the environment that points
    ``mlhub serve`` there (MLHUB_ARTIFACT_ROOT and the standard AWS_* variables)."""
    import socket

    import fsspec
    import requests

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            requests.get(endpoint + "/moto-api/", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    os.environ.update({"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "eu-west-1", "MLHUB_ARTIFACT_ROOT": "s3://mlhub-bench/registry"})
    fsspec.filesystem("s3", skip_instance_cache=True).mkdir("mlhub-bench", region_name="eu-west-1")
    print(f"artifacts on S3 (moto at {endpoint}): s3://mlhub-bench/registry", flush=True)
    return proc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=float, default=1024, help="size of the generated CSV (default 1024)")
    ap.add_argument("--keep", action="store_true", help="keep the generated file and server folder")
    ap.add_argument("--s3", action="store_true", help="artifacts in a bucket of a local S3 server (moto)")
    args = ap.parse_args()
    moto = start_s3() if args.s3 else None

    work = Path(tempfile.mkdtemp(prefix="mlhub-bench-datasets-"))
    csv = work / "bench_data.csv"
    t = time.perf_counter()
    size = generate_csv(csv, args.size_mb)
    print(f"generated {csv.name}: {size / MB:.0f} MB in {time.perf_counter() - t:.1f} s", flush=True)

    server = Server()
    os.environ.update({"MLHUB_URL": server.url, "MLHUB_TOKEN": server.token,
                       "MLHUB_CACHE_DIR": str(work / "cache")})
    import pandas as pd

    import mlhub_ext as mh
    from mlhub_ext.client.uploads import upload_file

    watcher = RSSWatcher(server.proc.pid)
    base_rss = psutil.Process(server.proc.pid).memory_info().rss
    watcher.start()
    try:
        http = mh.datasets._client()
        t0 = time.perf_counter()

        def progress(done: int, total: int) -> None:
            if done >= total:
                watcher.phase = "complete"   # every chunk is in: the assembly and the blob's store

        watcher.phase = "chunks"
        up = upload_file(http, csv, progress=progress)
        t1 = time.perf_counter()
        watcher.phase = "register"
        reg = http.post("datasets", json={"upload_id": up["id"]}, timeout=3600)
        t2 = time.perf_counter()
    finally:
        watcher.stop()
    v = reg["version"]
    print(f"\nupload + register {size / MB:.0f} MB: {t2 - t0:.1f} s = {size / MB / (t2 - t0):.1f} MB/s "
          f"(chunked upload incl. client hashing {t1 - t0:.1f} s = {size / MB / (t1 - t0):.0f} MB/s; "
          f"registration: Parquet + statistics {t2 - t1:.1f} s)")
    files = http.get(f"datasets/{v['dataset']}/versions/1")["manifest"]["files"]
    pq_size = next(f["size"] for f in files if f["role"] == "parquet")
    print(f"  {v['num_rows']:,} rows; Parquet copy {pq_size / MB:.0f} MB")
    verdict = "OK" if watcher.peak <= 300 * MB else "ABOVE TARGET"
    print(f"server peak RSS: {watcher.peak / MB:.0f} MB (at start {base_rss / MB:.0f} MB; target <= 300 MB: {verdict}); "
          f"worker process peak RSS: {watcher.children_peak / MB:.0f} MB")
    print(f"  at the peak: {watcher.peak_split}")
    print("  server peak RSS by phase: " + ", ".join(f"{k} {v / MB:.0f} MB" for k, v in watcher.phase_peaks.items()
                                                     if k != "start"))

    ds = mh.datasets.get(v["dataset"])
    name = v["dataset"]
    pv = median_ms(lambda: server.get(f"datasets/{name}/versions/1/preview"))
    st = median_ms(lambda: server.get(f"datasets/{name}/versions/1/stats"))
    print(f"preview: {pv:.1f} ms, statistics: {st:.1f} ms (median of 20; target <= 200 ms)")

    t = time.perf_counter()
    first = ds.to_pandas()
    first_s = time.perf_counter() - t
    del first
    cached = min(_timed(ds.to_pandas) for _ in range(3))
    parquet_path = ds.download(file="parquet")
    direct = min(_timed(lambda: pd.read_parquet(parquet_path)) for _ in range(3))
    ratio = cached / direct
    print(f"to_pandas(): first call (download + read) {first_s:.2f} s; cached {cached:.2f} s; "
          f"pandas.read_parquet {direct:.2f} s; ratio {ratio:.2f}x (target <= 1.5x: {'OK' if ratio <= 1.5 else 'ABOVE'})")

    print("\nside by side, the same file:")
    print(f"  ML Hub upload + register: {t2 - t0:.2f} s ({size / MB / (t2 - t0):.0f} MB/s; typed copy, statistics, versions)")
    print(f"  MLflow log_artifact:      {mlflow_artifact(csv)}")
    print(f"  dvc add:                  {dvc_add(csv)}")

    server.stop()
    if moto is not None:
        moto.terminate()
        moto.wait()
    if args.keep:
        print(f"\nkept {work} and {server.dir}")
    else:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(server.dir, ignore_errors=True)


def _timed(fn) -> float:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
