"""Bokeh figures of an evaluation: confusion matrix, ROC, PR and loss curves.

Only the figures the evaluation has data for are made. Shown in the notebook with
``bokeh.io.show`` (or ``jupyter_bokeh``) and embeddable in the lab with ``bokeh.embed``.
Every figure carries the tag :data:`THEMED_TAG`: in JupyterLab the ML Hub extension
(labextension/bokehTheme.ts) then gives it the colours of the lab's theme (light, dark)
when it is shown and whenever the theme changes. Outside the lab they stay light.
Sizes are in screen pixels; ``sizing_mode="stretch_width"`` lets a figure narrow to
its container down to ``min_width``.
"""
from __future__ import annotations

from typing import Any

#: ``Model.tags`` entry of the figures whose colours follow the lab's theme.
THEMED_TAG = "mlhub-themed"
#: The narrowest a figure gets when it stretches to the width of a narrow cell.
MIN_WIDTH = 260

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")


def bokeh_plots(evaluation: dict[str, Any], *, width: int = 400, height: int = 360) -> dict[str, Any]:
    """``{"confusion_matrix", "roc", "pr", "loss"}`` figures, those the data allows."""
    figs: dict[str, Any] = {}
    if evaluation.get("confusion_matrix"):
        figs["confusion_matrix"] = confusion_matrix_figure(evaluation["confusion_matrix"], width, height)
    if evaluation.get("roc"):
        figs["roc"] = _curves_figure(evaluation["roc"], "fpr", "tpr", "auc", "ROC",
                                     "False positive rate", "True positive rate", width, height, True)
    if evaluation.get("pr"):
        figs["pr"] = _curves_figure(evaluation["pr"], "recall", "precision", "average_precision",
                                    "Precision-recall", "Recall", "Precision", width, height, False)
    if evaluation.get("loss_curve"):
        figs["loss"] = loss_figure(evaluation["loss_curve"], width, height)
    return figs


def _size(width: int, height: int) -> dict[str, Any]:
    """Figure options: ``width`` as the preferred (and widest) width, narrower in a narrow cell."""
    return {"width": width, "height": height, "max_width": width, "min_width": min(MIN_WIDTH, width),
            "sizing_mode": "stretch_width", "tags": [THEMED_TAG]}


def confusion_matrix_figure(cm: dict[str, Any], width: int = 400, height: int = 360) -> Any:
    """A heatmap with counts, true labels down and predicted labels across."""
    from bokeh.models import ColumnDataSource, LinearColorMapper
    from bokeh.plotting import figure

    labels = [str(v) for v in cm["labels"]]
    matrix = cm["matrix"]
    top = max((v for row in matrix for v in row), default=0) or 1
    data: dict[str, list[Any]] = {"true": [], "pred": [], "count": [], "text_color": []}
    for i, row in enumerate(matrix):
        for j, v in enumerate(row):
            data["true"].append(labels[i])
            data["pred"].append(labels[j])
            data["count"].append(v)
            data["text_color"].append("white" if v > top / 2 else "black")
    source = ColumnDataSource(data)
    mapper = LinearColorMapper(palette="Blues256", low=top, high=0)
    fig = figure(title="Confusion matrix", x_range=labels, y_range=list(reversed(labels)),
                 **_size(width, height), x_axis_label="Predicted", y_axis_label="True",
                 toolbar_location=None, tooltips=[("true", "@true"), ("predicted", "@pred"),
                                                  ("count", "@count")])
    fig.rect(x="pred", y="true", width=1, height=1, source=source,
             fill_color={"field": "count", "transform": mapper}, line_color=None)
    fig.text(x="pred", y="true", text="count", source=source, text_align="center",
             text_baseline="middle", text_color="text_color", text_font_size="10pt")
    fig.grid.grid_line_color = None
    return fig


def _curves_figure(curves: list[dict[str, Any]], xkey: str, ykey: str, score_key: str,
                   title: str, xlabel: str, ylabel: str, width: int, height: int,
                   diagonal: bool) -> Any:
    from bokeh.plotting import figure

    fig = figure(title=title, **_size(width, height), x_axis_label=xlabel,
                 y_axis_label=ylabel, x_range=(0, 1), y_range=(0, 1.02))
    if diagonal:
        fig.line([0, 1], [0, 1], line_dash="dashed", color="#999999")
    for i, c in enumerate(curves):
        score = c.get(score_key)
        name = f"{c['label']} ({score:.3f})" if isinstance(score, (int, float)) else str(c["label"])
        fig.line(c[xkey], c[ykey], color=PALETTE[i % len(PALETTE)], line_width=2, legend_label=name)
    fig.legend.location = "bottom_right" if diagonal else "bottom_left"
    fig.legend.click_policy = "hide"
    return fig


def loss_figure(points: list[dict[str, Any]], width: int = 400, height: int = 360) -> Any:
    """Training (and validation) loss per epoch."""
    from bokeh.plotting import figure

    fig = figure(title="Loss", **_size(width, height), x_axis_label="Epoch",
                 y_axis_label="Loss")
    epochs = [p["epoch"] for p in points]
    fig.line(epochs, [p["loss"] for p in points], line_width=2, legend_label="train")
    if all("val_loss" in p for p in points):
        fig.line(epochs, [p["val_loss"] for p in points], line_width=2, color=PALETTE[1],
                 legend_label="validation")
    return fig
