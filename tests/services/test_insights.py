"""Parameter importance on hand-made runs: a param that fully determines the metric ranks
first with importance near 1 and |correlation| near 1, a noise param near 0; categorical
params; runs lacking the metric or a param; bad input named."""
from __future__ import annotations

import math
import random

import pytest

from mlhub_ext.core.errors import MLHubError
from mlhub_ext.core.run_table import MISSING
from mlhub_ext.services.insights import importance, project_insights


def test_the_determining_param_ranks_first_and_the_noise_near_zero():
    rnd = random.Random(0)
    rows = []
    for i in range(200):
        lr = rnd.uniform(0.0, 1.0)
        rows.append((f"r{i}", {"lr": lr, "seed": rnd.uniform(0.0, 1.0)}, 3.0 - 2.0 * lr))
    table = importance(rows, "loss")
    assert [p.param for p in table.params] == ["lr", "seed"]
    lr, seed = table.params
    assert lr.importance > 0.95 and lr.correlation == pytest.approx(-1.0)
    assert seed.importance < 0.05 and abs(seed.correlation) < 0.2
    assert math.isclose(lr.importance + seed.importance, 1.0)
    assert (lr.n, lr.kind, table.runs, table.skipped) == (200, "number", 200, {"without_metric": 0})
    assert importance(rows, "loss").to_json() == table.to_json()   # fixed random_state


def test_a_categorical_param_is_one_hot_and_summed_back():
    rnd = random.Random(1)
    effect = {"adam": 0.1, "sgd": 0.9, "rmsprop": 0.5}
    rows = []
    for i in range(150):
        opt = rnd.choice(list(effect))
        rows.append((f"r{i}", {"optimizer": opt, "batch": rnd.choice([16, 32, 64]), "flag": rnd.random() < 0.5},
                     effect[opt] + rnd.gauss(0, 0.01)))
    table = importance(rows, "val_loss")
    first = table.params[0]
    assert (first.param, first.kind, first.correlation) == ("optimizer", "category", None)
    assert first.importance > 0.9
    assert sum(p.importance for p in table.params) == pytest.approx(1.0)
    flag = next(p for p in table.params if p.param == "flag")
    assert flag.kind == "number" and flag.importance < 0.05      # booleans count as 0/1


def test_runs_lacking_the_metric_or_a_param():
    rows = [(f"r{i}", {"lr": i / 10, **({"depth": i} if i % 2 else {})}, float(i)) for i in range(10)]
    rows += [("nan", {"lr": 0.5}, None), ("none", {"lr": 0.5}, MISSING), ("inf", {"lr": 0.5}, math.inf)]
    table = importance(rows, "loss")
    assert table.runs == 10 and table.skipped == {"without_metric": 3}
    depth = next(p for p in table.params if p.param == "depth")
    assert depth.n == 5 and depth.correlation == pytest.approx(1.0)   # over the runs that have it
    lonely = importance([("a", {"x": 1}, 1.0), ("b", {"x": 1, "y": "only"}, 2.0)], "m")
    assert {p.param: (p.importance, p.correlation) for p in lonely.params} == {"x": (0.0, None), "y": (1.0, None)}
    flat = importance([("a", {"x": 1}, 1.0), ("b", {"x": 2}, 1.0)], "m")
    assert flat.params[0].importance == 0.0 and flat.params[0].correlation is None   # a constant metric


@pytest.mark.parametrize("rows, words", [
    ([("a", {"x": 1}, 1.0)], "at least 2 runs"),
    ([("a", {"x": 1}, 1.0), ("b", {"x": 2}, None)], "1 of the 2 selected runs"),
    ([("a", {"x": 1}, "good"), ("b", {"x": 2}, 1.0)], "is not numeric: run a has 'good'"),
    ([("a", {"x": 1}, True), ("b", {"x": 2}, 1.0)], "is not numeric"),
])
def test_bad_input_names_the_problem(rows, words):
    with pytest.raises(MLHubError) as e:
        importance(rows, "m")
    assert e.value.http_status == 422 and words in e.value.message


def test_through_the_registry(registry):  # type: ignore[no-untyped-def]
    for i in range(8):
        run = registry.create_run("alice", "p", name=f"r{i}", config={"lr": i * 0.1, "opt": "adam"})
        registry.append_metrics("alice", run.id, None, {"loss": {"steps": [0, 1], "values": [9.0, 1.0 + i]}})
    table = project_insights(registry, "alice", "p", "loss")
    assert table.params[0].param == "lr" and table.params[0].correlation == pytest.approx(1.0)
    assert table.params[1].param == "opt" and table.params[1].importance == 0.0   # one value only
    with pytest.raises(MLHubError) as e:
        project_insights(registry, "alice", "p", "acc")
    assert e.value.http_status == 422 and "their metrics: loss" in e.value.message
    with pytest.raises(MLHubError) as e:
        project_insights(registry, "bob", "p", "loss")
    assert e.value.http_status == 404
    with pytest.raises(MLHubError) as e:
        project_insights(registry, "alice", "p", "loss", runs=["0" * 32])
    assert e.value.http_status == 422 and "not in project" in e.value.message
