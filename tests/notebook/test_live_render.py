"""A curve added to mh.live's figure after it is on the page reaches the browser with its
data: BokehJS leaves a renderer added later empty, so the figure is sent again (its render
bundle) once a new metric appears, and the bundle holds that metric's renderer and points."""
from __future__ import annotations

import json
import time

import mlhub_ext as mh
from mlhub_ext.notebook.live import LivePlot
from mlhub_ext.train.plots import THEMED_TAG


def _bundle_sources(plot: LivePlot) -> dict[str, int]:
    """``{legend label: points}`` of the line renderers in the widget's render bundle."""
    text = json.dumps(plot.plot.render_bundle)
    found: dict[str, int] = {}
    for key in plot.sources:
        if f'"{key}"' in text:
            found[key] = len(plot.sources[key].data["step"])
    return found


def _wait(predicate, timeout: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_new_curves_are_sent_with_the_figure_and_the_figure_is_themed(tracking):  # type: ignore[no-untyped-def]
    run = mh.init("live-render")
    plot = LivePlot(run, fps=20)
    try:
        empty = plot.plot.render_bundle
        assert THEMED_TAG in plot.figure.tags
        for i in range(5):
            run.log({"loss": 1.0 / (i + 1)}, step=i)
        assert run.flush(10)
        assert _wait(lambda: "loss" in plot.sources and len(plot.sources["loss"].data["step"]) == 5)
        assert _wait(lambda: _bundle_sources(plot).get("loss", 0) > 0), "figure sent again with the loss curve"
        assert plot.plot.render_bundle != empty
        sent = plot.plot.render_bundle
        for i in range(5, 10):
            run.log({"loss": 1.0 / (i + 1)}, step=i)
        assert run.flush(10)
        assert _wait(lambda: len(plot.sources["loss"].data["step"]) == 10)
        assert plot.plot.render_bundle is sent, "more points of a known curve stream, no new bundle"
        run.log({"acc": 0.5}, step=10)
        assert run.flush(10)
        assert _wait(lambda: "acc" in _bundle_sources(plot)), "a second metric sends the figure again"
    finally:
        run.finish()
        plot.close()
