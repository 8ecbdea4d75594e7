"""Load on the registry service: many users logging at once into `mlhub serve` on PostgreSQL,
through 1 replica and then 2, against a raw PostgreSQL COPY of the same points.

    python bench/hub_load.py [--users 200] [--seconds 60] [--quick] [--saturation 30] [--pg URL]
                             [--metric-writer process|thread]

The replicas run as the Kubernetes deployment runs them, with their metric posts written by a
child process (``MLHUB_METRIC_WRITER=process``); ``--metric-writer thread`` measures the
single-process default instead.

Each simulated user has its own API token and run and behaves like the SDK's flusher: it logs
``--metrics`` metrics at a number of steps per second, and every 0.1 s (the SDK's flush
interval) posts what accumulated as one compact batch (``encode_batch``, the SDK's own
encoding; at most the SDK's 50,000 points) with the next ``seq``, waiting for each
acknowledgement before the next post (as the SDK's sender does); a failed post is retried with
the same ``seq`` (exactly-once on the server). The users are spread over ``--procs`` client
processes (asyncio, one keep-alive connection per replica and user: see ``_Conn``), and the
requests go round-robin over the replicas (no sticky sessions).

Two phases per replica count, each with fresh users and runs:

- nominal: ``--steps-per-s`` (100) steps per second, the issue's load (200 x 5 x 100 =
  100,000 points/s offered). The acknowledgement latency here is what a user sees; points/s
  cannot exceed the offered load, so its ratio to COPY is at most offered / COPY.
- saturation: ``--saturation`` (30) times faster, more than the registry can take (at 10x,
  1,000,000 points/s, one replica with group commit took 98 % of what was offered): the
  batches grow as the SDK's do when the server lags, and points/s is the registry's ingestion
  capacity, the figure to hold against the COPY ceiling.

Printed per phase: offered and acknowledged points per second, points per post, p50/p95
acknowledgement latency, points lost (acknowledged points minus the points the database holds
for those runs, counted in SQL: must be 0), failed posts, the ratio to COPY, and the CPU the
replicas and the whole machine used meanwhile (in cores); then the COPY ceiling (the best of
three COPYs of as many rows as the largest phase acknowledged: run, key, step, value, time,
into a plain table on the same server), the SQL round trips of one batch (counted at libpq),
and the load average. The PostgreSQL database is created for the run and dropped after
(``--pg``: an admin URL, default ``MLHUB_TEST_PG_URL``). Needs nothing beyond ML Hub's own
dependencies.
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
class _Conn:
    """One keep-alive HTTP/1.1 connection, as the load generator's side of a post.

    Written on asyncio streams rather than an HTTP library so that the clients take as little
    of the machine as possible (they share it with the replicas and PostgreSQL): about 60 µs
    of CPU per post here, against ~290 µs for aiohttp and ~1,100 µs for httpx (measured on
    this 2-core machine; at 2,000 posts/s httpx alone would need both cores). The replica
    (tornado) always answers with a Content-Length."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, headers: bytes, body: bytes) -> int:
        """Send one POST and read the whole answer; its status. ConnectionError when the
        connection fails (it is closed; the next post opens a new one)."""
        try:
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            assert self.reader is not None
            self.writer.write(b"POST %s HTTP/1.1\r\nHost: %s:%d\r\n%sContent-Length: %d\r\n\r\n%s" % (
                path.encode(), self.host.encode(), self.port, headers, len(body), body))
            await self.writer.drain()
            head = await self.reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length, close = 0, False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
            await self.reader.readexactly(length)
            if close:
                self.close()
            return status
        except (OSError, EOFError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            self.close()
            raise ConnectionError(str(exc)) from exc

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _user(urls: list[str], token: str, run_id: str, index: int, args: argparse.Namespace,
                steps_per_s: float, start: float, stop: float) -> dict[str, Any]:
    """One simulated SDK: what accumulated since the last post (``steps_per_s`` steps of
    ``args.metrics`` metrics, at most the SDK's 50,000 points), posted at most every 0.1 s,
    the next post only once this one is acknowledged (retried with the same seq)."""
    from urllib.parse import urlsplit

    from mlhub_ext.client.batch import encode_batch

    keys = [f"m{k}" for k in range(args.metrics)]
    max_steps = max(1, 50_000 // len(keys))   # the SDK's MAX_BATCH_POINTS
    latencies: list[float] = []
    acked = failed = posts = 0
    seq, step = 0, 0
    parts = [urlsplit(u) for u in urls]
    conns = [_Conn(p.hostname or "127.0.0.1", p.port or 80) for p in parts]
    paths = [p.path + f"runs/{run_id}/metrics" for p in parts]
    headers = b"Authorization: token %s\r\nContent-Type: application/json\r\n" % token.encode()
    await asyncio.sleep(max(0.0, start - time.time()) + (index % 10) * FLUSH_S / 10)
    last = time.time()
    try:
        while time.time() < stop:
            await asyncio.sleep(max(0.0, last + FLUSH_S - time.time()))
            now = time.time()
            n = max(1, min(max_steps, round((now - last) * steps_per_s)))
            last = now
            steps = list(range(step, step + n))
            times = [now] * n
            step += n
            seq += 1
            body = encode_batch(seq, {k: (steps, [float(s % 97) for s in steps], times) for k in keys})
            for attempt in range(10):  # the SDK's sender retries a batch until it is acknowledged
                target = (seq + index + attempt) % len(urls)
                t0 = time.perf_counter()
                try:
                    ok = await asyncio.wait_for(conns[target].post(paths[target], headers, body), 60) == 200
                except (ConnectionError, asyncio.TimeoutError):
                    conns[target].close()
                    ok = False
                if ok:
                    latencies.append(time.perf_counter() - t0)
                    acked += n * len(keys)
                    posts += 1
                    break
                failed += 1
                await asyncio.sleep(0.2 * (attempt + 1))
    finally:
        for c in conns:
            c.close()
    return {"latencies": latencies, "acked": acked, "failed": failed, "posts": posts}


def _client_proc(urls: list[str], users: list[tuple[str, str]], first: int, args: argparse.Namespace,
                 steps_per_s: float, start: float, stop: float, out: Any) -> None:
    async def main() -> list[dict[str, Any]]:
        return await asyncio.gather(*(_user(urls, tok, run, first + i, args, steps_per_s, start, stop)
                                      for i, (tok, run) in enumerate(users)))
    results = asyncio.run(main())
    cpu = time.process_time()
    out.put([{**r, "cpu_s": cpu / len(results)} for r in results])


def run_load(replicas: list["Replica"], users: list[tuple[str, str]], args: argparse.Namespace,
             steps_per_s: float) -> dict[str, Any]:
    """Run the users for ``args.seconds``; points/s, latencies, posts, failed posts, and the CPU
    seconds the replicas, the clients and the whole machine spent meanwhile."""
    import psutil

    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    start = time.time() + 3.0 + 0.02 * len(users)   # every client started before the clock starts
    stop = start + args.seconds
    per = -(-len(users) // args.procs)
    urls = [r.url for r in replicas]
    procs = [ctx.Process(target=_client_proc, args=(urls, users[i:i + per], i, args, steps_per_s, start, stop, out))
             for i in range(0, len(users), per)]
    for p in procs:
        p.start()
    time.sleep(max(0.0, start - time.time()))
    # a replica and its child processes (the metric writer, the dataset worker)
    servers = [p for r in replicas for p in [psutil.Process(r.proc.pid), *psutil.Process(r.proc.pid).children(True)]]
    cpu0 = [s.cpu_times() for s in servers]
    machine0 = psutil.cpu_times()
    time.sleep(max(0.0, stop - time.time()))
    cpu1 = [s.cpu_times() for s in servers]
    machine1 = psutil.cpu_times()
    results = [r for _ in procs for r in out.get(timeout=args.seconds + 600)]
    for p in procs:
        p.join()
    lat = sorted(x for r in results for x in r["latencies"])
    acked = sum(r["acked"] for r in results)
    posts = sum(r["posts"] for r in results)
    busy = sum(machine1) - machine1.idle - machine1.iowait - (sum(machine0) - machine0.idle - machine0.iowait)
    return {"acked": acked, "failed": sum(r["failed"] for r in results), "posts": posts,
            "points_per_s": acked / args.seconds, "points_per_post": acked / posts if posts else 0.0,
            "p50_ms": 1000 * lat[len(lat) // 2] if lat else float("nan"),
            "p95_ms": 1000 * lat[int(len(lat) * 0.95)] if lat else float("nan"),
            "replica_cores": sum(b.user + b.system - a.user - a.system for a, b in zip(cpu0, cpu1)) / args.seconds,
            "machine_cores": busy / args.seconds}


def round_trips(db_url: str, metrics: int) -> str:
    """SQL round trips of one logged batch (token check + ``append_metrics``, in process, as a
    replica makes them), counted at libpq (psycopg's pure-Python libpq binding, in a child
    process): every query, BEGIN, COMMIT and connection check sent on its own is one round
    trip; queries queued in pipeline mode (psycopg's executemany) count once per sync.
    The median of 20 fresh batches, then a duplicate seq."""
    code = f"""
import os, sys, time
sys.path.insert(0, {str(ROOT)!r})
from psycopg.pq import pq_ctypes
sent = []
# A query sent outside pipeline mode waits for its answer: one round trip. In pipeline mode
# (psycopg's executemany) queries are queued and the client waits once per sync or flush.
def counted(orig, pipelined):
    def call(self, *a, **k):
        if pipelined == bool(self.pipeline_status):
            sent.append(1)
        return orig(self, *a, **k)
    return call
for name in ("send_query", "send_query_params", "send_query_prepared", "send_prepare", "exec_", "exec_params",
             "exec_prepared", "prepare", "send_describe_prepared", "describe_prepared"):
    orig = getattr(pq_ctypes.PGconn, name, None)
    if orig is not None:
        setattr(pq_ctypes.PGconn, name, counted(orig, False))
for name in ("pipeline_sync", "send_flush_request"):
    setattr(pq_ctypes.PGconn, name, counted(getattr(pq_ctypes.PGconn, name), True))
import orjson
from mlhub_ext.client.batch import encode_batch
from mlhub_ext.store import open_registry
reg = open_registry({db_url!r})
token, _ = reg.create_token("trips", note="round trips")
run = reg.create_run("trips", "trips")
def post(seq):
    user = reg.check_token(token).user
    body = orjson.loads(encode_batch(seq, {{f"m{{k}}": (list(range(seq * 10, seq * 10 + 10)), [1.0] * 10, [time.time()] * 10)
                                          for k in range({metrics})}}))
    return reg.append_metrics(user, run.id, body["seq"], body["metrics"], body["encoding"])
post(1); post(2)
counts = []
for seq in range(3, 23):
    del sent[:]
    post(seq)
    counts.append(len(sent))
del sent[:]
assert post(5)["duplicate"]
print(f"{{sorted(counts)[len(counts) // 2]}} {{len(sent)}}")
reg.store.close()
"""
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PSYCOPG_IMPL": "python"},
                         capture_output=True, text=True)
    if out.returncode != 0:
        return f"not counted ({(out.stderr.strip().splitlines() or ['?'])[-1]})"
    fresh, dup = out.stdout.split()
    return f"{fresh} per {metrics}-metric batch ({dup} for a duplicate seq)"


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
    ap.add_argument("--seconds", type=float, default=60.0, help="seconds per phase and replica count")
    ap.add_argument("--metrics", type=int, default=5, help="metrics each user logs per step")
    ap.add_argument("--steps-per-s", type=float, default=100.0, help="steps each user logs per second (nominal)")
    ap.add_argument("--saturation", type=float, default=30.0,
                    help="the saturation phase logs this many times faster (0: no saturation phase)")
    ap.add_argument("--procs", type=int, default=max(1, min(4, os.cpu_count() or 1)), help="client processes")
    ap.add_argument("--replicas", default="1,2", help="replica counts to run, e.g. 1,2")
    ap.add_argument("--quick", action="store_true", help="10 s per phase")
    ap.add_argument("--metric-writer", choices=("process", "thread"), default="process",
                    help="MLHUB_METRIC_WRITER of the replicas (process: as the Kubernetes deployment runs them)")
    ap.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL admin URL (a database is created and dropped)")
    args = ap.parse_args()
    if args.quick:
        args.seconds = min(args.seconds, 10.0)
    phases = [("nominal", args.steps_per_s)]
    if args.saturation > 0:
        phases.append(("saturation", args.steps_per_s * args.saturation))

    load_before = os.getloadavg()
    name = f"mlhub_hub_load_{os.getpid()}"
    db_url = create_db(args.pg, name)
    work = Path(tempfile.mkdtemp(prefix="mlhub-hub-load-"))
    env = {**os.environ, "MLHUB_DB_URL": db_url, "MLHUB_ARTIFACT_ROOT": str(work / "artifacts"),
           "MLHUB_RATE_LIMIT": "0", "MLHUB_METRIC_WRITER": args.metric_writer}
    rows = []
    try:
        first = Replica(env, work / "r0")   # creates the schema
        replicas = [first]
        trips = round_trips(db_url, args.metrics)
        print(f"SQL round trips: {trips}", flush=True)
        copy_points = 100_000
        for count in [int(c) for c in args.replicas.split(",")]:
            while len(replicas) < count:
                replicas.append(Replica(env, work / f"r{len(replicas)}"))
            for phase, rate in phases:
                users = make_users(db_url, args.users, f"{phase}{count}")
                print(f"{count} replica(s), {phase}: {args.users} users x {args.metrics} metrics x {rate:g} "
                      f"steps/s (offered {args.users * args.metrics * rate:,.0f} points/s) for {args.seconds:g} s ...",
                      flush=True)
                res = run_load(replicas[:count], users, args, rate)
                stored = points_in_db(db_url, [run for _, run in users])
                res.update(replicas=count, phase=phase, offered=args.users * args.metrics * rate, stored=stored,
                           lost=res["acked"] - stored)
                rows.append(res)
                copy_points = max(copy_points, res["acked"])
        for r in replicas:
            r.stop()
        # The best of three COPYs: the ceiling is what PostgreSQL can take here, not a moment
        # when another process had the cores.
        ceiling = max(copy_ceiling(db_url, copy_points, [f"r{i:03d}" for i in range(args.users)], args.metrics)
                      for _ in range(3))
    finally:
        drop_db(args.pg, name)
        shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()

    print()
    print(f"{'phase':>10} {'replicas':>8} {'offered/s':>10} {'points/s':>10} {'pts/post':>8} {'p50 ms':>8} "
          f"{'p95 ms':>8} {'lost':>5} {'retried':>7} {'/ COPY':>7} {'replica CPU':>12} {'machine CPU':>12}")
    for r in rows:
        print(f"{r['phase']:>10} {r['replicas']:>8} {r['offered']:>10,.0f} {r['points_per_s']:>10,.0f} "
              f"{r['points_per_post']:>8,.0f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['lost']:>5} "
              f"{r['failed']:>7} {r['points_per_s'] / ceiling:>7.1%} {r['replica_cores']:>6.2f} cores "
              f"{r['machine_cores']:>6.2f} cores")
    print(f"{'COPY':>10} {'':>8} {'':>10} {ceiling:>10,.0f}   (best of 3 COPYs of {copy_points:,} point rows "
          "into a plain table)")
    print()
    print("nominal: the SDK's load (the p95 target applies here); its points/s is at most the offered load, so "
          "its ratio to COPY is at most offered / COPY.")
    if args.saturation > 0:
        print(f"saturation: the same users logging {args.saturation:g}x faster, beyond what the registry takes: "
              "the SDK's batches grow (up to 50,000 points), and points/s is the registry's ingestion capacity "
              "(the COPY-ratio target applies here).")
    print(f"SQL round trips: {trips}")
    print(f"metric writer: {args.metric_writer} (MLHUB_METRIC_WRITER); replica CPU counts its child processes")
    print(f"machine: {os.cpu_count()} CPU cores, shared by the clients, the replicas and PostgreSQL; "
          f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f}")
    if any(r["lost"] for r in rows):
        raise SystemExit("points were lost")


if __name__ == "__main__":
    main()
