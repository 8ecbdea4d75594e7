"""Bokeh figures of a model version's evaluation, for the notebook (``mh.plots(mv)``)."""
from __future__ import annotations

from typing import Any

from ..train.plots import bokeh_plots


def plots(version_or_evaluation: Any, show: bool = False, **kw: Any) -> dict[str, Any]:
    """``{"confusion_matrix", "roc", "pr", "loss"}`` figures of an evaluation (those its data allows).

    Takes a :class:`~mlhub_ext.client.models.ModelVersion` (its training-holdout
    evaluation) or an evaluation dict (e.g. what ``mv.evaluate(...)`` returned).
    ``show=True`` also displays them, laid out by :func:`layout` within the cell's width.
    ``width``/``height`` (pixels) are each figure's preferred size. In JupyterLab the
    figures take the lab theme's colours (see :mod:`mlhub_ext.train.plots`).
    """
    evaluation = getattr(version_or_evaluation, "evaluation", version_or_evaluation)
    if not isinstance(evaluation, dict):
        raise TypeError("plots() takes a ModelVersion or an evaluation dict")
    figs = bokeh_plots(evaluation, **kw)
    if show and figs:
        from bokeh.io import show as bokeh_show

        from .live import load_bokehjs

        load_bokehjs()   # from this Jupyter server (the default CDN may be out of reach)
        bokeh_show(layout(list(figs.values())))
    return figs


def layout(figs: list[Any]) -> Any:
    """A row of figures that wraps: as many side by side as the cell's width holds,
    each between its ``min_width`` and ``max_width``, the rest on the next lines."""
    from bokeh.layouts import row

    return row(*figs, sizing_mode="stretch_width", styles={"flex-wrap": "wrap", "gap": "8px"})
