"""System metrics of a run: CPU, memory, disk, network and NVIDIA GPUs, every few seconds.

Every run started by ``mh.init`` samples them on a daemon thread (off with
``mh.init(system_metrics=False)`` or ``MLHUB_SYSTEM_METRICS=0``; the interval is
``system_metrics_interval=`` or ``MLHUB_SYSTEM_METRICS_INTERVAL``, 10 s by default) and
appends the points to the run's own buffer, so they travel in the run's normal batches
and write-ahead log. Names are MLflow's (``mlflow/system_metrics/metrics/*.py``) where
MLflow has one, so the same run reads the same through ``MlflowClient``:

========================================================  ==============================
``system/cpu_utilization_percentage``                     whole machine, % of all cores
``system/system_memory_usage_megabytes`` / ``_percentage``  used memory (MB = 10**6 bytes)
``system/disk_usage_percentage`` / ``_megabytes``,
``system/disk_available_megabytes``                       the file system holding ``/``
``system/network_receive_megabytes`` / ``_transmit_…``      bytes since the run started
``system/gpu_<i>_utilization_percentage``,
``…_memory_usage_megabytes`` / ``…_percentage``,
``…_power_usage_watts`` / ``…_percentage``                 per NVIDIA GPU (nvidia-ml-py)
========================================================  ==============================

and, where MLflow has no name: ``system/process_cpu_utilization_percentage`` (this
process, % of one core, may exceed 100), ``system/process_memory_rss_megabytes``,
``system/disk_read_megabytes`` / ``system/disk_write_megabytes`` (since the run started)
and ``system/gpu_<i>_temperature_celsius``.

Steps are the sampler's own counter (0, 1, 2, …), as MLflow's monitor does: a user's
steps can be anything (epochs, samples seen, sparse), so sharing them would put two
samples on one step or none for minutes; each point still carries its wall time.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from typing import Any

from ..core.errors import ErrorCode, MLHubError

log = logging.getLogger("mlhub_ext.client")

PREFIX = "system/"
DEFAULT_INTERVAL = 10.0
MIN_INTERVAL = 0.1
_MB = 1e6


def settings(enabled: bool | None, interval: float | None) -> tuple[bool, float]:
    """``(enabled, interval)`` from ``mh.init``'s arguments, else the environment.

    ``MLHUB_SYSTEM_METRICS``: ``0``/``false``/``no``/``off`` turns sampling off.
    ``MLHUB_SYSTEM_METRICS_INTERVAL``: seconds between samples (at least 0.1).
    Raises ``MLHubError(INVALID)`` naming a bad value.
    """
    if enabled is None:
        raw = os.environ.get("MLHUB_SYSTEM_METRICS", "1").strip().lower()
        if raw in ("0", "false", "no", "off"):
            enabled = False
        elif raw in ("1", "true", "yes", "on", ""):
            enabled = True
        else:
            raise MLHubError(ErrorCode.INVALID, f"MLHUB_SYSTEM_METRICS={raw!r}: use 1 or 0")
    elif type(enabled) is not bool:
        raise MLHubError(ErrorCode.INVALID, f"system_metrics must be True or False, not {enabled!r}")
    source = "system_metrics_interval"
    if interval is None:
        raw_interval = os.environ.get("MLHUB_SYSTEM_METRICS_INTERVAL")
        if raw_interval is None:
            return enabled, DEFAULT_INTERVAL
        source = "MLHUB_SYSTEM_METRICS_INTERVAL"
        try:
            interval = float(raw_interval)
        except ValueError:
            raise MLHubError(ErrorCode.INVALID, f"MLHUB_SYSTEM_METRICS_INTERVAL={raw_interval!r} is not "
                                                "a number of seconds") from None
    if isinstance(interval, bool) or not isinstance(interval, (int, float)) or not interval >= MIN_INTERVAL \
            or interval == float("inf"):
        raise MLHubError(ErrorCode.INVALID, f"{source} must be a number of seconds >= {MIN_INTERVAL}, "
                                            f"not {interval!r}")
    return enabled, float(interval)


class Sampler:
    """Reads one sample of every system metric; counters are relative to construction.

    Raises ``ImportError`` if psutil is missing. GPUs are read through nvidia-ml-py
    (``pynvml``), imported here and not before; without it, or without an NVIDIA driver
    or GPU, the sample simply has no ``gpu_*`` keys.
    """

    def __init__(self) -> None:
        import psutil

        self._psutil = psutil
        self._process = psutil.Process()
        psutil.cpu_percent(interval=None)        # the first call only sets the baseline
        self._process.cpu_percent(interval=None)
        self._net0 = _net_bytes(psutil)
        self._disk0 = _disk_io_bytes(psutil)
        self._root = os.path.abspath(os.sep)
        self._nvml: Any = None
        self._gpus: list[Any] = []
        self._init_gpus()

    def _init_gpus(self) -> None:
        try:
            import pynvml
        except ImportError:
            return
        try:
            pynvml.nvmlInit()
            self._gpus = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(pynvml.nvmlDeviceGetCount())]
        except pynvml.NVMLError as exc:   # no driver, no GPU: nothing to record
            log.debug("mlhub: no NVIDIA GPU metrics: %s", exc)
            return
        self._nvml = pynvml

    @property
    def gpu_count(self) -> int:
        return len(self._gpus)

    def sample(self) -> dict[str, float]:
        """One reading: ``{"system/<name>": value}`` (plain floats)."""
        ps = self._psutil
        out: dict[str, float] = {}
        out["system/cpu_utilization_percentage"] = float(ps.cpu_percent(interval=None))
        vm = ps.virtual_memory()
        out["system/system_memory_usage_megabytes"] = vm.used / _MB
        out["system/system_memory_usage_percentage"] = vm.used / vm.total * 100 if vm.total else 0.0
        try:
            out["system/process_cpu_utilization_percentage"] = float(self._process.cpu_percent(interval=None))
            out["system/process_memory_rss_megabytes"] = self._process.memory_info().rss / _MB
        except ps.Error:
            pass
        try:
            du = ps.disk_usage(self._root)
            out["system/disk_usage_percentage"] = float(du.percent)
            out["system/disk_usage_megabytes"] = du.used / _MB
            out["system/disk_available_megabytes"] = du.free / _MB
        except OSError:
            pass
        net = _net_bytes(ps)
        if net is not None and self._net0 is not None:
            out["system/network_receive_megabytes"] = max(0, net[0] - self._net0[0]) / _MB
            out["system/network_transmit_megabytes"] = max(0, net[1] - self._net0[1]) / _MB
        disk = _disk_io_bytes(ps)
        if disk is not None and self._disk0 is not None:
            out["system/disk_read_megabytes"] = max(0, disk[0] - self._disk0[0]) / _MB
            out["system/disk_write_megabytes"] = max(0, disk[1] - self._disk0[1]) / _MB
        if self._gpus:
            out.update(self.gpu_sample())
        return out

    def gpu_sample(self) -> dict[str, float]:
        """Per-GPU readings; a reading a GPU does not support is left out."""
        nv = self._nvml
        out: dict[str, float] = {}
        for i, handle in enumerate(self._gpus):
            p = f"system/gpu_{i}_"
            try:
                mem = nv.nvmlDeviceGetMemoryInfo(handle)
                out[p + "memory_usage_megabytes"] = mem.used / _MB
                out[p + "memory_usage_percentage"] = mem.used / mem.total * 100 if mem.total else 0.0
            except nv.NVMLError:
                pass
            try:
                out[p + "utilization_percentage"] = float(nv.nvmlDeviceGetUtilizationRates(handle).gpu)
            except nv.NVMLError:
                pass
            try:
                milliwatts = nv.nvmlDeviceGetPowerUsage(handle)
                out[p + "power_usage_watts"] = milliwatts / 1000
                limit = nv.nvmlDeviceGetEnforcedPowerLimit(handle)
                if limit:
                    out[p + "power_usage_percentage"] = milliwatts / limit * 100
            except nv.NVMLError:
                pass
            try:
                out[p + "temperature_celsius"] = float(nv.nvmlDeviceGetTemperature(handle, nv.NVML_TEMPERATURE_GPU))
            except nv.NVMLError:
                pass
        return out

    def close(self) -> None:
        if self._nvml is not None:
            try:
                self._nvml.nvmlShutdown()
            except self._nvml.NVMLError:
                pass
            self._nvml = None


def _net_bytes(ps: Any) -> tuple[int, int] | None:
    counters = ps.net_io_counters()
    return None if counters is None else (counters.bytes_recv, counters.bytes_sent)


def _disk_io_bytes(ps: Any) -> tuple[int, int] | None:
    try:
        counters = ps.disk_io_counters()
    except (OSError, RuntimeError):   # some containers have no /proc/diskstats
        return None
    return None if counters is None else (counters.read_bytes, counters.write_bytes)


class Monitor:
    """The daemon thread that samples every ``interval`` s into a run's buffer.

    ``buffer`` is the run's deque of ``(step, wall time, {key: value})`` records (the
    flusher drains it). The first sample comes one interval after start (a CPU
    percentage needs an interval to average over), so, as with MLflow's monitor, a run
    shorter than the interval records none.
    """

    def __init__(self, buffer: deque[tuple[int, float, dict[str, Any]]], interval: float,
                 name: str = "mlhub-sysmetrics") -> None:
        self.interval = interval
        self._buffer = buffer
        self._sampler = Sampler()
        self._step = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, daemon=True, name=name)

    def start(self) -> "Monitor":
        self._thread.start()
        return self

    def _record(self) -> None:
        with self._lock:   # the thread and stop() never write one step twice
            try:
                values = self._sampler.sample()
            except Exception:   # a sensor failing must never end a run
                log.debug("mlhub: system metrics sample failed", exc_info=True)
                return
            self._buffer.append((self._step, time.time(), values))
            self._step += 1

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._record()

    def stop(self, final_sample: bool = False) -> None:
        """Stop the thread (bounded wait), optionally take a last sample, release NVML."""
        if self._stop.is_set():
            return
        self._stop.set()
        self._thread.join(timeout=5.0)
        if final_sample:
            self._record()
        self._sampler.close()


def start_monitor(buffer: deque[tuple[int, float, dict[str, Any]]], interval: float,
                  run_id: str = "") -> Monitor | None:
    """A started :class:`Monitor`, or None (with a warning) where psutil is missing."""
    try:
        return Monitor(buffer, interval, name=f"mlhub-sysmetrics-{run_id[:8]}").start()
    except ImportError:
        log.warning("mlhub: psutil is not installed, so this run records no system metrics "
                    "(pip install psutil)")
        return None
