"""Stream events across registry replicas.

The registry calls its ``listeners`` with every event written through *this* process (new
metric points, run and job changes); the WebSocket hub of this process listens there. With
several ``mlhub serve`` replicas on one PostgreSQL, a subscriber of replica B must also see
what was written through replica A: :class:`PgFanout` sends every local event as a
PostgreSQL ``NOTIFY`` on :data:`CHANNEL` and hands the events of the other replicas, received
through ``LISTEN``, to its own ``listeners``. :func:`stream_fanout` picks it from the database
URL; on SQLite (one process) :class:`LocalFanout` does nothing and the in-process path stays.

Metric points, nearly all of the traffic, are sent only where another replica has a stream
subscriber for their run or project: each replica keeps what its subscribers follow in the
``stream_interest`` table (:meth:`PgFanout.want`, written before a subscription is confirmed,
renewed every :data:`INTEREST_RENEW_S` and void after :data:`INTEREST_TTL_S` when its replica
died), and the sender reads the others' rows after the points were committed and before it
sends them. So a subscriber that fetches a run's history once subscribed misses no point: a
point committed before the fetch is in it, and one committed after is sent, the interest
having been stored before. With no subscriber elsewhere (one replica, or nobody watching
live) no point is sent: notifying every post cost a replica a quarter of its write capacity.
Run and job events (few, small) always go.

A notification carries at most 8000 bytes. Metric points are sent in the notification,
split into several when a batch is larger; a run or job event too large to send is sent as
a notice (its id) and the receiving replica reads the record from the database.
"""
from __future__ import annotations

import json
import logging
import queue
import threading
import time
import uuid
from typing import Any, Callable, Iterator

import orjson

log = logging.getLogger("mlhub.fanout")

#: The PostgreSQL notification channel of the stream.
CHANNEL = "mlhub_stream"
#: Bytes of one notification's payload (PostgreSQL's limit is 8000).
MAX_PAYLOAD = 7800
#: The fewest bytes a point takes in a notification ("1,2.0,3.0," and more): a payload of more
#: points than MAX_PAYLOAD / this is not encoded whole just to find that it does not fit.
_MIN_POINT_BYTES = 6

#: Seconds a replica's stored stream interest holds unless renewed, and how often a live
#: replica renews it: a replica that died is sent points for at most this long.
INTEREST_TTL_S = 60.0
INTEREST_RENEW_S = 15.0
#: Seconds the sender waits after an event for more to send with it.
SEND_GATHER_S = 0.02

Listener = Callable[[str, dict[str, Any]], None]


class LocalFanout:
    """One process: nothing to fan out; ``listeners`` are never called."""

    def __init__(self) -> None:
        self.listeners: list[Listener] = []

    def covers(self, runs: set[str], projects: set[str]) -> bool:
        """Whether the other replicas already know that this one's subscribers follow
        ``runs`` and ``projects`` (one process: there is nobody to tell)."""
        return True

    def want(self, runs: set[str], projects: set[str]) -> None:
        """Tell the other replicas what this one's subscribers follow (all of it, each time)."""

    def close(self) -> None:
        """Stop (nothing to stop here)."""


class PgFanout(LocalFanout):
    """Fans the registry's events out to the other replicas on one PostgreSQL and theirs in.

    ``db_url``: the registry's SQLAlchemy URL (``postgresql+psycopg://...``); ``registry``
    (its ``listeners`` are where local events come from, its store where notices are read)
    and ``job_store`` (``get_job``). Sending happens on a thread of its own, so a request that
    logs points never waits for the notification; events from other replicas are handed to
    ``listeners`` on the listening thread."""

    def __init__(self, db_url: str, registry: Any, job_store: Any) -> None:
        super().__init__()
        self.conninfo = _conninfo(db_url)
        self.registry, self.job_store = registry, job_store
        self.origin = uuid.uuid4().hex[:12]
        self._own = _dumps({"o": self.origin})[:-1] + ","   # how this replica's notifications start
        self._out: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue()
        self._stop = threading.Event()
        self._listening = threading.Event()
        # What this replica's subscribers follow, and what of it is stored in stream_interest
        # (on a connection of its own: written from a request's executor thread and renewed
        # by the sender).
        self._interest_lock = threading.Lock()
        self._interest_conn: Any = None
        self._wanted: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
        self._stored: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
        self._renewed = 0.0
        self._interest_missing = False
        #: metric events sent to, and left unsent for want of a subscriber at, the other replicas
        self.sent = self.unsent = 0
        self._sender = threading.Thread(target=self._send_loop, name="mlhub-fanout-send", daemon=True)
        self._receiver = threading.Thread(target=self._listen_loop, name="mlhub-fanout-listen", daemon=True)
        self._sender.start()
        self._receiver.start()
        registry.listeners.append(self.publish)
        self._listening.wait(10)

    def close(self) -> None:
        """Stop both threads (the next notification or a second at most)."""
        self._stop.set()
        self._out.put(None)
        try:
            self.registry.listeners.remove(self.publish)
        except ValueError:
            pass
        self._sender.join(timeout=5)
        self._receiver.join(timeout=5)
        with self._interest_lock:   # this replica's subscribers are gone with it
            try:
                if self._stored != (frozenset(), frozenset()):
                    self._interest_execute("DELETE FROM stream_interest WHERE origin = %s", (self.origin,))
            except Exception as e:
                log.warning("stream interest of this replica not removed (it expires): %s", e)
            if self._interest_conn is not None:
                self._interest_conn.close()
                self._interest_conn = None

    # interest: what this replica's subscribers follow
    def covers(self, runs: set[str], projects: set[str]) -> bool:
        """Whether the stored interest already holds ``runs`` and ``projects`` (then
        :meth:`want` writes nothing now, and can be called on an event loop)."""
        stored_runs, stored_projects = self._stored
        return runs <= stored_runs and projects <= stored_projects

    def want(self, runs: set[str], projects: set[str]) -> None:
        """Set what this replica's subscribers follow (the union over its connections).

        Where that adds to what is stored, it is stored now, before this returns (a
        subscription is confirmed only after: see the module docstring), on a connection of
        its own; where it only takes away, the sender stores it with the next renewal (a
        stale interest costs notifications nobody reads, nothing more). Raises what
        PostgreSQL raises."""
        wanted = (frozenset(runs), frozenset(projects))
        if self.covers(runs, projects):   # nothing to wait for: called on the event loop too
            self._wanted = wanted
            return
        with self._interest_lock:
            self._wanted = wanted
            if not self.covers(runs, projects):
                self._store_interest()

    def _store_interest(self) -> None:
        """Write ``_wanted`` (under ``_interest_lock``): the row upserted with a new expiry,
        or deleted when nothing is followed."""
        runs, projects = self._wanted
        if runs or projects:
            self._interest_execute(
                "INSERT INTO stream_interest (origin, runs, projects, expires_at) "
                "VALUES (%s, %s::json, %s::json, (now() AT TIME ZONE 'utc') + make_interval(secs => %s)) "
                "ON CONFLICT (origin) DO UPDATE SET runs = excluded.runs, projects = excluded.projects, "
                "expires_at = excluded.expires_at",
                (self.origin, _dumps(sorted(runs)), _dumps(sorted(projects)), INTEREST_TTL_S))
        else:
            self._interest_execute("DELETE FROM stream_interest WHERE origin = %s", (self.origin,))
        self._stored = (runs, projects)
        self._renewed = time.monotonic()

    def _interest_execute(self, sql: str, params: tuple[Any, ...]) -> None:
        import psycopg

        for attempt in (1, 2):   # a connection the database dropped is opened again, once
            try:
                if self._interest_conn is None or self._interest_conn.closed:
                    self._interest_conn = psycopg.connect(self.conninfo, autocommit=True)
                self._interest_conn.execute(sql, params)
                return
            except psycopg.OperationalError:
                self._interest_conn = None
                if attempt == 2:
                    raise

    def _renew_interest(self) -> None:
        """Store the interest again when it is due (its expiry pushed on, or what was taken
        away written); on the sender thread."""
        if self._wanted == self._stored == (frozenset(), frozenset()):
            return
        if self._wanted == self._stored and time.monotonic() - self._renewed < INTEREST_RENEW_S:
            return
        with self._interest_lock:
            try:
                self._store_interest()
            except Exception as e:
                log.warning("stream interest not renewed (tried again shortly): %s", e)
                self._renewed = time.monotonic() - INTEREST_RENEW_S + 1.0

    def _remote_interest(self, conn: Any) -> tuple[set[str], set[str]] | None:
        """The runs and projects the other replicas' subscribers follow, read now (after the
        events to send were committed); None where the table is missing (a database not yet
        at revision 0014: everything is sent, as before)."""
        import psycopg

        if self._interest_missing:
            return None
        try:
            rows = conn.execute("SELECT runs, projects FROM stream_interest WHERE origin <> %s "
                                "AND expires_at > (now() AT TIME ZONE 'utc')", (self.origin,)).fetchall()
        except psycopg.errors.UndefinedTable:
            log.warning("no stream_interest table (run `mlhub db upgrade`): every metric point is sent to "
                        "the other replicas")
            self._interest_missing = True
            return None
        runs: set[str] = set()
        projects: set[str] = set()
        for r, p in rows:
            runs.update(r)
            projects.update(p)
        return runs, projects

    # out
    def publish(self, event: str, payload: dict[str, Any]) -> None:
        """Queue a local event for the other replicas (called by the registry, any thread;
        encoding happens on the sending thread, off the request's path)."""
        self._out.put((event, payload))

    def encode(self, event: str, payload: dict[str, Any]) -> Iterator[str]:
        """The notification payloads of one event, each at most :data:`MAX_PAYLOAD` bytes."""
        if event == "metrics":
            yield from self._encode_metrics(payload)
            return
        whole = _dumps({"o": self.origin, "e": event, "p": payload})
        if len(whole.encode()) <= MAX_PAYLOAD:
            yield whole
        elif event == "job":
            yield _dumps({"o": self.origin, "e": "job", "id": payload["job"]["id"]})
        elif event == "run":
            yield _dumps({"o": self.origin, "e": "run", "id": payload["run"]["id"]})
        else:
            log.warning("stream event %r of %d bytes not sent to other replicas", event, len(whole))

    def _encode_metrics(self, payload: dict[str, Any]) -> Iterator[str]:
        """Points (plain numbers and the strings of non-finite values, so orjson, ~10x faster
        than json here, writes what json would): whole if it fits, else each key's points in
        parts sized from the bytes per point of its first points (each part encoded once; one
        still too large is halved)."""
        points = sum(len(col["steps"]) for col in payload["metrics"].values())
        if points * _MIN_POINT_BYTES < MAX_PAYLOAD:   # may fit whole: try
            whole = orjson.dumps({"o": self.origin, "e": "metrics", "p": payload})
            if len(whole) <= MAX_PAYLOAD:
                yield whole.decode()
                return
        head = {"run": payload["run"], "project": payload["project"]}
        for key, col in payload["metrics"].items():
            n = len(col["steps"])
            sample = min(n, 32)
            empty = len(orjson.dumps({"o": self.origin, "e": "metrics", "p": {**head, "metrics": {key: {
                k: [] for k in col}}}}))
            sampled = len(orjson.dumps({k: v[:sample] for k, v in col.items()})) - len(orjson.dumps(
                {k: [] for k in col}))
            per_point = max(1.0, sampled / max(1, sample))
            start, size = 0, max(1, int((MAX_PAYLOAD - empty) / per_point * 0.9))
            while start < n:
                part = {k: v[start:start + size] for k, v in col.items()}
                text = orjson.dumps({"o": self.origin, "e": "metrics", "p": {**head, "metrics": {key: part}}})
                if len(text) > MAX_PAYLOAD and size > 1:
                    size = max(1, size // 2)
                    continue
                yield text.decode()
                start += size

    def _encode_for_others(self, conn: Any, events: list[tuple[str, dict[str, Any]]]) -> list[str]:
        """The notifications of ``events``, metric points left out where no other replica's
        subscriber follows their run or project (read now, on ``conn``)."""
        if any(event == "metrics" for event, _ in events):
            remote = self._remote_interest(conn)
            if remote is not None:
                runs, projects = remote
                kept = [(e, p) for e, p in events if e != "metrics" or p["run"] in runs or p["project"] in projects]
                self.unsent += len(events) - len(kept)
                events = kept
        self.sent += sum(event == "metrics" for event, _ in events)
        batch: list[str] = []
        for event, payload in events:
            try:
                batch.extend(self.encode(event, payload))
            except Exception:
                log.exception("stream event %r could not be encoded for the other replicas", event)
        return batch

    def _send_loop(self) -> None:
        import psycopg

        conn = None
        while not self._stop.is_set():
            self._renew_interest()
            try:
                item = self._out.get(timeout=INTEREST_RENEW_S / 3)
            except queue.Empty:
                continue
            if item is None:
                break
            # What arrives meanwhile is sent with it: one read of the other replicas' interest
            # (which must follow the events' commit, so is never cached) for every post
            # logged in that time, not one each.
            time.sleep(SEND_GATHER_S)
            events = [item]
            while len(events) < 200:  # what queued meanwhile goes in the same transaction
                try:
                    more = self._out.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._stop.set()
                    break
                events.append(more)
            batch: list[str] | None = None
            for attempt in range(3):
                try:
                    if conn is None or conn.closed:   # each statement its own transaction
                        conn = psycopg.connect(self.conninfo, autocommit=True)
                    if batch is None:
                        batch = self._encode_for_others(conn, events)
                    if not batch:
                        break
                    # One statement for the whole batch (a round trip per notification was the
                    # sender's cost under load); unnest yields them in order.
                    # The array in binary: in text psycopg quotes each JSON payload with a regex.
                    conn.execute("SELECT pg_notify(%s, m) FROM unnest(%b::text[]) AS m", (CHANNEL, batch))
                    break
                except Exception as e:  # the database away for a moment: reconnect
                    log.warning("stream notification not sent (try %d): %s", attempt + 1, e)
                    conn = None
                    time.sleep(0.5)
        if conn is not None:
            conn.close()

    # in
    def _listen_loop(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    while not self._stop.is_set():
                        for n in conn.notifies(timeout=1.0):
                            self.receive(n.payload)
            except Exception as e:
                if self._stop.is_set():
                    break
                log.warning("stream LISTEN connection lost, reconnecting: %s", e)
                self._stop.wait(1.0)

    def receive(self, text: str) -> None:
        """Hand one notification from another replica to ``listeners`` (own ones are skipped)."""
        if text.startswith(self._own):   # this replica's own, skipped before it is parsed
            return
        try:
            msg = _loads(text)
            if msg.get("o") == self.origin:
                return
            event, payload = msg["e"], msg.get("p")
            if event == "tokens":   # revoked through another replica: refused here at once too
                cache = getattr(self.registry, "token_cache", None)
                if cache is not None:
                    cache.clear()
                return
            if payload is None:
                payload = self._read(event, msg["id"])
                if payload is None:
                    return
        except Exception:
            log.exception("a stream notification could not be read")
            return
        for listener in list(self.listeners):
            try:
                listener(event, payload)
            except Exception:
                log.exception("a stream listener failed")

    def _read(self, event: str, record_id: str) -> dict[str, Any] | None:
        if event == "job":
            job = self.job_store.get_job(record_id)
            return None if job is None else {"job": job.to_json(),
                                             "run": {"id": job.run_id or "", "project": job.project or ""}}
        run = self.registry.store.get_run(record_id)
        return None if run is None else {"run": run.to_json()}


def announce_token_revocation(db_url: str) -> None:
    """Tell every replica on this PostgreSQL database to forget the token records it keeps
    (a token was revoked without one, by ``mlhub token revoke``); nothing on SQLite."""
    if not db_url.startswith("postgresql"):
        return
    import psycopg

    with psycopg.connect(_conninfo(db_url), autocommit=True) as conn:
        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, _dumps({"o": "cli", "e": "tokens", "p": {}})))


def stream_fanout(db_url: str, registry: Any, job_store: Any) -> LocalFanout:
    """:class:`PgFanout` on PostgreSQL, else :class:`LocalFanout`."""
    if db_url.startswith("postgresql"):
        return PgFanout(db_url, registry, job_store)
    return LocalFanout()


def _conninfo(db_url: str) -> str:
    """libpq's connection string of the registry's SQLAlchemy URL (``postgresql+psycopg://...``)."""
    from sqlalchemy.engine import make_url

    return make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), default=str)


def _loads(text: str) -> Any:
    """orjson where it reads the text (every metrics notification), else json (whose NaN a
    run or job event written by :func:`_dumps` may hold)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
