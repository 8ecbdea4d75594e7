"""Home benchmark: GET /home on a registry of 10,000 runs, 500 datasets and 500 model versions.

    python bench/home.py [--quick] [--requests N] [--db-url postgresql+psycopg://.../empty_db]

Builds the registry with bulk inserts (one executemany per table, a few seconds), starts a
real `mlhub serve` on it and times GET /mlhub/api/v1/home over N sequential requests
(p50/p95; the target is p95 <= 100 ms). No peer has this endpoint, so the figure it is
compared with is the naive way the lab would otherwise assemble the same page from the
existing list calls (projects, run totals per status, every run of the charted days page by
page, datasets, models with their counts, running and queued jobs, /me for storage and
shares, my running runs, the latest runs, and the versions of the 20 most recently
updated datasets and models): the ratio printed is naive / home.

The caller ("bench") owns 30 of 50 projects; of the other user's 20, 10 are public and 5
shared with the caller; datasets and models are split the same way, so every query runs
with its access rule doing real work.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _serve import Server  # noqa: E402

from sqlalchemy import create_engine, insert  # noqa: E402

from mlhub_ext.store.orm import ArtifactRow, MemberRow, ProjectRow, RunRow, SeriesRow, UserRow  # noqa: E402
from mlhub_ext.store.orm_datasets import DatasetMemberRow, DatasetRow, DatasetVersionRow  # noqa: E402
from mlhub_ext.store.orm_models import (AliasHistoryRow, JobRow, ModelAliasRow, ModelMemberRow, ModelRow,  # noqa: E402
                                        ModelVersionRow)

ME, OTHER = "bench", "other"
N_PROJECTS, N_RUNS, N_DATASETS, N_MODELS, N_MODEL_VERSIONS = 50, 10_000, 500, 100, 500
STAGES = ("dev", "staging", "production")


def build(db_url: str, seed: int = 7) -> dict[str, int]:
    """Fill the registry at ``db_url`` (schema already created); returns row counts."""
    rnd = random.Random(seed)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    engine = create_engine(db_url)

    def ago(days: float) -> datetime:
        return now - timedelta(days=days)

    projects, members, runs, series, artifacts = [], [], [], [], []
    for i in range(N_PROJECTS):
        owner = ME if i < 30 else OTHER
        vis = "public" if 30 <= i < 40 else "private"
        projects.append({"id": i + 1, "name": f"project-{i:02d}", "owner": owner, "visibility": vis,
                         "description": "", "created_at": ago(60), "updated_at": ago(rnd.random() * 30)})
        if i >= 45:
            members.append({"project_id": i + 1, "user": ME, "role": "read",
                            "granted_at": ago(i / 50), "granted_by": OTHER})
    for i in range(N_RUNS):
        pid = rnd.randrange(N_PROJECTS) + 1
        created = ago(rnd.random() * 30)
        status = rnd.choices(("running", "finished", "failed", "killed"), (2, 80, 12, 6))[0]
        rid = uuid.UUID(int=rnd.getrandbits(128)).hex
        runs.append({"id": rid, "project_id": pid, "owner": projects[pid - 1]["owner"], "name": f"run-{i}",
                     "status": status, "summary": {}, "provenance": {}, "notes": "", "created_at": created,
                     "updated_at": created, "last_seq": 0, "status_reason": "", "stop_requested": False,
                     "finished_at": None if status == "running" else created + timedelta(minutes=rnd.random() * 90)})
        for key in ("loss", "accuracy"):
            series.append({"run_id": rid, "key": key, "count": 100, "last_step": 99, "last_value": rnd.random(),
                           "min_value": 0.0, "max_value": 1.0})
        if i % 5 == 0:
            artifacts.append({"run_id": rid, "name": "model.bin", "sha256": f"{i:064x}", "size": 10_000 + i,
                              "created_at": created})
    datasets, dmembers, dversions = [], [], []
    for i in range(N_DATASETS):
        owner = ME if i < 250 else OTHER
        vis = "public" if 250 <= i < 400 else "private"
        n_versions = 2 if i % 4 == 0 else 1
        created = ago(rnd.random() * 30)
        datasets.append({"id": i + 1, "name": f"dataset-{i:03d}", "owner": owner, "visibility": vis,
                         "description": "", "kind": "table", "latest_version": n_versions, "created_at": created,
                         "updated_at": created})
        if i >= 480:
            dmembers.append({"dataset_id": i + 1, "user": ME, "role": "read",
                             "granted_at": ago(i / 50), "granted_by": OTHER})
        for v in range(1, n_versions + 1):
            dversions.append({"dataset_id": i + 1, "version": v, "created_by": owner,
                              "created_at": created + timedelta(hours=v), "message": "", "parent_version": None,
                              "kind": "table", "format": "csv", "size": 1000 * (i + 1), "num_rows": 100,
                              "content_sha256": f"{i:060x}{v:04x}", "manifest": {}, "lineage": {}})
    models, mmembers, mversions, aliases, history, jobs = [], [], [], [], [], []
    per_model = N_MODEL_VERSIONS // N_MODELS
    for i in range(N_MODELS):
        owner = ME if i < 60 else OTHER
        vis = "public" if 60 <= i < 80 else "private"
        created = ago(rnd.random() * 30)
        models.append({"id": i + 1, "name": f"model-{i:03d}", "owner": owner, "visibility": vis,
                       "description": "", "model_type": "sklearn", "estimator": "", "developer": "",
                       "latest_version": per_model, "created_at": created, "updated_at": created})
        if i >= 95:
            mmembers.append({"model_id": i + 1, "user": ME, "role": "edit",
                             "granted_at": ago(i / 50), "granted_by": OTHER})
        for v in range(1, per_model + 1):
            mversions.append({"model_id": i + 1, "version": v, "created_by": owner,
                              "created_at": created + timedelta(hours=v), "model_type": "sklearn", "tags": [],
                              "spec": {}, "input_schema": [], "metrics": {}, "artifact_sha256": f"{i:060x}{v:04x}",
                              "artifact_size": 5000})
        for s, stage in enumerate(STAGES[: i % 4]):
            aliases.append({"model_id": i + 1, "stage": stage, "version": per_model - s, "updated_by": owner,
                            "updated_at": created + timedelta(hours=8)})
            history.append({"model_id": i + 1, "stage": stage, "version": per_model - s, "previous": None,
                            "user": owner, "created_at": created + timedelta(hours=8)})
        for j in range(3):
            state = "running" if (i < 10 and j == 0) else "finished"
            jobs.append({"id": f"job-{i}-{j}", "kind": "train", "state": state, "progress": 0.5, "message": "",
                         "owner": owner, "model": f"model-{i:03d}", "spec": {}, "created_at": created,
                         "updated_at": created})
    plan: list[tuple[Any, list[dict[str, Any]]]] = [
        (UserRow, [{"name": ME, "created_at": ago(90)}, {"name": OTHER, "created_at": ago(90)}]),
        (ProjectRow, projects), (MemberRow, members), (RunRow, runs), (SeriesRow, series),
        (ArtifactRow, artifacts), (DatasetRow, datasets), (DatasetMemberRow, dmembers),
        (DatasetVersionRow, dversions), (ModelRow, models), (ModelMemberRow, mmembers),
        (ModelVersionRow, mversions), (ModelAliasRow, aliases), (AliasHistoryRow, history), (JobRow, jobs)]
    with engine.begin() as c:
        for row, values in plan:
            if row is UserRow:
                values = [v for v in values if v["name"] != ME]  # the token command made the caller
            if values:
                c.execute(insert(row.__table__), values)
    engine.dispose()
    return {"runs": len(runs), "datasets": len(datasets), "dataset versions": len(dversions),
            "model versions": len(mversions), "projects": len(projects)}


def naive(server: Server) -> int:
    """The same page from the existing list calls; returns the number of requests made."""
    calls = 0

    def get(path: str, **params: Any) -> Any:
        nonlocal calls
        calls += 1
        return server.get(path, params=params).json()

    get("projects", limit=1000)
    for status in ("running", "finished", "failed", "killed"):
        get("runs", limit=1, filter=f"status = {status}")
    # Runs per day over the charted days: every run, newest first, until the window ends.
    since = (datetime.now(timezone.utc) - timedelta(days=14)).isoformat()
    offset = 0
    while True:
        page = get("runs", limit=1000, offset=offset)
        offset += 1000
        if not page["runs"] or page["runs"][-1]["created_at"] < since or offset >= page["total"]:
            break
    datasets = get("datasets", limit=1000)
    models = get("models", limit=1000)
    get("jobs", state="running")
    get("jobs", state="queued")
    get("me")
    get("runs", limit=20, filter=f"owner = {ME} and status = running")
    get("runs", limit=20)
    get("runs", limit=20, order_by="updated_at")
    for d in datasets["datasets"][:20]:
        get(f"datasets/{d['name']}/versions")
    for m in models["models"][:20]:
        get(f"models/{m['name']}/versions")
    return calls


def timed(fn: Callable[[], Any], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests (20 home, 3 naive)")
    parser.add_argument("--requests", type=int, default=0, help="home requests to time (default 200)")
    parser.add_argument("--db-url", default="", help="an EMPTY database to fill instead of a new SQLite file "
                        "(e.g. PostgreSQL); its tables are created by the server")
    args = parser.parse_args()
    if args.db_url:
        os.environ["MLHUB_DB_URL"] = args.db_url
    n_home = args.requests or (20 if args.quick else 200)
    n_naive = 3 if args.quick else 10
    server = Server()
    try:
        t = time.perf_counter()
        sizes = build(args.db_url or f"sqlite:///{server.dir / 'mlhub.db'}")
        print(f"{'PostgreSQL' if 'postgresql' in (args.db_url or '') else 'SQLite'} registry built in {time.perf_counter() - t:.1f} s: "
              + ", ".join(f"{v:,} {k}" for k, v in sizes.items()))
        home = server.get("home").json()
        c = home["counts"]
        print(f"the caller reads {c['projects']} projects, {c['runs']['total']:,} runs, {c['datasets']} datasets, "
              f"{c['model_versions']} model versions; activity lines {len(home['activity'])}")
        for _ in range(5):  # warm caches and connection pools on both paths
            server.get("home")
        home_ms = timed(lambda: server.get("home"), n_home)
        calls = naive(server)
        naive_ms = timed(lambda: naive(server), n_naive)
        p50, p95 = statistics.median(home_ms), pct(home_ms, 95)
        n50 = statistics.median(naive_ms)
        print(f"GET /home            p50 {p50:7.1f} ms   p95 {pct(home_ms, 95):7.1f} ms   ({n_home} requests)"
              f"   target p95 <= 100 ms: {'met' if p95 <= 100 else 'MISSED'}")
        print(f"naive ({calls} calls)    p50 {n50:7.1f} ms   p95 {pct(naive_ms, 95):7.1f} ms   ({n_naive} rounds)")
        print(f"ratio home / naive p50: {p50 / n50:.3f}x  (naive is {n50 / p50:.1f}x slower)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
