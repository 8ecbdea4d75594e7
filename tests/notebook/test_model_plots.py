"""mh.plots: figures that follow the lab theme (tagged) and fit the cell (a wrapping row)."""
from __future__ import annotations

import pytest

from mlhub_ext.notebook.model_plots import layout, plots
from mlhub_ext.train.plots import MIN_WIDTH, THEMED_TAG

EVALUATION = {
    "confusion_matrix": {"labels": ["cat", "dog"], "matrix": [[8, 2], [1, 9]]},
    "roc": [{"label": "dog", "fpr": [0, 0.1, 1], "tpr": [0, 0.9, 1], "auc": 0.9}],
    "pr": [{"label": "dog", "recall": [0, 0.9, 1], "precision": [1, 0.9, 0.5], "average_precision": 0.88}],
    "loss_curve": [{"epoch": e, "loss": 1 / e, "val_loss": 1.3 / e} for e in range(1, 6)],
}


def test_every_figure_is_tagged_for_the_lab_theme_and_narrows_to_the_cell():
    figs = plots(EVALUATION, width=420, height=300)
    assert set(figs) == {"confusion_matrix", "roc", "pr", "loss"}
    for fig in figs.values():
        assert THEMED_TAG in fig.tags
        assert fig.sizing_mode == "stretch_width"
        assert fig.max_width == 420 and fig.min_width == MIN_WIDTH and fig.height == 300


def test_the_layout_is_a_row_that_wraps():
    from bokeh.embed import json_item

    figs = list(plots(EVALUATION).values())
    row = layout(figs)
    assert row.children == figs
    assert row.sizing_mode == "stretch_width"
    assert row.styles["flex-wrap"] == "wrap"
    json_item(row)  # serialisable as shown in a notebook


def test_show_loads_bokehjs_inline_and_shows_the_layout(monkeypatch):
    shown = []
    loaded = []
    import bokeh.io

    import mlhub_ext.notebook.live as live

    monkeypatch.setattr(live, "load_bokehjs", lambda: loaded.append(True))
    monkeypatch.setattr(bokeh.io, "show", lambda obj: shown.append(obj))
    figs = plots(EVALUATION, show=True)
    assert loaded == [True]
    assert len(shown) == 1 and shown[0].children == list(figs.values())


def test_plots_refuses_what_is_not_an_evaluation():
    with pytest.raises(TypeError, match="ModelVersion or an evaluation dict"):
        plots("v1")
