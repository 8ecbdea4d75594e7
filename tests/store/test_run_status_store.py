"""Stopping a run below HTTP, on SQLite and PostgreSQL: who may, what is recorded, who hears."""
from __future__ import annotations

import pytest

from mlhub_ext.core.errors import ErrorCode, MLHubError


def test_stop_needs_edit_and_a_running_run(registry) -> None:  # type: ignore[no-untyped-def]
    run = registry.create_run("alice", "p")
    registry.set_member("alice", "p", "bob", "read")
    registry.set_member("alice", "p", "carol", "edit")
    events = []
    registry.listeners.append(lambda kind, payload: events.append((kind, payload)))
    with pytest.raises(MLHubError) as e:
        registry.stop_run("bob", run.id)
    assert e.value.code == ErrorCode.FORBIDDEN
    with pytest.raises(MLHubError) as e:
        registry.stop_run("mallory", run.id)
    assert e.value.code == ErrorCode.NOT_FOUND, "a private project's run is not even seen"
    assert registry.get_run("alice", run.id).stop_requested is False and events == []
    stopped = registry.stop_run("carol", run.id)
    assert stopped.stop_requested and stopped.status.value == "running"
    assert events == [("run", {"run": stopped.to_json()})], "the lab hears of it on the stream"
    res = registry.append_metrics("alice", run.id, 1, {"m": {"steps": [0], "values": [1.0]}})
    assert res["stop_requested"] is True
    ended = registry.update_run("alice", run.id, {"status": "killed", "status_reason": "stopped from the lab"})
    assert (ended.status_reason, ended.stop_requested) == ("stopped from the lab", True)
    with pytest.raises(MLHubError) as e:
        registry.stop_run("alice", run.id)
    assert e.value.code == ErrorCode.CONFLICT and "only a running run" in e.value.message
    resumed = registry.update_run("alice", run.id, {"status": "running"})
    assert (resumed.status_reason, resumed.stop_requested) == ("", False)
