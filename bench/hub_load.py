"""Load on the registry service: many users logging at once into `mlhub serve` on PostgreSQL,
through 1 replica and then 2, against a raw PostgreSQL COPY of the same points.

    python bench/hub_load.py [--users 200] [--seconds 60] [--quick] [--pg URL]

Each simulated user has its own API token and run and behaves like the SDK's flusher: it logs
``--metrics`` metrics at ``--steps-per-s`` steps per second, and every 0.1 s (the SDK's flush
interval) posts what accumulated as one compact batch (``encode_batch``, the SDK's own
encoding) with the next ``seq``, waiting for each acknowledgement before the next post (as the
SDK's sender does); a failed post is retried with the same ``seq`` (exactly-once on the
server). The users are spread over ``--procs`` client processes (asyncio + aiohttp), and the
requests go round-robin over the replicas (no sticky sessions).

Printed per configuration: points acknowledged per second, p50/p95 acknowledgement latency,
points lost (acknowledged points minus the points the database holds for those runs, counted
in SQL: must be 0) and failed posts; then the COPY ceiling (one row per point: run, key,
step, value, time, into a plain table on the same server) and the ratios.
The PostgreSQL database is created for the run and dropped after (``--pg``: an admin URL,
default ``MLHUB_TEST_PG_URL``).
"""
from __future__ import annotations

import argparse
import asyncio
import io
import multiprocessing as mp
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = os.environ.get("MLHUB_TEST_PG_URL", "postgresql+psycopg://mlhub:mlhub@127.0.0.1:5432/mlhub_test")
FLUSH_S = 0.1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Replica:
    def __init__(self, env: dict[str, str], data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/mlhub/api/v1/"
        self.log = open(data_dir / "serve.log", "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "mlhub_ext.cli", "serve", "--ip", "127.0.0.1",
                                      "--port", str(self.port)],
                                     env={**env, "MLHUB_DATA_DIR": str(data_dir)}, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"mlhub serve exited; see {data_dir / 'serve.log'}")
            try:
                requests.get(self.url + "openapi.json", timeout=1)
                return
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise SystemExit("mlhub serve did not start in 60 s") from None
                time.sleep(0.2)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


# clients
async def _user(urls: list[str], token: str, run_id: str, index: int, args: argparse.Namespace,
                start: float, stop: float) -> dict[str, Any]:
    import aiohttp

    from mlhub_ext.client.batch import encode_batch

    keys = [f"m{k}" for k in range(args.metrics)]
    latencies: list[float] = []
    acked = failed = 0
    seq, step = 0, 0
    headers = {"Authorization": f"token {token}", "Content-Type": "application/json"}
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(headers=headers, timeout=timeout,
                                     connector=aiohttp.TCPConnector(limit=len(urls))) as session:
        await asyncio.sleep(max(0.0, start - time.time()) + (index % 10) * FLUSH_S / 10)
        last = time.time()
        while time.time() < stop:
            await asyncio.sleep(max(0.0, last + FLUSH_S - time.time()))
            now = time.time()
            n = max(1, min(5000, round((now - last) * args.steps_per_s)))
            last = now
            steps = list(range(step, step + n))
            times = [now] * n
            step += n
            seq += 1
            body = encode_batch(seq, {k: (steps, [float(s % 97) for s in steps], times) for k in keys})
            for attempt in range(10):  # the SDK's sender retries a batch until it is acknowledged
                url = urls[(seq + index + attempt) % len(urls)] + f"runs/{run_id}/metrics"
                t0 = time.perf_counter()
                try:
                    async with session.post(url, data=body) as r:
                        await r.read()
                        ok = r.status == 200
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    ok = False
                if ok:
                    latencies.append(time.perf_counter() - t0)
                    acked += n * len(keys)
                    break
                failed += 1
                await asyncio.sleep(0.2 * (attempt + 1))
    return {"latencies": latencies, "acked": acked, "failed": failed}


def _client_proc(urls: list[str], users: list[tuple[str, str]], first: int, args: argparse.Namespace,
                 start: float, stop: float, out: Any) -> None:
    async def main() -> list[dict[str, Any]]:
        return await asyncio.gather(*(_user(urls, tok, run, first + i, args, start, stop)
                                      for i, (tok, run) in enumerate(users)))
    out.put(asyncio.run(main()))


def run_load(urls: list[str], users: list[tuple[str, str]], args: argparse.Namespace) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    start = time.time() + 3.0 + 0.02 * len(users)   # every client connected before the clock starts
    stop = start + args.seconds
    per = -(-len(users) // args.procs)
    procs = [ctx.Process(target=_client_proc, args=(urls, users[i:i + per], i, args, start, stop, out))
             for i in range(0, len(users), per)]
    for p in procs:
        p.start()
    results = [r for _ in procs for r in out.get(timeout=args.seconds + 600)]
    for p in procs:
        p.join()
    lat = sorted(x for r in results for x in r["latencies"])
    acked = sum(r["acked"] for r in results)
    return {"acked": acked, "failed": sum(r["failed"] for r in results), "posts": len(lat),
            "points_per_s": acked / args.seconds,
            "p50_ms": 1000 * lat[len(lat) // 2] if lat else float("nan"),
            "p95_ms": 1000 * lat[int(len(lat) * 0.95)] if lat else float("nan")}


# the database
def _sa_to_psycopg(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_db(admin_url: str, name: str) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    with psycopg.connect(_sa_to_psycopg(admin_url), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_db(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_sa_to_psycopg(admin_url), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_users(db_url: str, n: int, project: str) -> list[tuple[str, str]]:
    """A token and a run per user, made through the registry (as `mlhub token create` would)."""
    from mlhub_ext.store import open_registry

    reg = open_registry(db_url)
    try:
        users = []
        for i in range(n):
            user = f"user{i:03d}"
            token, _ = reg.create_token(user, note="hub_load")
            run = reg.create_run(user, f"{project}-{user}", name="load")
            users.append((token, run.id))
        return users
    finally:
        reg.store.close()


def points_in_db(db_url: str, run_ids: list[str]) -> int:
    import psycopg

    with psycopg.connect(_sa_to_psycopg(db_url)) as c:
        row = c.execute("SELECT coalesce(sum(count), 0) FROM metric_series WHERE run_id = ANY(%s)",
                        (run_ids,)).fetchone()
        return int(row[0]) if row else 0


def copy_ceiling(db_url: str, points: int, runs: list[str], metrics: int) -> float:
    """Points per second of one COPY of ``points`` rows (run, key, step, value, time)."""
    import psycopg

    per_run = max(1, points // max(1, len(runs) * metrics))
    buf = io.StringIO()
    now = time.time()
    n = 0
    for r in runs:
        for k in range(metrics):
            for s in range(per_run):
                buf.write(f"{r}\tm{k}\t{s}\t{float(s % 97)}\t{now}\n")
                n += 1
    data = buf.getvalue().encode()
    with psycopg.connect(_sa_to_psycopg(db_url)) as c:
        c.execute("CREATE TABLE copy_points (run_id text, key text, step bigint, value double precision, "
                  "ts double precision)")
        c.commit()
        t0 = time.perf_counter()
        with c.cursor() as cur:
            with cur.copy("COPY copy_points FROM STDIN") as cp:
                for off in range(0, len(data), 1 << 20):
                    cp.write(data[off:off + (1 << 20)])
        c.commit()
        elapsed = time.perf_counter() - t0
        c.execute("DROP TABLE copy_points")
        c.commit()
    return n / elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--metrics", type=int, default=5, help="metrics each user logs per step")
    ap.add_argument("--steps-per-s", type=float, default=100.0, help="steps each user logs per second")
    ap.add_argument("--procs", type=int, default=max(1, min(4, os.cpu_count() or 1)), help="client processes")
    ap.add_argument("--replicas", default="1,2", help="replica counts to run, e.g. 1,2")
    ap.add_argument("--quick", action="store_true", help="10 s per configuration")
    ap.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL admin URL (a database is created and dropped)")
    args = ap.parse_args()
    if args.quick:
        args.seconds = min(args.seconds, 10.0)
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        raise SystemExit("bench/hub_load.py needs aiohttp: pip install aiohttp") from None

    name = f"mlhub_hub_load_{os.getpid()}"
    db_url = create_db(args.pg, name)
    work = Path(tempfile.mkdtemp(prefix="mlhub-hub-load-"))
    env = {**os.environ, "MLHUB_DB_URL": db_url, "MLHUB_ARTIFACT_ROOT": str(work / "artifacts"),
           "MLHUB_RATE_LIMIT": "0"}
    rows = []
    try:
        first = Replica(env, work / "r0")   # creates the schema
        replicas = [first]
        copy_points = 0
        for count in [int(c) for c in args.replicas.split(",")]:
            while len(replicas) < count:
                replicas.append(Replica(env, work / f"r{len(replicas)}"))
            users = make_users(db_url, args.users, f"load{count}")
            print(f"{count} replica(s): {args.users} users x {args.metrics} metrics x {args.steps_per_s:g} "
                  f"steps/s for {args.seconds:g} s ...", flush=True)
            res = run_load([r.url for r in replicas[:count]], users, args)
            stored = points_in_db(db_url, [run for _, run in users])
            res.update(replicas=count, stored=stored, lost=res["acked"] - stored)
            rows.append(res)
            copy_points = max(copy_points, res["acked"])
        for r in replicas:
            r.stop()
        ceiling = copy_ceiling(db_url, max(copy_points, 100_000), [f"r{i:03d}" for i in range(args.users)],
                               args.metrics)
    finally:
        drop_db(args.pg, name)
        shutil.rmtree(work, ignore_errors=True)

    print()
    print(f"{'replicas':>8} {'points/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'acked':>10} {'in DB':>10} "
          f"{'lost':>5} {'retried':>7} {'/ COPY':>7}")
    for r in rows:
        print(f"{r['replicas']:>8} {r['points_per_s']:>10,.0f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} "
              f"{r['acked']:>10,} {r['stored']:>10,} {r['lost']:>5} {r['failed']:>7} "
              f"{r['points_per_s'] / ceiling:>7.1%}")
    print(f"{'COPY':>8} {ceiling:>10,.0f}   (one COPY of the same number of point rows into a plain table)")
    if len(rows) >= 2:
        print(f"2 replicas / 1 replica: {rows[1]['points_per_s'] / rows[0]['points_per_s']:.2f}x")
    print(f"machine: {os.cpu_count()} CPU cores, shared by the clients, the replicas and PostgreSQL")
    if any(r["lost"] for r in rows):
        raise SystemExit("points were lost")


if __name__ == "__main__":
    main()
