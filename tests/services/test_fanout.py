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
