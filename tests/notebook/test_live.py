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


def _assert_ends_true(plot, run, keys):
    """After the run ended: each curve is the stored series, each step once, and the
    header counts exactly the points shown."""
    from mlhub_ext.notebook.live import MAX_POINTS

    assert _wait(lambda: not plot.following, 30), "stops once the run ended"
    assert set(plot.sources) == set(keys)
    total = 0
    for key in keys:
        stored = run.history(key, max_points=MAX_POINTS)
        data = plot.sources[key].data
        assert data["step"] == stored["steps"], key
        assert len(set(data["step"])) == len(data["step"]), f"{key}: a step twice"
        assert [v if v == v else None for v in data["value"]] == [v if v == v else None for v in stored["values"]]
        total += len(data["step"])
    assert f"{total:,} points" in plot.status.value and "finished" in plot.status.value


def _echo(model, source, steps, values):
    """What BokehJS sends back after applying a streamed patch (jupyter_bokeh 4.1)."""
    model._handle_custom_msg({"event": "jsevent", "kind": "ColumnsStreamed", "model": {"id": source.id},
                              "data": {"type": "map", "entries": [["step", steps], ["value", values]]},
                              "rollover": None}, [])


def test_the_browser_echo_no_longer_doubles_kernel_points(tracking):
    from bokeh.models import ColumnDataSource
    from bokeh.plotting import figure
    from jupyter_bokeh import BokehModel

    # The echo is real: a plain BokehModel applies it and holds the points twice.
    fig = figure()
    src = ColumnDataSource({"step": [0, 1], "value": [1.0, 2.0]})
    fig.line("step", "value", source=src)
    _echo(BokehModel(fig), src, [0, 1], [1.0, 2.0])
    assert src.data["step"] == [0, 1, 0, 1]

    run = mh.init("live")
    plot = LivePlot(run, fps=20)
    try:
        for i in range(30):
            run.log({"loss": float(i)})
        assert _wait(lambda: _n(plot, "loss") == 30)
        _echo(plot.plot, plot.sources["loss"], list(range(30)), [float(i) for i in range(30)])
        assert plot.sources["loss"].data["step"] == list(range(30))
        run.finish()
        _assert_ends_true(plot, run, ["loss"])
    finally:
        plot.close()


def test_widget_of_the_tracking_example_ends_true(tracking):
    """examples/01-tracking.ipynb: the widget shown before the loop, three keys, val/loss every 50."""
    run = mh.init("live", config={"lr": 3e-3})
    plot = LivePlot(run)
    try:
        for step in range(300):
            loss = 2.0 * math.exp(-step / 80)
            run.log({"train/loss": loss, "train/acc": 1 - loss / 2.1}, step=step)
            if step % 50 == 0:
                run.log({"val/loss": loss * 1.1}, step=step)
            time.sleep(0.001)
        run.summary["best_acc"] = 0.9
        assert run.finish()
        _assert_ends_true(plot, run, ["train/loss", "train/acc", "val/loss"])
        assert "606 points" in plot.status.value
    finally:
        plot.close()


SLOW_CHILD = r"""
import sys, time, mlhub_ext as mh
run = mh.init("live", name="elsewhere-slow")
print(run.id, flush=True)
sys.stdin.readline()
for i in range(200):
    run.log({"loss": 1.0 / (i + 1), "acc": i / 200})
    time.sleep(0.02)
assert run.finish(timeout=60)
"""


@pytest.mark.parametrize("reconnect", [False, True], ids=["stream", "reconnect"])
def test_widget_of_another_process_ends_true(tracking, reconnect):
    child = subprocess.Popen([sys.executable, "-c", SLOW_CHILD], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    plot = None
    try:
        run_id = child.stdout.readline().strip()
        plot = LivePlot(run_id, fps=20)
        assert plot._subscription is not None and plot._subscription.subscribed.wait(15)
        child.stdin.write("go\n")
        child.stdin.flush()
        if reconnect:   # the server goes away mid-run: the stream drops and comes back
            assert _wait(lambda: _n(plot, "loss") > 20)
            tracking.stop()
            time.sleep(0.5)
            tracking.start()
        assert child.wait(90) == 0
        from mlhub_ext.client.http import HTTPClient

        reader = _Reader(run_id, HTTPClient(config.resolve()))
        _assert_ends_true(plot, reader, ["loss", "acc"])
    finally:
        if plot is not None:
            plot.close()
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdin.close()
        child.stdout.close()


class _Reader:
    """``run.history`` for a run of another process."""

    def __init__(self, run_id, http):
        self.run_id, self.http = run_id, http

    def history(self, key, max_points=None):
        from mlhub_ext.client.values import decode_value

        body = self.http.get(f"runs/{self.run_id}/metrics/{key}", params={"max_points": max_points})
        body["values"] = [decode_value(v) for v in body["values"]]
        return body
