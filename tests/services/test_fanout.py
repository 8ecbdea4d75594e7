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
    a, reg_a, got_a = _replica(pg_url)
    b, _, got_b = _replica(pg_url)
    try:
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
