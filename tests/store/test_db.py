"""The registry's database engines (store/db.py): on PostgreSQL a pooled connection is checked
before use only after it sat idle, and a dead one is replaced without the caller noticing."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from mlhub_ext.store import db


def _backend_pid(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as c:
        return int(c.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_back_in_use_soon_is_not_pinged_and_a_dead_idle_one_is_replaced(pg_url, monkeypatch):
    engine, _ = db.make_engines(pg_url, pool_size=1, max_overflow=0)
    pings: list[int] = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: pings.append(1) or real_ping(conn))
    try:
        first = _backend_pid(engine)
        assert _backend_pid(engine) == first and pings == []   # reused at once: no check, same connection
        # the server drops the pooled connection (a restart, an idle timeout)
        admin, _ = db.make_engines(pg_url, pool_size=1, max_overflow=0)
        with admin.connect() as a:
            a.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
            a.commit()
        admin.dispose()
        monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)   # it has been idle "long enough"
        second = _backend_pid(engine)                        # no error: checked, dropped, replaced
        assert second != first and pings == [1]
    finally:
        engine.dispose()


def test_a_dead_connection_used_without_the_idle_check_fails_once_then_the_pool_recovers(pg_url):
    """Within the idle window nothing is checked: a connection killed in that window fails the
    one request that gets it (SQLAlchemy marks it invalid), and the next gets a fresh one."""
    from sqlalchemy.exc import OperationalError

    engine, _ = db.make_engines(pg_url, pool_size=1, max_overflow=0)
    try:
        first = _backend_pid(engine)
        admin, _ = db.make_engines(pg_url, pool_size=1, max_overflow=0)
        with admin.connect() as a:
            a.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
            a.commit()
        admin.dispose()
        with pytest.raises(OperationalError):
            _backend_pid(engine)
        assert _backend_pid(engine) != first
    finally:
        engine.dispose()
