"""mh.insights(project, metric, filter=None) against a real `mlhub serve`: a DataFrame."""
from __future__ import annotations

import math

import pytest

import mlhub_ext as mh
from mlhub_ext.client import config
from mlhub_ext.core.errors import MLHubError


@pytest.fixture
def logged_in(mlhub_server):  # type: ignore[no-untyped-def]
    mh.login(mlhub_server.url, mlhub_server.token)
    yield mlhub_server
    config.clear_login()


def test_insights_is_a_dataframe_most_important_first(logged_in):
    ids = []
    for i in range(8):
        run = mh.init(project="study", name=f"r{i}", config={"lr": 0.1 * (i + 1), "opt": ["a", "b"][i % 2]},
                      tags=["late"] if i >= 4 else [], system_metrics=False)
        run.log({"val_loss": 1.0 - 0.1 * i})
        run.finish()
        ids.append(run.id)
    table = mh.insights("study", "val_loss")
    assert list(table.columns) == ["param", "importance", "correlation", "n", "kind"]
    assert list(table["param"]) == ["lr", "opt"] and table["importance"].iloc[0] > 0.8
    assert table["correlation"].iloc[0] == pytest.approx(-1.0) and math.isnan(table["correlation"].iloc[1])
    assert table.attrs == {"metric": "val_loss", "runs": 8, "skipped": {"without_metric": 0}}
    assert mh.insights("study", "val_loss", filter="tags = late").attrs["runs"] == 4
    assert mh.insights("study", "val_loss", runs=ids[:3]).attrs["runs"] == 3
    with pytest.raises(MLHubError) as e:
        mh.insights("study", "accuracy")
    assert e.value.code.value == "invalid" and "accuracy" in e.value.message
