"""The real MLflow client (``mlflow`` 3.x, in .venv-mlflow) against a live ``mlhub serve``."""
from __future__ import annotations

import requests

from tests.services.mlflow_client import run_mlflow, token_for


def test_fluent_api_round_trip(mlflow_server):  # type: ignore[no-untyped-def]
    out = run_mlflow(mlflow_server, """
        import mlflow, time
        from mlflow import MlflowClient
        from mlflow.entities import Metric, Param, RunTag
        mlflow.set_experiment("mlflow-fluent")
        with mlflow.start_run(run_name="first") as run:
            mlflow.log_param("optimizer", "adam")
            mlflow.log_params({"lr": 0.01, "layers": 3})
            mlflow.log_metric("loss", 1.0, step=0)
            mlflow.log_metrics({"loss": 0.5, "acc": 0.7}, step=1)
            mlflow.set_tags({"team": "vision", "stage": "dev"})
            now = int(time.time() * 1000)
            MlflowClient().log_batch(run.info.run_id, metrics=[Metric("acc", 0.8 + i / 100, now, 2 + i) for i in range(5)],
                                     params=[Param("batch", "32")], tags=[RunTag("mlflow.note.content", "hello")])
        with mlflow.start_run(run_name="second") as second:
            mlflow.log_param("optimizer", "sgd")
            mlflow.log_metric("acc", 0.95)
        client = MlflowClient()
        got = client.get_run(run.info.run_id)
        exp = mlflow.get_experiment_by_name("mlflow-fluent")
        found = mlflow.search_runs(experiment_ids=[exp.experiment_id], filter_string="metrics.acc > 0.5",
                                   order_by=["metrics.acc DESC"], output_format="list")
        adam = mlflow.search_runs(experiment_ids=[exp.experiment_id],
                                  filter_string="params.optimizer = 'adam' and tags.team LIKE 'vis%'", output_format="list")
        history = client.get_metric_history(run.info.run_id, "acc")
        emit({"run_id": run.info.run_id, "status": got.info.status, "params": got.data.params,
              "tags": got.data.tags, "metrics": got.data.metrics, "name": got.info.run_name,
              "exp_id": exp.experiment_id, "exp_name": exp.name,
              "found": [r.info.run_name for r in found], "adam": [r.info.run_name for r in adam],
              "history": [(m.step, m.value) for m in history]})
    """)
    assert out["status"] == "FINISHED"
    assert out["name"] == "first"
    assert out["params"] == {"optimizer": "adam", "lr": "0.01", "layers": "3", "batch": "32"}
    assert out["tags"]["team"] == "vision" and out["tags"]["mlflow.note.content"] == "hello"
    assert out["tags"]["mlflow.runName"] == "first" and "mlflow.source.name" in out["tags"]
    assert out["metrics"]["loss"] == 0.5 and abs(out["metrics"]["acc"] - 0.84) < 1e-9
    assert out["exp_name"] == "mlflow-fluent" and out["exp_id"].isdigit()
    assert out["found"] == ["second", "first"]
    assert out["adam"] == ["first"]
    assert out["history"] == [[1, 0.7]] + [[2 + i, 0.8 + i / 100] for i in range(5)]
    # the same run through ML Hub's own API: an ML Hub run in the project of that name
    run = mlflow_server.api("GET", f"runs/{out['run_id']}").json()
    assert run["project"] == "mlflow-fluent" and run["params"]["optimizer"] == "adam"
    assert run["provenance"]["mlflow"]["tags"]["team"] == "vision"
    series = mlflow_server.api("GET", f"runs/{out['run_id']}/metrics/acc").json()
    assert series["steps"] == [1, 2, 3, 4, 5, 6]
