"""Engines for the registry database: SQLite tuned for many writers, or PostgreSQL."""
from __future__ import annotations

import time
from typing import Any

import orjson

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url

SQLITE_BUSY_TIMEOUT_S = 60


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def safe_url(url: str) -> str:
    """The URL with its password hidden, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def _json_dumps(obj: Any) -> str:
    return orjson.dumps(obj).decode()


def _json_loads(value: Any) -> Any:
    # SQLite gives JSON columns NUMERIC affinity: a scalar like '3' comes back as int 3.
    return orjson.loads(value) if isinstance(value, (str, bytes)) else value


JSON_CODEC = {"json_serializer": _json_dumps, "json_deserializer": _json_loads}
#: Connections a server-database engine keeps open, and how many more it opens under a burst
#: (closed when returned).
POOL_SIZE, POOL_OVERFLOW = 20, 20
#: Seconds a pooled connection may have been idle and still be handed out without a check.
PING_AFTER_IDLE_S = 5.0


def make_engines(url: str, **kw: Any) -> tuple[Engine, Engine]:
    """Return ``(write_engine, read_engine)``.

    On SQLite a transaction that reads and then writes must take the write lock at
    BEGIN (``BEGIN IMMEDIATE``); a deferred one that later tries to upgrade fails at
    once with "database is locked" whatever the busy timeout. So writes go through an
    engine that begins IMMEDIATE and reads through one that begins deferred. WAL mode
    lets readers run while one writer writes.
    """
    if not is_sqlite(url):
        # SQLAlchemy's default pool keeps 5 connections and closes any beyond them on return:
        # with the worker threads, the group writers and the access checks all at a database
        # at once, a replica under load opened and closed a PostgreSQL connection (a server
        # process) for most requests. Keep as many as are used at once.
        kw = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW, **kw}
        engine = create_engine(url, **JSON_CODEC, **kw)
        _ping_when_idle(engine)
        return engine, engine
    return _sqlite_engine(url, immediate=True, **kw), _sqlite_engine(url, immediate=False, **kw)


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before it is used only if it sat idle for more than
    :data:`PING_AFTER_IDLE_S` (a database restarted or a connection dropped meanwhile):
    SQLAlchemy's ``pool_pre_ping`` checks every checkout, a round trip on each request, which
    for a metric post was one of its three. A connection back in use within seconds is as
    good as when it was returned. A failed check raises ``DisconnectionError``: the pool
    drops that connection and hands out another (SQLAlchemy's "custom pessimistic ping")."""

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection: Any, record: Any) -> None:
        record.info["mlhub_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.pop("mlhub_idle_since", None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as e:
            raise exc.DisconnectionError(f"pooled connection failed its check after {PING_AFTER_IDLE_S:g} s idle: {e}") from e


def _sqlite_engine(url: str, immediate: bool, **kw: Any) -> Engine:
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
        **JSON_CODEC,
        **kw,
    )
    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine
