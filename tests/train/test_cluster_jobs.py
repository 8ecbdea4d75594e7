"""Training, abort and sweeps on a real LocalCluster (2 worker processes on 127.0.0.1)."""
from __future__ import annotations

import os
import time

import pytest

from mlhub_ext.core.errors import MLHubError
from mlhub_ext.train.cluster import get_client
from mlhub_ext.train.jobs import submit_evaluate, submit_train
from mlhub_ext.train.predict import load_model, predict
from mlhub_ext.train.progress import TrainingAborted
from mlhub_ext.train.sweep import run_sweep, select_best

RF = {"kind": "sklearn", "estimator": "sklearn.ensemble.RandomForestClassifier",
      "params": {"n_estimators": 30, "random_state": 0}}


def wait_for(job, predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.poll()
        if predicate(job):
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out; events so far: {job.events[-3:]}")


def test_local_cluster_is_private_and_reused(client):
    info = client.scheduler_info()
    assert info["address"].startswith("tcp://127.0.0.1:")
    assert len(info["workers"]) == 2
    assert all(w.startswith("tcp://127.0.0.1:") for w in info["workers"])
    assert all(w["nthreads"] == 1 for w in info["workers"].values())
    assert get_client(n_workers=2) is client
    # Workers take one task at a time, so priorities decide what runs next.
    assert client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.WORKER_SATURATION) == 1.0
    # No dashboard, so no 10 ms profiler in the workers.
    profiling = client.run(lambda: __import__("dask").config.get("distributed.worker.profile.enabled"))
    assert list(profiling.values()) == [False, False]


def test_iris_random_forest_on_the_cluster(client, iris):
    job = submit_train(client, RF, iris, "species", job_id="rf-iris")
    result = job.result(timeout=120)
    job.close()
    assert job.state() == "finished"
    running = [e for e in job.events if e["type"] == "state"]
    # Trained in a worker process, never in this one.
    assert running and running[0]["worker"] in client.scheduler_info()["workers"]
    assert job.progress == 1.0
    assert result["model_type"] == "sklearn" and result["classes"] == ["setosa", "versicolor", "virginica"]
    assert result["metrics"]["accuracy"] > 0.85 and result["n_test"] == 30
    assert result["param_count"] > 30
    assert result["evaluation"]["confusion_matrix"]["labels"] == result["classes"]
    model = load_model(result["model_bytes"], result["model_type"])
    assert predict(model, [[5.1, 3.5, 1.4, 0.2]], result["input_schema"])[0]["prediction"] == "setosa"
    holdout = iris.sample(40, random_state=1)
    ev = submit_evaluate(client, result["model_bytes"], "sklearn", holdout, "species",
                         result["input_schema"], result["classes"]).result(timeout=60)
    assert ev["n"] == 40 and ev["metrics"]["accuracy"] > 0.85


def test_invalid_spec_is_refused_before_queueing(client, iris):
    with pytest.raises(MLHubError, match="n_trees"):
        submit_train(client, {**RF, "params": {"n_trees": 3}}, iris, "species", job_id="refused-1")
    with pytest.raises(MLHubError, match="os.system"):
        submit_train(client, {"kind": "sklearn", "estimator": "os.system"}, iris, "species",
                     job_id="refused-2")
    seen = client.run_on_scheduler(
        lambda dask_scheduler: [str(k) for k in dask_scheduler.tasks if "refused" in str(k)])
    assert seen == []


def test_missing_target_fails_the_job_with_a_clear_message(client, iris):
    job = submit_train(client, RF, iris, "kind")
    with pytest.raises(MLHubError, match="'kind' not found"):
        job.result(timeout=60)
    assert job.state() == "failed" and "petal_width" in job.error()
    job.close()


def test_torch_mlp_streams_epochs(client, iris):
    spec = {"kind": "torch_mlp", "epochs": 15, "lr": 0.02, "batch_size": 16,
            "params": {"hidden_sizes": [16]}}
    job = submit_train(client, spec, iris, "species")
    result = job.result(timeout=120)
    job.close()
    epochs = [e for e in job.events if e["type"] == "epoch"]
    assert [e["epoch"] for e in epochs] == list(range(1, 16))
    assert {"loss", "val_loss", "acc", "val_acc"} <= set(epochs[-1]["metrics"])
    assert result["model_type"] == "torch" and len(result["history"]) == 15
    assert result["evaluation"]["loss_curve"][0]["epoch"] == 1
    assert result["metrics"]["accuracy"] > 0.8
    model = load_model(result["model_bytes"], "torch")
    assert predict(model, [[5.1, 3.5, 1.4, 0.2]], result["input_schema"])[0]["prediction"] == "setosa"


def test_abort_torch_job_mid_training(client, iris):
    spec = {"kind": "torch_mlp", "epochs": 5000, "batch_size": 1, "lr": 0.001}
    job = submit_train(client, spec, iris, "species")
    wait_for(job, lambda j: any(e["type"] == "epoch" for e in j.events))
    job.abort()
    with pytest.raises(TrainingAborted) as err:
        job.result(timeout=30)
    assert job.state() == "aborted"
    assert 1 < err.value.epoch < 5000
    job.close()


def test_sweep_picks_the_best(client, iris):
    space = {"n_estimators": [5, 40], "max_depth": [1, None]}
    spec = {"kind": "sklearn", "estimator": "sklearn.ensemble.RandomForestClassifier",
            "params": {"random_state": 0}}
    summary = run_sweep(client, spec, iris, "species", space, "f1_macro")
    trials = summary["trials"]
    assert len(trials) == 4 and all(t["state"] == "finished" for t in trials)
    assert [t["params"] for t in trials] == [{"n_estimators": n, "max_depth": d}
                                            for n in (5, 40) for d in (1, None)]
    scores = [t["metrics"]["f1_macro"] for t in trials]
    assert summary["best"] == scores.index(max(scores))
    assert trials[summary["best"]]["params"]["max_depth"] is None   # depth-1 stumps lose
    assert summary["best_result"]["metrics"]["f1_macro"] == max(scores)


def test_sweep_starts_the_longest_trials_first(client, iris):
    from mlhub_ext.train.sweep import submit_sweep

    spec = {"kind": "sklearn", "estimator": "sklearn.ensemble.ExtraTreesClassifier",
            "params": {"random_state": 0, "n_jobs": 1}}
    sizes = [5, 10, 300, 20, 250]
    sweep = submit_sweep(client, spec, iris, "species", {"n_estimators": sizes}, "accuracy")
    summary = sweep.wait()
    assert [t["state"] for t in summary["trials"]] == ["finished"] * 5
    # Which worker starts first depends on the machine's load; what the sweep controls is the
    # order the scheduler hands trials out in: its priority tuples, smallest runs first.
    keys = {job.future.key: sizes[i] for i, job in enumerate(sweep.jobs)}
    priorities = client.run_on_scheduler(
        lambda dask_scheduler, keys: {k: dask_scheduler.tasks[k].priority for k in keys},
        keys=list(keys))
    assert [keys[k] for k in sorted(priorities, key=priorities.get)] == [300, 250, 20, 10, 5]
    assert summary["trials"][2]["params"] == {"n_estimators": 300}   # rows keep the grid's order


def test_trial_costs_rank_by_size_parameters():
    from mlhub_ext.train.sweep import expand_grid, trial_costs

    spec = {"kind": "sklearn", "estimator": "sklearn.ensemble.RandomForestClassifier"}
    space = {"n_estimators": [40, 120], "max_depth": [4, None], "criterion": ["gini", "entropy"]}
    trials = expand_grid(spec, space)
    costs = trial_costs(trials, space)
    longest = max(range(len(trials)), key=lambda i: costs[i])
    assert trials[longest].params["n_estimators"] == 120 and trials[longest].params["max_depth"] is None
    shortest = min(range(len(trials)), key=lambda i: costs[i])
    assert trials[shortest].params["n_estimators"] == 40 and trials[shortest].params["max_depth"] == 4
    # The criterion is not a size: trials differing only by it cost the same.
    assert costs[0] == costs[1]
    mlp = expand_grid({"kind": "torch_mlp"}, {"batch_size": [16, 128], "epochs": [5]})
    small, large = trial_costs(mlp, {"batch_size": [16, 128], "epochs": [5]})
    assert small > large                                      # smaller batches take longer
    pipe = {"kind": "sklearn", "estimator": "sklearn.pipeline.Pipeline",
            "steps": [["scale", "sklearn.preprocessing.StandardScaler", {}],
                      ["model", "sklearn.ensemble.RandomForestClassifier", {}]]}
    fewer, more = trial_costs(expand_grid(pipe, {"model__n_estimators": [10, 50]}), {"model__n_estimators": [10, 50]})
    assert more > fewer                                        # step__param counts by its own name


def test_select_best_direction():
    rows = [{"rmse": 2.0, "r2": 0.5}, None, {"rmse": 1.0, "r2": 0.7}, {"r2": 0.9}]
    assert select_best(rows, "rmse") == 2
    assert select_best(rows, "r2") == 3
    assert select_best([None, {}], "accuracy") is None


def test_digits_cnn_on_the_cluster(client, digits_png):
    spec = {"kind": "torch_cnn", "epochs": 4, "batch_size": 32, "lr": 0.005,
            "params": {"channels": [8, 16], "hidden_size": 32}}
    job = submit_train(client, spec, digits_png, "label")
    result = job.result(timeout=120)
    job.close()
    assert result["input_schema"] == [{"name": "image", "dtype": "image", "shape": [1, 8, 8]}]
    assert result["classes"] == list(range(10))
    assert result["metrics"]["accuracy"] > 0.7
    assert len(result["evaluation"]["confusion_matrix"]["matrix"]) == 10
    model = load_model(result["model_bytes"], "torch")
    out = predict(model, list(digits_png.image[:20]), result["input_schema"])
    hits = sum(o["prediction"] == t for o, t in zip(out, digits_png.label[:20]))
    assert hits >= 14


def test_sklearn_on_image_folder(client, tmp_path, digits_png):
    """A folder of PNGs in one sub-folder per class trains too (pixels as a pipeline input)."""
    for i, (img, label) in enumerate(zip(digits_png.image[:60], digits_png.label[:60])):
        os.makedirs(tmp_path / str(label), exist_ok=True)
        (tmp_path / str(label) / f"{i}.png").write_bytes(img)
    spec = {"kind": "torch_cnn", "epochs": 1, "params": {"channels": [4]}, "test_size": 0.0}
    job = submit_train(client, spec, str(tmp_path), "label")
    result = job.result(timeout=120)
    job.close()
    assert result["evaluation"]["evaluated_on"] == "train"
    assert result["classes"] == [str(i) for i in range(10)]


def test_sweep_refuses_bad_spaces_before_queueing(client, iris):
    from mlhub_ext.train.sweep import expand_grid, submit_sweep

    rf = {"kind": "sklearn", "estimator": "sklearn.ensemble.RandomForestClassifier"}
    for space, metric, needle in [({"n_trees": [1, 2]}, "accuracy", "n_trees"),
                                  ({"n_estimators": []}, "accuracy", "non-empty"),
                                  ({"n_estimators": [5]}, "rmse", "does not apply"),
                                  ({"n_estimators": [5]}, "speed", "unknown metric"),
                                  ({"n_estimators": [5]}, "val_loss", "does not apply")]:
        with pytest.raises(MLHubError, match=needle):
            submit_sweep(client, rf, iris, "species", space, metric, sweep_id="refused-sweep")
    torch_trials = expand_grid({"kind": "torch_mlp"}, {"lr": [0.1, 0.01], "hidden_sizes": [[4], [8]]})
    assert [(t.lr, t.params["hidden_sizes"]) for t in torch_trials] == \
        [(0.1, [4]), (0.1, [8]), (0.01, [4]), (0.01, [8])]


def test_cancel_sklearn_job(client, iris):
    """Last in this module: the cancelled task keeps its worker busy until it ends."""
    slow = {"kind": "sklearn", "estimator": "sklearn.ensemble.ExtraTreesClassifier",
            "params": {"n_estimators": 1500}}
    job = submit_train(client, slow, iris, "species")
    wait_for(job, lambda j: j.started)
    job.abort()
    assert job.state() == "aborted"
    assert job.future.status == "cancelled"
    job.close()
