"""The live widget: its bokeh sources grow while a run logs, here or in another process."""
from __future__ import annotations

import math
import os
import subprocess
import sys
import time

import pytest

import mlhub_ext as mh
from mlhub_ext.client import config
from mlhub_ext.notebook.live import LivePlot

pytestmark = pytest.mark.filterwarnings("ignore:Exception ignored in.*serve.log:pytest.PytestUnraisableExceptionWarning")


def _n(plot, key):
    src = plot.sources.get(key)
    return 0 if src is None else len(src.data["step"])


def _wait(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_widget_follows_a_run_of_this_process(tracking):
    run = mh.init("live")
    for i in range(50):
        run.log({"loss": 1.0 / (i + 1)})
    assert run.flush(10)
    plot = LivePlot(run, fps=20)
    try:
        assert _wait(lambda: _n(plot, "loss") == 50), "history loaded"
        for i in range(50, 120):
            run.log({"loss": 1.0 / (i + 1), "acc": math.nan if i == 60 else i / 120})
        assert _wait(lambda: _n(plot, "loss") == 120)
        src = plot.sources["loss"]
        assert src.data["step"] == list(range(120)), "no point twice, none missing"
        assert _wait(lambda: _n(plot, "acc") == 70)
        assert math.isnan(plot.sources["acc"].data["value"][10])
        run.finish()
        assert _wait(lambda: not plot.following), "stops updating once the run ended"
        assert "finished" in plot.status.value and "190 points" in plot.status.value
    finally:
        plot.close()


CHILD = r"""
import sys, time, mlhub_ext as mh
run = mh.init("live", name="elsewhere")
print(run.id, flush=True)
sys.stdin.readline()
for i in range(40):
    run.log({"loss": float(i)})
    time.sleep(0.01)
run.finish()
"""


def test_widget_follows_a_run_of_another_process_through_the_stream(tracking):
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        run_id = child.stdout.readline().strip()
        plot = LivePlot(run_id, metrics=["loss"], fps=20)
        assert plot._subscription is not None
        assert plot._subscription.subscribed.wait(15), plot._subscription.last_error
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.wait(60) == 0
        assert _wait(lambda: _n(plot, "loss") == 40)
        assert sorted(plot.sources["loss"].data["step"]) == list(range(40))
        assert _wait(lambda: not plot.following)
        assert "finished" in plot.status.value
        plot.close()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdin.close()
        child.stdout.close()
