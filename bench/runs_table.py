"""Runs table benchmark: a project of 10,000 runs through `mlhub serve`.

    python bench/runs_table.py [--runs 10000] [--repeat 5] [--pg-url URL]

Fills the registry in bulk (one executemany per table: runs with 3 params, 1-2 tags, a summary
value and a ``val_loss`` series each), starts a real ``mlhub serve`` on it and prints the median of
``--repeat`` requests (ms, until the answer's last byte) for: the first page (50 runs) sorted by
each kind of column, text search, all matching ids, groups by a param with a metric's
mean/min/max, and parameter importance over every run. SQLite, and PostgreSQL when --pg-url (or
MLHUB_TEST_PG_URL, or the tests' default server) can be reached.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import insert  # noqa: E402

from mlhub_ext.store import open_registry  # noqa: E402
from mlhub_ext.store.orm import ParamRow, RunRow, SeriesRow, TagRow  # noqa: E402
from mlhub_ext.store.sqlstore import param_columns  # noqa: E402
from series_query import USER, Serve, median_ms, pg_database  # noqa: E402

PROJECT = "table-bench"


def fill(db_url: str, n: int) -> None:
    registry = open_registry(db_url, auto_upgrade=True)
    project = registry.create_project(USER, PROJECT)
    rnd = random.Random(11)
    now = datetime.now(timezone.utc)
    runs, params, tags, series = [], [], [], []
    for i in range(n):
        rid = uuid.UUID(int=rnd.getrandbits(128)).hex
        created = now - timedelta(seconds=n - i)
        status = rnd.choice(["running", "finished", "finished", "failed"])
        lr, depth, opt = 10 ** rnd.uniform(-4, -1), rnd.randrange(2, 12), rnd.choice(["adam", "sgd", "rmsprop"])
        runs.append({"id": rid, "project_id": project.id, "owner": USER, "name": f"run-{i:05d}", "status": status,
                     "summary": {"acc": rnd.random()}, "provenance": {}, "notes": "", "created_at": created,
                     "updated_at": created, "last_seq": 0, "status_reason": "", "stop_requested": False,
                     "finished_at": None if status == "running" else created + timedelta(seconds=rnd.randrange(9999))})
        params += [{"run_id": rid, "key": k, **param_columns(v)} for k, v in (("lr", lr), ("depth", depth), ("opt", opt))]
        tags += [{"run_id": rid, "tag": f"sweep-{i % 20}", "position": 0}]
        series.append({"run_id": rid, "key": "val_loss", "count": 100, "last_step": 99,
                       "last_value": lr * 100 + depth * 0.01 + rnd.gauss(0, 0.01), "min_value": 0.0, "max_value": 1.0})
    with registry.store.write_engine.begin() as c:
        for table, rows in ((RunRow, runs), (ParamRow, params), (TagRow, tags), (SeriesRow, series)):
            c.execute(insert(table.__table__), rows)
    registry.store.close()


def bench(name: str, db_url: str, args: argparse.Namespace) -> dict[str, float]:
    print(f"== {name}", flush=True)
    fill(db_url, args.runs)
    server = Serve(db_url)
    api = server.url + "mlhub/api/v1/"
    out: dict[str, float] = {}

    def get(path: str, **params: Any) -> bytes:
        r = server.session.get(api + path, params=params, timeout=120)
        r.raise_for_status()
        return r.content

    try:
        cases: dict[str, tuple[str, dict[str, Any]]] = {
            f"page, order_by={o}": ("runs", {"project": PROJECT, "order_by": o, "limit": 50})
            for o in ("created_at", "params.lr", "params.opt", "metrics.val_loss", "summary.acc", "duration", "tags")}
        cases.update({
            "page 101 (offset 5,000), params.lr": ("runs", {"project": PROJECT, "order_by": "params.lr",
                                                             "offset": 5000}),
            "page, q=sweep-7": ("runs", {"project": PROJECT, "q": "sweep-7"}),
            "page, filter params.opt = adam": ("runs", {"project": PROJECT, "filter": "params.opt = adam"}),
            "ids_only (every match)": ("runs", {"project": PROJECT, "ids_only": "true", "order_by": "metrics.val_loss"}),
            "groups by params.opt, val_loss": (f"projects/{PROJECT}/runs/groups", {"by": "params.opt",
                                                                                  "metric": "val_loss"}),
            "groups by tags, val_loss": (f"projects/{PROJECT}/runs/groups", {"by": "tags", "metric": "val_loss"}),
            "insights val_loss (all runs)": (f"projects/{PROJECT}/insights", {"metric": "val_loss"}),
        })
        total = orjson.loads(get("runs", project=PROJECT, limit=1))["total"]
        assert total == args.runs, total
        for label, (path, params) in cases.items():
            out[label] = median_ms(lambda: get(path, **params), args.repeat)
            print(f"  {label:<40}{out[label]:>9.1f} ms", flush=True)
    finally:
        server.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pg-url", default=os.environ.get(
        "MLHUB_TEST_PG_URL", "postgresql+psycopg://mlhub:mlhub@127.0.0.1:5432/mlhub_test"))
    parser.add_argument("--quick", action="store_true", help="1,000 runs")
    args = parser.parse_args()
    if args.quick:
        args.runs = 1000
    results = {"SQLite": bench("SQLite", f"sqlite:///{Path(tempfile.mkdtemp()) / 'mlhub.db'}", args)}
    pg = pg_database(args.pg_url, "mlhub_bench_table")
    if pg:
        results["PostgreSQL"] = bench("PostgreSQL", pg, args)
    print(f"\n{args.runs:,} runs, median of {args.repeat} (ms, until the answer's last byte)")
    print(f"{'':<42}" + "".join(f"{b:>12}" for b in results))
    for label in next(iter(results.values())):
        print(f"{label:<42}" + "".join(f"{results[b][label]:>12.1f}" for b in results))


if __name__ == "__main__":
    main()
