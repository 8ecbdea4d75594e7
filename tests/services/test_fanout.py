"""Stream fan-out over PostgreSQL LISTEN/NOTIFY (services/fanout.py), without the HTTP layer:
two fan-outs on one database stand for two replicas."""
from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

from mlhub_ext.services.fanout import PgFanout


def _replica(url: str) -> tuple[PgFanout, Any, list[tuple[str, dict[str, Any]]]]:
    registry = SimpleNamespace(listeners=[], store=None)
    fanout = PgFanout(url, registry, job_store=None)
    got: list[tuple[str, dict[str, Any]]] = []
    fanout.listeners.append(lambda event, payload: got.append((event, payload)))
    return fanout, registry, got


def test_a_large_batch_reaches_the_other_replica_whole_and_in_order(pg_url: str) -> None:
    """A batch too big for one notification is split; the parts are sent in one statement
    and arrive in order at the other replica, and never back at the one that sent them."""
    a, reg_a, got_a = _replica(_at_head(pg_url))
    b, _, got_b = _replica(pg_url)
    try:
        b.want({"r1"}, set())   # a subscriber of B follows the run
        n = 5000
        steps = list(range(n))
        payload = {"run": "r1", "project": "p", "metrics": {
            "loss": {"steps": steps, "values": [s / 7 for s in steps], "timestamps": [1.5] * n}}}
        assert len(list(a.encode("metrics", payload))) > 10   # many notifications
        for listener in reg_a.listeners:   # what the registry does after a write
            listener("metrics", payload)
        deadline = time.monotonic() + 20
        while sum(len(p["metrics"]["loss"]["steps"]) for _, p in got_b) < n:
            assert time.monotonic() < deadline, f"{len(got_b)} notifications arrived"
            time.sleep(0.05)
        received = [s for _, p in got_b for s in p["metrics"]["loss"]["steps"]]
        assert received == steps
        values = [v for _, p in got_b for v in p["metrics"]["loss"]["values"]]
        assert values == [s / 7 for s in steps]
        assert {(e, p["run"], p["project"]) for e, p in got_b} == {("metrics", "r1", "p")}
        time.sleep(0.5)
        assert got_a == []   # its own notifications are skipped
    finally:
        a.close()
        b.close()


def test_metrics_notifications_are_parts_of_at_most_the_payload_limit_and_read_back(pg_url: str) -> None:
    """orjson encoding: a non-finite value travels as its string, each part fits PostgreSQL's
    limit, the parts hold every point once and in order; a run event with a NaN (json's) reads."""
    from mlhub_ext.services.fanout import MAX_PAYLOAD, _dumps, _loads

    a, _, _ = _replica(pg_url)
    try:
        n = 3000
        col = {"steps": list(range(n)), "values": [s / 3 for s in range(n - 1)] + ["NaN"],
               "timestamps": [1700000000.123456] * n}
        parts = list(a.encode("metrics", {"run": "r", "project": "p", "metrics": {"x": col, "y": {
            "steps": [1], "values": [2.0], "timestamps": [3.0]}}}))
        assert all(len(p.encode()) <= MAX_PAYLOAD for p in parts) and len(parts) > 3
        got = [_loads(p)["p"]["metrics"] for p in parts]
        assert [s for m in got for s in m.get("x", {}).get("steps", [])] == col["steps"]
        assert [v for m in got for v in m.get("x", {}).get("values", [])] == col["values"]
        assert [m["y"] for m in got if "y" in m] == [{"steps": [1], "values": [2.0], "timestamps": [3.0]}]
        assert _loads(_dumps({"p": {"run": {"x": float("nan")}}}))["p"]["run"]["x"] != 0
    finally:
        a.close()


def _wait(cond: Any, what: str, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not cond():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def _points(run: str, project: str = "p") -> dict[str, Any]:
    return {"run": run, "project": project, "metrics": {"loss": {"steps": [1], "values": [0.5], "timestamps": [1.0]}}}


def _at_head(url: str) -> str:
    from mlhub_ext.store.schema import upgrade

    upgrade(url)   # the stream_interest table (revision 0014)
    return url


def test_points_go_only_to_a_replica_whose_subscribers_follow_their_run_or_project(pg_url: str, monkeypatch) -> None:
    """No subscriber elsewhere: a metrics event is not sent (counted unsent). Once replica B
    wants a run (stored before want() returns) or a project, A's points for it reach B and
    others do not; run events always do. What B stops following is stored with its next
    renewal, and A stops sending; B's row goes when it closes."""
    from mlhub_ext.services import fanout as fanout_module

    monkeypatch.setattr(fanout_module, "INTEREST_RENEW_S", 0.3)
    _at_head(pg_url)
    a, reg_a, got_a = _replica(pg_url)
    b, _, got_b = _replica(pg_url)

    def publish(event: str, payload: dict[str, Any]) -> None:
        for listener in reg_a.listeners:
            listener(event, payload)

    def interest_rows() -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(a.conninfo) as c:
            return c.execute("SELECT origin, runs, projects FROM stream_interest WHERE origin IN (%s, %s)",
                             (a.origin, b.origin)).fetchall()

    try:
        publish("metrics", _points("r1"))
        _wait(lambda: a.unsent == 1, "the unfollowed event was not counted unsent")
        assert a.sent == 0 and interest_rows() == []

        assert not b.covers({"r1"}, set())
        b.want({"r1"}, set())
        assert b.covers({"r1"}, set()) and interest_rows() == [(b.origin, ["r1"], [])]
        publish("metrics", _points("r2"))
        publish("metrics", _points("r1"))
        publish("run", {"run": {"id": "r9", "project": "q"}})
        _wait(lambda: len(got_b) == 2, f"B got {got_b}")
        assert [(e, p.get("run")) for e, p in got_b] == [("metrics", "r1"), ("run", {"id": "r9", "project": "q"})]
        assert (a.sent, a.unsent) == (1, 2)

        b.want({"r1"}, {"p2"})
        publish("metrics", _points("r3", project="p2"))
        _wait(lambda: len(got_b) == 3, f"B got {got_b}")
        assert got_b[-1][1]["run"] == "r3"

        b.want(set(), set())   # only takes away: stored by B's sender with its renewal
        _wait(lambda: interest_rows() == [], "B's interest was not removed")
        publish("metrics", _points("r1"))
        _wait(lambda: a.unsent == 3, "A still sent the point")
        time.sleep(0.3)
        assert len(got_b) == 3 and got_a == []

        b.want({"r1"}, set())
        assert interest_rows() == [(b.origin, ["r1"], [])]
        b.close()
        assert interest_rows() == []
    finally:
        a.close()
        b.close()


def test_a_replica_keeps_its_interest_alive_and_a_dead_one_stops_counting(pg_url: str, monkeypatch) -> None:
    """A live replica renews its row before it expires, so points keep reaching it; the row of
    a replica that died (never renewed) stops counting at its expiry."""
    import psycopg

    from mlhub_ext.services import fanout as fanout_module

    monkeypatch.setattr(fanout_module, "INTEREST_TTL_S", 1.0)
    monkeypatch.setattr(fanout_module, "INTEREST_RENEW_S", 0.3)
    _at_head(pg_url)
    a, reg_a, _ = _replica(pg_url)
    b, _, got_b = _replica(pg_url)
    try:
        b.want({"live"}, set())
        with psycopg.connect(a.conninfo, autocommit=True) as c:   # a replica that died a moment ago
            c.execute("INSERT INTO stream_interest (origin, runs, projects, expires_at) VALUES "
                      "('dead0replica', '[\"gone\"]', '[]', (now() AT TIME ZONE 'utc') + interval '1 second')")
        for listener in reg_a.listeners:
            listener("metrics", _points("gone"))
        _wait(lambda: a.sent == 1, "a point for the dead replica's run was not sent while its row held")
        time.sleep(2.0)   # past both rows' first expiry: only B renewed its own
        for listener in reg_a.listeners:
            listener("metrics", _points("gone"))
            listener("metrics", _points("live"))
        _wait(lambda: a.sent + a.unsent == 3, "the events were not handled")
        assert (a.sent, a.unsent) == (2, 1)
        # every notification reaches every replica (its hub picks its connections' events)
        _wait(lambda: [p["run"] for _, p in got_b] == ["gone", "live"], f"B got {got_b}")
    finally:
        a.close()
        b.close()
        with psycopg.connect(a.conninfo, autocommit=True) as c:
            c.execute("DELETE FROM stream_interest WHERE origin = 'dead0replica'")
