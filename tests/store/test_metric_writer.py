"""Metric posts written by a child process (``metric_writer="process"``, PostgreSQL): the same
answers, errors and exactly-once as the thread's group commit; a dead writer is replaced."""
from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.store.metric_writer import ProcessMetricWriter
from tests.conftest import reset_postgres


@pytest.fixture
def registry(pg_url):  # type: ignore[no-untyped-def]
    from mlhub_ext.store import open_registry

    reset_postgres(pg_url)
    reg = open_registry(pg_url, auto_upgrade=True, metric_writer="process")
    assert isinstance(reg.store._metric_groups, ProcessMetricWriter)
    yield reg
    reg.store.close()


def _metrics(steps: list[int]) -> dict[str, dict[str, list[float]]]:
    return {"loss": {"steps": steps, "values": [float(s) / 10 for s in steps], "timestamps": [time.time()] * len(steps)}}


def test_posts_are_stored_once_and_their_stream_event_names_the_project(registry):
    events = []
    registry.listeners.append(lambda name, payload: events.append((name, payload)))
    run = registry.create_run("alice", "proj").id
    first = registry.append_metrics("alice", run, 1, _metrics([0, 1, 2]))
    again = registry.append_metrics("alice", run, 1, _metrics([0, 1, 2]))   # a retry of seq 1
    assert first == {"accepted": 3, "duplicate": False, "last_seq": 1, "stop_requested": False}
    assert again == {"accepted": 0, "duplicate": True, "last_seq": 1, "stop_requested": False}
    assert list(registry.store.get_series(run, "loss").steps) == [0, 1, 2]
    metric_events = [p for name, p in events if name == "metrics"]
    assert len(metric_events) == 1 and metric_events[0]["project"] == "proj"   # found by the writer's check


def test_refusals_cross_back_as_the_same_errors(registry):
    run = registry.create_run("alice", "private-p").id
    registry.set_member("alice", "private-p", "vera", "read")
    with pytest.raises(MLHubError) as viewer:
        registry.append_metrics("vera", run, 1, _metrics([0]))
    with pytest.raises(MLHubError) as stranger:
        registry.append_metrics("mallory", run, 1, _metrics([0]))
    with pytest.raises(MLHubError) as gone:
        registry.append_metrics("alice", "no-such-run", 1, _metrics([0]))
    assert viewer.value.code == ErrorCode.FORBIDDEN and "vera" in viewer.value.message
    assert stranger.value.code == ErrorCode.NOT_FOUND and gone.value.code == ErrorCode.NOT_FOUND
    assert registry.store.get_series(run, "loss") is None   # nothing of theirs stored


def test_concurrent_posts_from_an_event_loop_are_grouped_and_all_stored(registry):
    runs = [registry.create_run(f"u{i}", f"p{i}").id for i in range(40)]

    async def post_all() -> list[dict]:
        return await asyncio.gather(*(registry.append_metrics_async(f"u{i}", run, seq, _metrics([seq * 10, seq * 10 + 1]))
                                      for seq in range(1, 6) for i, run in enumerate(runs)))

    answers = asyncio.run(post_all())
    assert all(a["accepted"] == 2 and not a["duplicate"] for a in answers)
    for run in runs:
        assert list(registry.store.get_series(run, "loss").steps) == [s for q in range(1, 6) for s in (q * 10, q * 10 + 1)]
        assert registry.store.get_run(run).last_seq == 5


def test_a_killed_writer_is_replaced_and_nothing_is_applied_twice(registry):
    run = registry.create_run("alice", "proj").id
    assert registry.append_metrics("alice", run, 1, _metrics([0]))["accepted"] == 1
    writer = registry.store._metric_groups
    os.kill(writer._proc.pid, signal.SIGKILL)
    writer._proc.join(10)
    deadline = time.monotonic() + 30
    while True:   # the SDK's retry: the same seq until acknowledged
        try:
            answer = registry.append_metrics("alice", run, 2, _metrics([1]))
            break
        except MLHubError as e:
            assert e.code == ErrorCode.UNAVAILABLE and time.monotonic() < deadline
            time.sleep(0.2)
    assert answer["accepted"] == 1 and writer._proc.is_alive()
    assert registry.append_metrics("alice", run, 2, _metrics([1]))["duplicate"] is True
    assert list(registry.store.get_series(run, "loss").steps) == [0, 1]
