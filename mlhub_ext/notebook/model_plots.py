"""Bokeh figures of a model version's evaluation, for the notebook (``mh.plots(mv)``)."""
from __future__ import annotations

from typing import Any

from ..train.plots import bokeh_plots


def plots(version_or_evaluation: Any, show: bool = False, **kw: Any) -> dict[str, Any]:
    """``{"confusion_matrix", "roc", "pr", "loss"}`` figures of an evaluation (those its data allows).

    Takes a :class:`~mlhub_ext.client.models.ModelVersion` (its training-holdout
    evaluation) or an evaluation dict (e.g. what ``mv.evaluate(...)`` returned).
    ``show=True`` also displays them in a row.
    """
    evaluation = getattr(version_or_evaluation, "evaluation", version_or_evaluation)
    if not isinstance(evaluation, dict):
        raise TypeError("plots() takes a ModelVersion or an evaluation dict")
    figs = bokeh_plots(evaluation, **kw)
    if show and figs:
        from bokeh.io import output_notebook, show as bokeh_show
        from bokeh.layouts import row

        output_notebook(hide_banner=True)
        bokeh_show(row(*figs.values()))
    return figs
