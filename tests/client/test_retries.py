"""Retries with backoff (tenacity) in the SDK: chunk uploads and the stream's reconnects.
The metric flusher's retries are covered by test_run.py (server down, then back)."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from mlhub_ext.client import uploads
from mlhub_ext.client.config import Connection
from mlhub_ext.client.stream import Subscription
from mlhub_ext.core.errors import ErrorCode, MLHubError


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses tenacity takes (through time.sleep), without waiting them."""
    taken: list[float] = []
    monkeypatch.setattr(time, "sleep", taken.append)
    return taken


def failing(times: int, code: ErrorCode) -> tuple[list[int], object]:
    calls: list[int] = []

    def fn() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise MLHubError(code, f"try {len(calls)}")
        return "done"

    return calls, fn


def test_transient_failures_are_retried_with_growing_pauses(pauses: list[float]) -> None:
    calls, fn = failing(4, ErrorCode.UNAVAILABLE)
    assert uploads._retrying(fn) == "done" and len(calls) == 5
    assert pauses == pytest.approx([0.2, 0.4, 0.8, 1.6])


def test_the_last_transient_error_is_raised_after_the_last_try(pauses: list[float]) -> None:
    calls, fn = failing(99, ErrorCode.RATE_LIMITED)
    with pytest.raises(MLHubError, match="try 5"):
        uploads._retrying(fn)
    assert len(calls) == uploads.RETRIES == 5 and len(pauses) == 4


def test_a_refusal_is_not_retried(pauses: list[float]) -> None:
    calls, fn = failing(1, ErrorCode.INVALID)
    with pytest.raises(MLHubError, match="try 1"):
        uploads._retrying(fn)
    assert len(calls) == 1 and pauses == []


def test_stream_retries_a_closed_port_and_closes_at_once() -> None:
    with socket.socket() as s:     # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sub = Subscription(Connection(url=f"http://127.0.0.1:{port}/", token="t"), lambda msg: None, runs=["r"])
    deadline = time.monotonic() + 10
    while sub.last_error is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sub.last_error and "cannot open the stream" in sub.last_error
    started = time.monotonic()
    sub.close()
    assert not sub._thread.is_alive() and time.monotonic() - started < 1.0
    assert not any(t.name == "mlhub-stream" and t is sub._thread for t in threading.enumerate())
