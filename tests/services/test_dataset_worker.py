"""The dataset worker process: it does not outlive the registry process that started it."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

import psutil

_PARENT = """
import os, sys, time
from mlhub_ext.services.dataset_worker import DataWorker
worker = DataWorker()
print(worker._run(os.getpid), flush=True)   # the worker's pid, once it runs
time.sleep(120)
"""


def test_the_worker_exits_when_the_registry_process_is_killed():
    """SIGKILL gives the registry no chance to shut its pool down: the worker notices that its
    parent is gone and exits (it used to wait for work forever)."""
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        worker = psutil.Process(int(parent.stdout.readline()))
        assert worker.ppid() == parent.pid and worker.is_running()
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        gone, alive = psutil.wait_procs([worker], timeout=15)
        assert worker in gone and not alive
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(10)
        parent.stdout.close()  # type: ignore[union-attr]


def test_a_live_worker_keeps_serving():
    """The parent watch does not end a worker whose registry is alive."""
    import os

    from mlhub_ext.services.dataset_worker import DataWorker

    worker = DataWorker()
    try:
        first = worker._run(os.getpid)
        time.sleep(1.0)
        assert worker._run(os.getpid) == first != os.getpid()
    finally:
        worker.close()
