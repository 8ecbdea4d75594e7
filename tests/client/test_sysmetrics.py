"""System metrics of SDK runs against a real `mlhub serve`: names, steps, the off switches,
the interval, and the GPU branch where an NVIDIA GPU is visible."""
from __future__ import annotations

import threading
import time
from typing import Any

import pytest

import mlhub_ext as mh
from mlhub_ext.client import sysmetrics
from mlhub_ext.core.errors import MLHubError

# MLflow's names (mlflow/system_metrics/metrics/cpu_monitor.py, disk_monitor.py,
# network_monitor.py), so an MLflow reader finds the same series.
MLFLOW_NAMES = {
    "system/cpu_utilization_percentage", "system/system_memory_usage_megabytes",
    "system/system_memory_usage_percentage", "system/disk_usage_percentage",
    "system/disk_usage_megabytes", "system/disk_available_megabytes",
    "system/network_receive_megabytes", "system/network_transmit_megabytes",
}
OWN_NAMES = {"system/process_memory_rss_megabytes", "system/process_cpu_utilization_percentage"}


def _metrics(server: Any, run_id: str) -> dict[str, dict[str, Any]]:
    resp = server.api("GET", f"runs/{run_id}/metrics")
    assert resp.status_code == 200, resp.text
    return {m["key"]: m for m in resp.json()["metrics"]}


def _series(server: Any, run_id: str, key: str) -> dict[str, Any]:
    from urllib.parse import quote

    resp = server.api("GET", f"runs/{run_id}/metrics/{quote(key, safe='')}")
    assert resp.status_code == 200, resp.text
    return resp.json()


def _monitor_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("mlhub-sysmetrics")]


def test_a_run_records_system_metrics_on_its_own_steps(tracking, monkeypatch) -> None:
    monkeypatch.delenv("MLHUB_SYSTEM_METRICS", raising=False)
    run = mh.init("sysmetrics", system_metrics_interval=0.2)
    assert any(t.is_alive() for t in _monitor_threads())
    import psutil

    baseline = psutil.Process().memory_info().rss / 1e6
    block = b"x" * 50_000_000   # 50 MB of touched pages the samples must see
    for i in range(20):
        run.log({"loss": 1.0 / (i + 1)})
        time.sleep(0.05)
    time.sleep(0.5)
    before = time.time()
    assert run.finish() is True
    del block
    assert not any(t.name.endswith(run.id[:8]) and t.is_alive() for t in _monitor_threads()), \
        "the sampler thread ends with the run"
    metrics = _metrics(tracking, run.id)
    assert MLFLOW_NAMES | OWN_NAMES <= set(metrics), sorted(metrics)
    cpu = _series(tracking, run.id, "system/cpu_utilization_percentage")
    n = len(cpu["steps"])
    assert n >= 4, "one sample per 0.2 s over ~1.5 s"
    assert cpu["steps"] == list(range(n)), "the sampler's own step counter"
    assert all(0 <= v <= 100 for v in cpu["values"])
    assert _series(tracking, run.id, "loss")["steps"] == list(range(20)), \
        "system samples do not move the user's step counter"
    assert metrics["system/process_memory_rss_megabytes"]["max"] > baseline + 40, "the 50 MB block was resident"
    assert 0 < metrics["system/system_memory_usage_percentage"]["last_value"] < 100
    assert metrics["system/disk_available_megabytes"]["last_value"] > 0
    # Each point carries the wall time of its sample, 0.2 s apart.
    times = cpu["timestamps"]
    assert before - 0.5 <= times[-1] <= before and times == sorted(times)
    assert all(0.15 < b - a < 1.5 for a, b in zip(times, times[1:])), times


def test_system_metrics_off_by_argument(tracking) -> None:
    run = mh.init("sysmetrics", system_metrics=False, system_metrics_interval=0.1)
    run.log({"x": 1.0})
    time.sleep(0.4)
    run.finish()
    assert set(_metrics(tracking, run.id)) == {"x"}


@pytest.mark.parametrize("value", ["0", "false", "off"])
def test_system_metrics_off_by_environment(tracking, monkeypatch, value: str) -> None:
    monkeypatch.setenv("MLHUB_SYSTEM_METRICS", value)
    monkeypatch.setenv("MLHUB_SYSTEM_METRICS_INTERVAL", "0.1")
    run = mh.init("sysmetrics")
    run.log({"x": 1.0})
    time.sleep(0.4)
    run.finish()
    assert set(_metrics(tracking, run.id)) == {"x"}


def test_the_argument_wins_over_the_environment(tracking, monkeypatch) -> None:
    monkeypatch.setenv("MLHUB_SYSTEM_METRICS", "0")
    run = mh.init("sysmetrics", system_metrics=True, system_metrics_interval=0.1)
    time.sleep(0.35)
    run.finish()
    assert "system/cpu_utilization_percentage" in _metrics(tracking, run.id)


def test_interval_from_the_environment(tracking, monkeypatch) -> None:
    monkeypatch.setenv("MLHUB_SYSTEM_METRICS_INTERVAL", "0.1")
    run = mh.init("sysmetrics")
    time.sleep(0.75)
    run.finish()
    count = _metrics(tracking, run.id)["system/system_memory_usage_megabytes"]["count"]
    assert 3 <= count <= 8, count


def test_default_interval_is_ten_seconds(tracking, monkeypatch) -> None:
    monkeypatch.delenv("MLHUB_SYSTEM_METRICS_INTERVAL", raising=False)
    monkeypatch.delenv("MLHUB_SYSTEM_METRICS", raising=False)
    assert sysmetrics.settings(None, None) == (True, 10.0)
    run = mh.init("sysmetrics")
    time.sleep(0.3)
    run.finish()
    assert set(_metrics(tracking, run.id)) == set(), \
        "the first sample comes after one interval, as MLflow's monitor does"


@pytest.mark.parametrize("kwargs, env, message", [
    ({"system_metrics": "yes"}, {}, "system_metrics must be True or False"),
    ({"system_metrics_interval": 0}, {}, "system_metrics_interval must be a number of seconds >= 0.1"),
    ({"system_metrics_interval": float("nan")}, {}, "system_metrics_interval must be"),
    ({}, {"MLHUB_SYSTEM_METRICS": "maybe"}, "MLHUB_SYSTEM_METRICS='maybe'"),
    ({}, {"MLHUB_SYSTEM_METRICS_INTERVAL": "10s"}, "MLHUB_SYSTEM_METRICS_INTERVAL='10s' is not a number"),
    ({}, {"MLHUB_SYSTEM_METRICS_INTERVAL": "0.01"}, "MLHUB_SYSTEM_METRICS_INTERVAL must be"),
])
def test_bad_settings_are_refused_before_a_run_starts(tracking, monkeypatch, kwargs, env, message) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    listed = tracking.api("GET", "runs", params={"project": "sysmetrics-bad"})
    with pytest.raises(MLHubError, match=message):
        mh.init("sysmetrics-bad", **kwargs)
    assert mh.active_run() is None
    after = tracking.api("GET", "runs", params={"project": "sysmetrics-bad"})
    assert after.json().get("total", 0) == (listed.json().get("total", 0) if listed.ok else 0)


def _visible_gpus() -> int:
    try:
        import pynvml
    except ImportError:
        return 0
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError:
        return 0
    try:
        return int(pynvml.nvmlDeviceGetCount())
    finally:
        pynvml.nvmlShutdown()


def test_no_gpu_means_no_gpu_series_and_no_error() -> None:
    if _visible_gpus():
        pytest.skip("an NVIDIA GPU is visible here; test_gpu_sample covers this machine")
    sampler = sysmetrics.Sampler()
    try:
        sample = sampler.sample()
    finally:
        sampler.close()
    assert sampler.gpu_count == 0
    assert not [k for k in sample if k.startswith("system/gpu_")]
    assert MLFLOW_NAMES <= set(sample)


def test_gpu_sample() -> None:
    count = _visible_gpus()
    if not count:
        pytest.skip("no NVIDIA GPU visible (nvidia-ml-py found no driver or device): the GPU "
                    "branch is only tested on a machine that has one")
    sampler = sysmetrics.Sampler()
    try:
        sample = sampler.gpu_sample()
    finally:
        sampler.close()
    assert sampler.gpu_count == count
    for i in range(count):
        p = f"system/gpu_{i}_"
        assert 0 <= sample[p + "utilization_percentage"] <= 100
        assert 0 < sample[p + "memory_usage_megabytes"]
        assert 0 < sample[p + "memory_usage_percentage"] <= 100
        assert 0 < sample[p + "power_usage_watts"]
        assert 0 < sample[p + "temperature_celsius"] < 120
