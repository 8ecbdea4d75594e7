"""``mh.live(run)``: a widget with bokeh curves that follow a run while it logs.

For a run of this process the points come straight from its flusher (no network); for
any other run (another kernel, a script, a Dask worker) from the stream WebSocket.
History already stored is read once over REST. The figure is updated from a daemon
thread at most ``fps`` times a second, so a busy training loop does not stop it.

What the widget ends with is the truth: once the run has ended, every curve is read again
over REST (downsampled to ``MAX_POINTS``), so a point the live feed missed or a stream
that dropped cannot leave a curve short or doubled. While it runs, each curve takes only
points past the last step it shows, and the figure is one-way (kernel → browser): the
browser's echo of each patch is not applied to the kernel's sources (jupyter_bokeh 4.1
sends every patch it receives back, and applying a streamed one again doubled the
kernel's points).
"""
from __future__ import annotations

import math
import os
import threading
import time
from typing import Any, Iterable
from urllib.parse import quote

import ipywidgets as widgets

from ..client import config
from ..client.http import HTTPClient
from ..client.run import FINAL_STATUSES, Run, local_run
from ..client.stream import Subscription
from ..client.values import decode_value
from ..train.plots import THEMED_TAG

MAX_POINTS = 10_000          # per curve in the browser; older points are thinned beyond it
HISTORY_POINTS = 2_000
_bokeh_loaded = False


def load_bokehjs() -> None:
    """BokehJS must be on the page before a BokehModel renders (TOOLCHAIN-LAB §9).

    In a kernel of a Jupyter server with ML Hub, the page loads it from that server
    (``MLHUB_BOKEH_URL``, which the server extension sets): the output holds about 16 KB of
    loader. Elsewhere (no such server: VS Code, a plain Jupyter) it is inlined, about 8 MB,
    as the default CDN may be out of reach.
    """
    global _bokeh_loaded
    if _bokeh_loaded:
        return
    from bokeh.io import output_notebook
    from bokeh.resources import INLINE, Resources

    served = os.environ.get("MLHUB_BOKEH_URL")
    output_notebook(resources=Resources(mode="server", root_url=served) if served else INLINE, hide_banner=True)
    _bokeh_loaded = True


class LivePlot(widgets.VBox):
    """Curves of one run; ``sources[key]`` is the bokeh ColumnDataSource of a metric."""

    def __init__(self, run: Run | str, metrics: Iterable[str] | None = None, *,
                 fps: float = 10.0, http: HTTPClient | None = None) -> None:
        from bokeh.plotting import figure

        self.run_id = run.id if isinstance(run, Run) else str(run)
        self.metrics = set(metrics) if metrics else None
        self.sources: dict[str, Any] = {}
        self.points = 0
        self._local = run if isinstance(run, Run) else local_run(self.run_id)
        self._http = http or (self._local._http.clone() if self._local else HTTPClient(config.resolve()))
        self._pending: dict[str, tuple[list[int], list[float]]] = {}
        self._last_history_step: dict[str, int] | None = None
        self._shown_step: dict[str, int] = {}   # per curve, the last step it shows
        self._lock = threading.Lock()
        self._refresh_lock = threading.RLock()
        self._status_text = self._local.status if self._local else "…"
        self._name = self._local.name if self._local else self.run_id[:8]
        self._stop = threading.Event()
        self._period = 1.0 / max(0.1, fps)
        # The tag lets the lab extension give the figure the lab theme's colours.
        self.figure = figure(height=320, sizing_mode="stretch_width", x_axis_label="step",
                             tools="pan,wheel_zoom,box_zoom,reset,save", tags=[THEMED_TAG])
        self.status = widgets.HTML()
        self.plot = _one_way_model(self.figure)
        self._rerender = False
        super().__init__([self.status, self.plot])
        self._subscription: Subscription | None = None
        self._update_status()
        if self._local is not None:
            self._local.add_listener(self._on_columns)
        else:
            self._subscription = Subscription(self._http.conn, self._on_event, runs=[self.run_id])
        self._thread = threading.Thread(target=self._loop, daemon=True, name="mlhub-live")
        self._thread.start()

    # -- feeds (any thread) ------------------------------------------------------------
    def _on_columns(self, cols: dict[str, tuple[list[int], list[float], list[float]]]) -> None:
        with self._lock:
            for key, (steps, values, _) in cols.items():
                if self.metrics is None or key in self.metrics:
                    pend = self._pending.setdefault(key, ([], []))
                    pend[0].extend(steps)
                    pend[1].extend(values)

    def _on_event(self, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        if kind == "metrics" and msg.get("run") == self.run_id:
            self._on_columns({k: (c["steps"], [decode_value(v) for v in c["values"]], [])
                              for k, c in msg["metrics"].items()})
        elif kind == "run" and msg["run"].get("id") == self.run_id:
            self._status_text = msg["run"].get("status", self._status_text)
            self._name = msg["run"].get("name") or self._name
        elif kind == "reconnected":
            self._last_history_step = None   # re-read what the gap may have hidden

    # -- the update thread -------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            pause = self._period
            try:
                with self._refresh_lock:
                    if self._last_history_step is None:
                        self._load_history()
                    self._refresh()
            except Exception as exc:   # keep the widget alive; say what went wrong
                self.status.value = f"<b>live update failed:</b> {exc}"
                pause = max(pause, 2.0)
            if self._status_text in FINAL_STATUSES and not self._pending:
                self._follow_stopped()
                try:
                    with self._refresh_lock:
                        self._load_history(MAX_POINTS)   # end with exactly what is stored
                        self._update_status()
                except Exception as exc:
                    self.status.value = f"<b>reading the final curves failed:</b> {exc}"
                return
            self._stop.wait(max(0.0, pause - (time.monotonic() - started)))

    def _load_history(self, max_points: int = HISTORY_POINTS) -> None:
        rid = self.run_id
        if self._local is not None and not self._local._closed:
            # Points handed to the flusher before this widget listened are sent first, so
            # the history holds them (the listener gets only later ones).
            self._local.flush(timeout=10)
        run = self._http.get(f"runs/{rid}")
        if self._local is None:
            self._status_text, self._name = run.get("status", "?"), run.get("name") or self._name
        listed = self._http.get(f"runs/{rid}/metrics")["metrics"]
        history: dict[str, tuple[list[int], list[float]]] = {}
        for info in listed:
            key = info["key"]
            if self.metrics is not None and key not in self.metrics:
                continue
            s = self._http.get(f"runs/{rid}/metrics/{quote(key, safe='')}",
                               params={"max_points": max_points})
            history[key] = (s["steps"], [decode_value(v) for v in s["values"]])
        with self._lock:
            last = {k: (h[0][-1] if h[0] else -1) for k, h in history.items()}
            for key, (steps, values) in list(self._pending.items()):
                if key in last:   # points the history already holds came in twice
                    keep = [i for i, s in enumerate(steps) if s > last[key]]
                    self._pending[key] = ([steps[i] for i in keep], [values[i] for i in keep])
            self._last_history_step = last
            self._shown_step.update(last)
        for key, (steps, values) in history.items():
            src = self._source(key)
            data = {"step": list(steps), "value": _plottable(values)}
            if not _same(src.data, data):
                src.data = data
        self.points = sum(len(src.data["step"]) for src in self.sources.values())
        self._render_new_curves()

    def refresh(self) -> int:
        """Move pending points into the figure now; returns how many were added."""
        with self._refresh_lock:
            return self._refresh()

    def _refresh(self) -> int:
        with self._lock:
            pending, self._pending = self._pending, {}
        added = 0
        for key, (steps, values) in pending.items():
            last = self._shown_step.get(key, -1)
            if steps and steps[0] <= last:   # already shown (history, or a batch seen twice)
                keep = [i for i, s in enumerate(steps) if s > last]
                steps, values = [steps[i] for i in keep], [values[i] for i in keep]
            if not steps:
                continue
            self._shown_step[key] = max(last, max(steps))
            src = self._source(key)
            src.stream({"step": steps, "value": _plottable(values)})
            added += len(steps)
            if len(src.data["step"]) > MAX_POINTS:
                src.data = {name: list(col[::2]) for name, col in src.data.items()}
        if self._local is not None:
            self._status_text = self._local.status
        self.points += added
        self._render_new_curves()
        self._update_status()
        return added

    def _source(self, key: str) -> Any:
        src = self.sources.get(key)
        if src is None:
            from bokeh.models import ColumnDataSource
            from bokeh.palettes import Category10_10

            src = self.sources[key] = ColumnDataSource({"step": [], "value": []})
            color = Category10_10[(len(self.sources) - 1) % 10]
            self.figure.line("step", "value", source=src, legend_label=key, color=color, line_width=2)
            self.figure.legend.click_policy = "hide"
            self._rerender = True
        return src

    def _render_new_curves(self) -> None:
        # BokehJS does not follow the data of a renderer added to a figure already on the
        # page (its view stays empty: no line, no ranges, "could not set initial ranges").
        # Sending the figure again once a metric's curve is added draws it; later points
        # stream into the existing sources as usual.
        if self._rerender:
            self._rerender = False
            self.plot.update_from_model(self.figure)

    def _update_status(self) -> None:
        text = (f"<code>{self._name}</code> · {self._status_text} · "
                f"{_count(len(self.sources), 'metric')} · {_count(self.points, 'point')}")
        if self._subscription is not None and self._subscription.last_error:
            text += f" · <span title='stream'>{self._subscription.last_error}</span>"
        if self.status.value != text:
            self.status.value = text

    def _follow_stopped(self) -> None:
        if self._local is not None:
            self._local.remove_listener(self._on_columns)
        if self._subscription is not None:
            # Called from the update thread; the stream thread ends on its own.
            self._subscription._stop.set()

    @property
    def following(self) -> bool:
        """True while the widget still updates (until the run ends or close())."""
        return self._thread.is_alive()

    def close(self) -> None:
        """Stop following the run and close the widget."""
        self._stop.set()
        self._follow_stopped()
        if self._subscription is not None:
            self._subscription.close()
        super().close()


def _one_way_model(figure: Any) -> Any:
    """A BokehModel that shows the kernel's figure and takes nothing back from the browser.

    jupyter_bokeh 4.1's view re-sends every patch it applies (``_consume_patch`` queues
    the change events while blocked and sends them afterwards), so applying those echoes
    streamed every point into the kernel's sources a second time and could revert a newer
    change with an older one. Nothing here needs the browser's changes (no Python callbacks).
    """
    from jupyter_bokeh import BokehModel

    class OneWayBokehModel(BokehModel):
        def _sync_model(self, _model: Any, content: dict[str, Any], _buffers: list[Any]) -> None:
            return None

    return OneWayBokehModel(figure)


def _same(old: Any, new: dict[str, list[Any]]) -> bool:
    """True when a source already holds ``new`` (NaN equal to NaN)."""
    for name, col in new.items():
        have = list(old.get(name, []))
        if len(have) != len(col) or any(a != b and not (a != a and b != b) for a, b in zip(have, col)):
            return False
    return True


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _plottable(values: list[float]) -> list[float]:
    # bokeh draws NaN as a gap but cannot place ±Inf; show both as gaps.
    return [v if v - v == 0 else math.nan for v in values]


def live(run_or_id: Run | str, metrics: Iterable[str] | None = None, **kwargs: Any) -> LivePlot:
    """A live-updating curve widget for a run (a :class:`Run` or a run id)."""
    load_bokehjs()
    return LivePlot(run_or_id, metrics, **kwargs)
