"""Run and its background delivery, against the scripted HTTP fake (no server)."""
import math
import time

import numpy as np
import pytest

from mlhub_ext.client.run import Run
from mlhub_ext.client.wal import pending_batches
from mlhub_ext.core.errors import ErrorCode, MLHubError

from .fakes import FakeHTTP


@pytest.fixture
def wal_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MLHUB_WAL_DIR", str(tmp_path))
    return tmp_path


def _run(http, rid="a" * 32, interval=0.02):
    return Run({"id": rid, "project": "p", "name": "n"}, http, interval=interval)


def test_log_steps_values_and_finish(wal_dir):
    http = FakeHTTP()
    run = _run(http)
    run.log({"loss": 1.0, "acc": np.float32(0.5)})
    run.log({"loss": math.nan}, step=10)
    run.log({"loss": 3})
    run.summary["best"] = np.float64(0.25)
    assert run.finish() is True
    assert [s for s, _ in http.points["loss"]] == [0, 10, 11]
    assert math.isnan(http.points["loss"][1][1]) and http.points["acc"] == [(0, 0.5)]
    assert http.patches[-1]["status"] == "finished" and http.patches[-1]["summary"] == {"best": 0.25}
    assert not run.wal_path.exists(), "a fully acknowledged WAL is removed"
    with pytest.raises(MLHubError) as err:
        run.log({"loss": 1.0})
    assert err.value.code == ErrorCode.CONFLICT


def test_bad_value_raises_naming_key_and_logs_nothing(wal_dir):
    http = FakeHTTP()
    run = _run(http)
    with pytest.raises(TypeError, match="'acc'"):
        run.log({"loss": 1.0, "acc": "high"})
    with pytest.raises(TypeError):
        run.log([1.0])
    with pytest.raises(ValueError):
        run.log({"loss": 1.0}, step=-1)
    run.finish()
    assert http.points == {}


def test_mutating_the_logged_dict_afterwards_changes_nothing(wal_dir):
    http = FakeHTTP()
    run = _run(http)
    d = {"x": 1.0}
    run.log(d)
    d["x"] = 2.0
    run.finish()
    assert http.points["x"] == [(0, 1.0)]


def test_server_down_then_back_delivers_everything_once(wal_dir):
    http = FakeHTTP()
    run = _run(http)
    for i in range(100):
        run.log({"x": float(i)})
    assert run.flush(timeout=10)
    http.fail_with = MLHubError(ErrorCode.UNAVAILABLE, "down")
    for i in range(100, 300):
        run.log({"x": float(i)})
    time.sleep(0.2)
    assert pending_batches(run.wal_path).batches, "unsent batches are in the WAL"
    http.fail_with = None
    assert run.finish(timeout=10)
    assert [s for s, _ in http.points["x"]] == list(range(300))
    assert http.seqs == sorted(set(http.seqs))


def test_finish_while_down_keeps_the_wal(wal_dir):
    http = FakeHTTP()
    http.fail_with = MLHubError(ErrorCode.UNAVAILABLE, "down")
    run = _run(http)
    run.log({"x": 1.0})
    assert run.finish(timeout=0.5) is False
    pending = pending_batches(run.wal_path)
    assert len(pending.batches) == 1 and pending.finished


def test_rejected_batch_is_not_retried(wal_dir):
    http = FakeHTTP()
    run = _run(http)
    http.fail_with = MLHubError(ErrorCode.INVALID, "no")
    run.log({"x": 1.0})
    time.sleep(0.3)
    http.fail_with = None
    run.log({"x": 2.0})
    run.finish(timeout=5)
    assert http.points["x"] == [(1, 2.0)]
    assert run._flusher.rejected_points == 1


def test_json_list_fallback_for_servers_without_compact_batches(wal_dir):
    http = FakeHTTP(binary=False)
    run = _run(http)
    run.log({"x": math.inf})
    assert run.finish(timeout=5)
    assert http.points["x"] == [(0, math.inf)]


def test_context_manager_records_failure_with_traceback(wal_dir):
    http = FakeHTTP()
    with pytest.raises(ZeroDivisionError):
        with _run(http) as run:
            run.log({"x": 1.0})
            1 / 0
    assert http.patches[-1]["status"] == "failed"
    assert "ZeroDivisionError" in http.patches[-1]["notes"]


def test_a_failing_disk_does_not_lose_points(wal_dir, monkeypatch):
    http = FakeHTTP()
    run = _run(http)

    def broken(kind, payload):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(run._flusher._wal, "append", broken)
    run.log({"x": 1.0})
    assert run.finish(timeout=5)
    assert http.points["x"] == [(0, 1.0)]
    assert "No space left" in run._flusher.wal_error


def test_mappings_other_than_dict_and_steps_after_errors(wal_dir):
    from types import MappingProxyType

    http = FakeHTTP()
    run = _run(http)
    run.log(MappingProxyType({"x": 1.0}))
    with pytest.raises(TypeError):
        run.log({"x": None})
    run.log({"x": 2.0})
    run.log({})
    run.log({"x": 3.0})
    assert run.finish()
    assert http.points["x"] == [(0, 1.0), (1, 2.0), (3, 3.0)], "a failed call does not advance the step"
    assert run._flusher.rejected_points == 0
