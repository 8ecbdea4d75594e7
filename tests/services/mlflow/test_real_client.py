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


def test_retried_log_batch_is_applied_once_and_errors_are_mlflow_shaped(mlflow_server):  # type: ignore[no-untyped-def]
    out = run_mlflow(mlflow_server, """
        import time
        from mlflow import MlflowClient
        from mlflow.entities import Metric
        from mlflow.exceptions import MlflowException
        client = MlflowClient()
        exp = client.create_experiment("mlflow-retry")
        run = client.create_run(exp)
        now = int(time.time() * 1000)
        batch = [Metric("loss", 1.0 / (i + 1), now + i, i) for i in range(1000)]
        client.log_batch(run.info.run_id, metrics=batch)
        client.log_batch(run.info.run_id, metrics=batch)   # what a retry after a lost answer sends
        client.log_batch(run.info.run_id, metrics=[Metric("loss", 0.0, now + 5000, 1000)])
        out = {"run_id": run.info.run_id, "n": len(client.get_metric_history(run.info.run_id, "loss"))}
        # the client splits a long batch into MLflow's limits itself: 1,001 metrics arrive whole
        client.log_batch(run.info.run_id, metrics=[Metric("m", 1.0, 1, i) for i in range(1001)])
        out["logged"] = len(client.get_metric_history(run.info.run_id, "m"))
        try:
            client.get_run("0" * 32)
        except MlflowException as e:
            out["missing"] = [e.error_code, e.get_http_status_code(), e.message]
        client.log_param(run.info.run_id, "p", "1")
        try:
            client.log_param(run.info.run_id, "p", "2")
        except MlflowException as e:
            out["changed"] = [e.error_code, e.get_http_status_code(), e.message]
        emit(out)
    """)
    assert out["n"] == 1001
    # A raw resend of the same body (as urllib3's retry does) is answered 200 and adds nothing.
    url = mlflow_server.url + "mlhub/mlflow/api/2.0/mlflow/runs/log-batch"
    body = {"run_id": out["run_id"], "metrics": [{"key": "loss", "value": 5, "timestamp": "1", "step": "7"}]}
    headers = {"Authorization": f"Bearer {mlflow_server.token}"}
    for _ in range(3):
        assert requests.post(url, json=body, headers=headers, timeout=10).status_code == 200
    series = mlflow_server.api("GET", f"runs/{out['run_id']}/metrics/loss").json()
    assert series["total"] == 1002
    assert out["logged"] == 1001
    # a request above MLflow's limits (another client) is refused whole, in MLflow's shape
    url = mlflow_server.url + "mlhub/mlflow/api/2.0/mlflow/runs/log-batch"
    headers = {"Authorization": f"Bearer {mlflow_server.token}"}
    metric = {"key": "m", "value": 1, "timestamp": 1, "step": 0}
    for field, item, n, says in [("metrics", metric, 1001, "at most 1000 metrics"),
                                 ("params", {"key": "k", "value": "v"}, 101, "at most 100 params"),
                                 ("tags", {"key": "k", "value": "v"}, 101, "at most 100 tags")]:
        r = requests.post(url, json={"run_id": out["run_id"], field: [item] * n}, headers=headers, timeout=10)
        assert r.status_code == 400 and r.json()["error_code"] == "INVALID_PARAMETER_VALUE", r.text
        assert says in r.json()["message"]
    assert mlflow_server.api("GET", f"runs/{out['run_id']}/metrics/m").json()["total"] == 1001
    assert out["missing"][:2] == ["RESOURCE_DOES_NOT_EXIST", 404]
    assert out["changed"][:2] == ["INVALID_PARAMETER_VALUE", 400]
    # what the client gets for a route ML Hub does not serve (tracing): 501 naming it
    r = requests.get(mlflow_server.url + "mlhub/mlflow/api/3.0/mlflow/traces/abc",
                     headers={"Authorization": f"Bearer {mlflow_server.token}"}, timeout=10)
    assert r.status_code == 501 and r.json()["error_code"] == "NOT_IMPLEMENTED"
    assert "/api/3.0/mlflow/traces/abc" in r.json()["message"]


def test_two_users_private_experiment(mlflow_server):  # type: ignore[no-untyped-def]
    bob = token_for(mlflow_server, "bob")
    mine = run_mlflow(mlflow_server, """
        import mlflow
        mlflow.set_experiment("alice-private")
        with mlflow.start_run() as run:
            mlflow.log_metric("acc", 0.9)
        emit({"exp": mlflow.get_experiment_by_name("alice-private").experiment_id, "run": run.info.run_id})
    """)
    seen = run_mlflow(mlflow_server, f"""
        from mlflow import MlflowClient
        from mlflow.exceptions import MlflowException
        client = MlflowClient()
        out = {{}}
        for name, call in {{"experiment": lambda: client.get_experiment("{mine['exp']}"),
                           "by_name": lambda: client.get_experiment_by_name("alice-private"),
                           "run": lambda: client.get_run("{mine['run']}"),
                           "history": lambda: client.get_metric_history("{mine['run']}", "acc"),
                           "log": lambda: client.log_metric("{mine['run']}", "acc", 0.1),
                           "search": lambda: client.search_runs(["{mine['exp']}"])}}.items():
            try:
                result = call()
                out[name] = ["ok", repr(result)[:80]]
            except MlflowException as e:
                out[name] = [e.error_code, e.get_http_status_code()]
        out["own"] = [e.name for e in client.search_experiments()]
        # alice makes it public: bob reads it but may not log to it
        import requests
        r = requests.patch("{mlflow_server.url}mlhub/api/v1/projects/alice-private", json={{"visibility": "public"}},
                           headers={{"Authorization": "token {mlflow_server.token}"}})
        assert r.status_code == 200, r.text
        out["public_acc"] = client.get_run("{mine['run']}").data.metrics["acc"]
        try:
            client.log_metric("{mine['run']}", "acc", 0.1)
            out["denied"] = None
        except MlflowException as e:
            out["denied"] = [e.error_code, e.get_http_status_code()]
        emit(out)
    """, token=bob)
    for name in ("experiment", "run", "history", "log", "search"):
        assert seen[name] == ["RESOURCE_DOES_NOT_EXIST", 404], (name, seen[name])
    assert seen["by_name"][0] == "ok" and seen["by_name"][1] == "None"   # the client maps 404 to None
    assert "alice-private" not in seen["own"]
    assert seen["public_acc"] == 0.9 and seen["denied"] == ["PERMISSION_DENIED", 403]


def test_mh_run_reads_in_mlflow_and_mlflow_points_reach_the_stream(mlflow_server):  # type: ignore[no-untyped-def]
    import json

    import websocket

    # a run logged through ML Hub's own API (what `mh` sends)
    run = mlflow_server.api("POST", "runs", json={"project": "mh-side", "name": "native", "config": {"lr": 0.1},
                                                  "tags": ["baseline"]}).json()
    mlflow_server.api("POST", f"runs/{run['id']}/metrics", json={"seq": 1, "metrics": {
        "loss": {"steps": [0, 1, 2], "values": [0.9, 0.5, 0.3], "timestamps": [1700000000.5, 1700000001.25, 1700000002]}}})
    ws = websocket.create_connection(mlflow_server.url.replace("http", "ws") + "mlhub/api/v1/stream",
                                     header=[f"Authorization: token {mlflow_server.token}"], timeout=20)
    ws.send(json.dumps({"subscribe": {"runs": [run["id"]]}}))
    assert json.loads(ws.recv())["type"] == "subscribed"
    out = run_mlflow(mlflow_server, f"""
        from mlflow import MlflowClient
        client = MlflowClient()
        got = client.get_run("{run['id']}")
        hist = client.get_metric_history("{run['id']}", "loss")
        client.log_metric("{run['id']}", "mlflow_loss", 0.125, timestamp=1700000003000, step=7)
        emit({{"params": got.data.params, "tags": got.data.tags, "metrics": got.data.metrics,
               "hist": [[m.step, m.value, m.timestamp] for m in hist], "name": got.info.run_name,
               "exp": client.get_experiment(got.info.experiment_id).name}})
    """)
    assert out["params"] == {"lr": "0.1"} and out["name"] == "native" and out["exp"] == "mh-side"
    assert out["tags"]["baseline"] == "" and out["metrics"] == {"loss": 0.3}
    assert out["hist"] == [[0, 0.9, 1700000000500], [1, 0.5, 1700000001250], [2, 0.3, 1700000002000]]
    # the point MLflow logged went through the registry's append path: the stream pushed it
    while True:
        msg = json.loads(ws.recv())
        if msg["type"] == "metrics":
            break
    ws.close()
    assert msg["run"] == run["id"] and msg["metrics"]["mlflow_loss"]["steps"] == [7]
    assert msg["metrics"]["mlflow_loss"]["values"] == [0.125]


def test_log_input_links_a_matching_dataset_version(mlflow_server, monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    import pandas as pd

    import mlhub_ext as mh
    from mlhub_ext.client import config

    monkeypatch.setenv("MLHUB_URL", mlflow_server.url)
    monkeypatch.setenv("MLHUB_TOKEN", mlflow_server.token)
    monkeypatch.setenv("MLHUB_WAL_DIR", str(tmp_path / "wal"))
    config.clear_login()
    try:
        ds = mh.datasets.upload(pd.DataFrame({"x": [1, 2, 3], "y": [0, 1, 0]}), name="mlf-input")
    finally:
        config.clear_login()
    name = ds.name   # ML Hub's name rules may have normalised it
    got = mlflow_server.api("GET", f"datasets/{name}/versions/1").json()
    assert "content_sha256" in got, got
    sha = got["content_sha256"]
    out = run_mlflow(mlflow_server, f"""
        import mlflow, pandas as pd
        df = pd.DataFrame({{"x": [1, 2, 3], "y": [0, 1, 0]}})
        mlflow.set_experiment("mlflow-inputs")
        with mlflow.start_run() as run:
            mlflow.log_input(mlflow.data.from_pandas(df, name="{name}", digest="{sha[:12]}"), context="training")
            mlflow.log_input(mlflow.data.from_pandas(df, name="elsewhere"), context="eval")
            mlflow.log_input(mlflow.data.from_pandas(df, name="elsewhere"), context="eval")   # again: kept once
        got = mlflow.get_run(run.info.run_id)
        found = mlflow.search_runs(filter_string="datasets.name = '{name}'", output_format="list",
                                   experiment_names=["mlflow-inputs"])
        emit({{"run_id": run.info.run_id, "inputs": [d.dataset.name for d in got.inputs.dataset_inputs],
               "found": [r.info.run_id for r in found]}})
    """)
    assert out["inputs"] == [name, "elsewhere"] and out["found"] == [out["run_id"]]
    inputs = mlflow_server.api("GET", f"runs/{out['run_id']}").json()["provenance"]["mlflow"]["inputs"]
    assert inputs[0]["mlhub_dataset"] == {"name": name, "version": 1}
    assert "mlhub_dataset" not in inputs[1]
