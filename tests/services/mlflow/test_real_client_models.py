"""The real MLflow client against a live ``mlhub serve``: artifacts, autologging, logged models,
the model registry, ``pyfunc.load_model`` of a registered alias, serving and access rules."""
from __future__ import annotations

import requests

from tests.services.mlflow_client import run_mlflow, token_for


def test_artifacts_round_trip(mlflow_server):  # type: ignore[no-untyped-def]
    out = run_mlflow(mlflow_server, """
        import mlflow, os, tempfile
        from mlflow import MlflowClient
        mlflow.set_experiment("mlflow-artifacts")
        src = tempfile.mkdtemp()
        os.makedirs(os.path.join(src, "plots", "deep"))
        open(os.path.join(src, "plots", "a.txt"), "w").write("alpha")
        open(os.path.join(src, "plots", "deep", "b.bin"), "wb").write(bytes(range(256)) * 4096)
        open(os.path.join(src, "single.txt"), "w").write("one file")
        with mlflow.start_run() as run:
            mlflow.log_artifact(os.path.join(src, "single.txt"))
            mlflow.log_artifacts(os.path.join(src, "plots"), artifact_path="plots")
            mlflow.log_dict({"lr": 0.1, "layers": [1, 2]}, "config/params.json")
            mlflow.log_text("hello text", "notes/readme.txt")
        client = MlflowClient()
        root = sorted((f.path, f.is_dir, f.file_size) for f in client.list_artifacts(run.info.run_id))
        plots = sorted((f.path, f.is_dir, f.file_size) for f in client.list_artifacts(run.info.run_id, "plots"))
        dst = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, dst_path=tempfile.mkdtemp())
        files = {}
        for d, _, names in os.walk(dst):
            for n in names:
                p = os.path.join(d, n)
                files[os.path.relpath(p, dst)] = os.path.getsize(p)
        emit({"run_id": run.info.run_id, "uri": run.info.artifact_uri, "root": root, "plots": plots, "files": files,
              "dict": mlflow.artifacts.load_dict(run.info.artifact_uri + "/config/params.json"),
              "text": mlflow.artifacts.load_text(run.info.artifact_uri + "/notes/readme.txt")})
    """)
    assert out["uri"].startswith("mlflow-artifacts:/") and out["uri"].endswith(f"/{out['run_id']}/artifacts")
    assert out["root"] == [["config", True, None], ["notes", True, None], ["plots", True, None],
                           ["single.txt", False, 8]]
    assert out["plots"] == [["plots/a.txt", False, 5], ["plots/deep", True, None]]
    assert out["files"] == {"single.txt": 8, "plots/a.txt": 5, "plots/deep/b.bin": 256 * 4096,
                            "config/params.json": out["files"]["config/params.json"], "notes/readme.txt": 10}
    assert out["dict"] == {"lr": 0.1, "layers": [1, 2]} and out["text"] == "hello text"
    # The same files through ML Hub's own API: the run's artifacts, by name
    arts = mlflow_server.api("GET", f"runs/{out['run_id']}/artifacts").json()["artifacts"]
    assert {a["name"]: a["size"] for a in arts}["plots/deep/b.bin"] == 256 * 4096
    got = mlflow_server.api("GET", f"runs/{out['run_id']}/artifacts/notes/readme.txt")
    assert got.content == b"hello text"


def test_autolog_register_alias_load_and_serve(mlflow_server):  # type: ignore[no-untyped-def]
    out = run_mlflow(mlflow_server, """
        import mlflow
        from mlflow import MlflowClient
        from sklearn.datasets import load_iris
        from sklearn.linear_model import LogisticRegression
        mlflow.set_experiment("mlflow-models")
        X, y = load_iris(return_X_y=True, as_frame=True)
        mlflow.sklearn.autolog(silent=True)
        with mlflow.start_run() as run:
            clf = LogisticRegression(C=0.5, max_iter=300).fit(X, y)
        mlflow.sklearn.autolog(disable=True)
        client = MlflowClient()
        r = client.get_run(run.info.run_id)
        auto = mlflow.search_logged_models(experiment_ids=[run.info.experiment_id], output_format="list")
        # autolog's model (a pickle) registers from its run; ML Hub keeps it but does not serve it
        auto_mv = mlflow.register_model(f"runs:/{run.info.run_id}/model", "iris-autolog")
        # log_model (skops: MLflow's default) + register + alias + load in a fresh process
        with mlflow.start_run():
            info = mlflow.sklearn.log_model(clf, name="clf", input_example=X.iloc[:3],
                                            pip_requirements=["scikit-learn"])
        mv = mlflow.register_model(info.model_uri, "iris-mlflow")
        client.set_registered_model_alias("iris-mlflow", "champion", mv.version)
        client.set_registered_model_tag("iris-mlflow", "team", "vision")
        client.set_model_version_tag("iris-mlflow", mv.version, "validated", "yes")
        sample = X.iloc[[0, 60, 120, 7]]
        by_alias = client.get_model_version_by_alias("iris-mlflow", "champion")
        rm = client.get_registered_model("iris-mlflow")
        found = client.search_registered_models(filter_string="name LIKE 'iris-m%'")
        versions = client.search_model_versions("name = 'iris-mlflow'")
        loaded = mlflow.pyfunc.load_model("models:/iris-mlflow@champion")   # downloaded through ML Hub's proxy
        emit({"run_id": run.info.run_id, "params": r.data.params, "metrics": r.data.metrics,
              "auto": [(m.name, m.source_run_id, str(m.status), m.model_id) for m in auto],
              "auto_version": auto_mv.version, "version": mv.version, "model_id": info.model_id,
              "original": clf.predict(sample).tolist(), "loaded": [int(v) for v in loaded.predict(sample)],
              "alias_version": by_alias.version, "aliases": rm.aliases,
              "rm_tags": rm.tags, "found": [m.name for m in found], "versions": [(v.version, v.tags) for v in versions],
              "sample": sample.values.tolist()})
    """, timeout=240, env={"MLFLOW_REQUIREMENTS_INFERENCE_TIMEOUT": "1"})
    # (autolog infers the model's pip requirements in a subprocess that imports MLflow again: ~10 s
    # here; with a 1 s limit MLflow falls back to its default requirements, which is all this needs)
    # autolog: params, training metrics and the model are in ML Hub
    assert out["params"]["C"] == "0.5" and out["params"]["max_iter"] == "300"
    assert 0.9 < out["metrics"]["training_accuracy_score"] <= 1.0
    [(name, source_run, status, auto_id)] = out["auto"]
    assert (name, source_run) == ("model", out["run_id"]) and status.endswith("READY")
    run = mlflow_server.api("GET", f"runs/{out['run_id']}").json()
    assert run["project"] == "mlflow-models" and run["params"]["C"] == "0.5"
    assert run["latest_metrics"]["training_accuracy_score"] == out["metrics"]["training_accuracy_score"]
    names = [a["name"] for a in mlflow_server.api("GET", f"runs/{out['run_id']}/artifacts").json()["artifacts"]]
    assert f"models/{auto_id}/MLmodel" in names and f"models/{auto_id}/model.pkl" in names
    # registry: the alias, the tags; the alias is an ML Hub stage
    assert out["auto_version"] == "1" and out["version"] == "1" and out["alias_version"] == "1"
    assert out["aliases"] == {"champion": "1"} and out["rm_tags"] == {"team": "vision"}
    assert out["found"] == ["iris-mlflow"] and out["versions"] == [["1", {"validated": "yes"}]]
    model = mlflow_server.api("GET", "models/iris-mlflow").json()
    assert model["aliases"] == {"champion": 1} and model["latest"]["model_type"] == "sklearn"
    assert model["latest"]["estimator"].endswith("LogisticRegression")
    # pyfunc.load_model("models:/iris-mlflow@champion") predicts what the original did
    assert out["loaded"] == out["original"]
    # ML Hub's own predictions route serves the skops file (same trusted-types check as its own models)
    served = mlflow_server.api("POST", "models/iris-mlflow/predictions",
                               json={"stage": "champion", "inputs": out["sample"], "store": False})
    assert served.status_code == 200, served.text
    assert [o["prediction"] for o in served.json()["outputs"]] == out["original"]
    # ... and refuses the pickle, saying what it serves
    refused = mlflow_server.api("POST", "models/iris-autolog/predictions", json={"inputs": out["sample"]})
    assert refused.status_code == 409, refused.text
    message = refused.json()["error"]["message"]
    assert "pickle" in message and "skops" in message
    assert "mlflow.pyfunc.load_model('models:/iris-autolog/1')" in message


def test_a_stranger_gets_resource_does_not_exist(mlflow_server):  # type: ignore[no-untyped-def]
    # alice's private experiment, run, file and model, through MLflow's REST API as its client sends it
    api = mlflow_server.url + "mlhub/mlflow/api/2.0/mlflow/"
    alice = {"Authorization": f"Bearer {mlflow_server.token}"}
    exp = requests.post(api + "experiments/create", json={"name": "mlflow-private"}, headers=alice, timeout=10).json()
    run = requests.post(api + "runs/create", json={"experiment_id": exp["experiment_id"]}, headers=alice,
                        timeout=10).json()["run"]
    out = {"run_id": run["info"]["run_id"], "uri": run["info"]["artifact_uri"]}
    base = mlflow_server.url + "mlhub/mlflow/api/2.0/mlflow-artifacts/artifacts"
    path = out["uri"].removeprefix("mlflow-artifacts:/")
    assert requests.put(f"{base}/{path}/s.txt", data=b"secret", headers=alice, timeout=10).status_code == 200
    assert requests.post(api + "registered-models/create", json={"name": "private-model"}, headers=alice,
                         timeout=10).status_code == 200
    bob = token_for(mlflow_server, "bob")
    got = run_mlflow(mlflow_server, """
        from mlflow import MlflowClient
        from mlflow.exceptions import MlflowException
        client = MlflowClient()
        seen = {}
        for what, call in [("model", lambda: client.get_registered_model("private-model")),
                           ("alias", lambda: client.set_registered_model_alias("private-model", "x", "1")),
                           ("version", lambda: client.create_model_version("private-model", "models:/m-0", None))]:
            try:
                call()
                seen[what] = "no error"
            except MlflowException as e:
                seen[what] = e.error_code
        emit({"seen": seen, "search": [m.name for m in client.search_registered_models()]})
    """, token=bob)
    assert got["seen"] == {"model": "RESOURCE_DOES_NOT_EXIST", "alias": "RESOURCE_DOES_NOT_EXIST",
                           "version": "RESOURCE_DOES_NOT_EXIST"}
    assert got["search"] == []
    # alice reads her file and its listing; bob gets MLflow's 404 for both, as for a missing one
    mine = requests.get(f"{base}/{path}/s.txt", headers=alice, timeout=10)
    assert mine.content == b"secret"
    listing = requests.get(base, params={"path": path}, headers=alice, timeout=10).json()
    assert listing == {"files": [{"path": "s.txt", "is_dir": False, "file_size": 6}]}
    for url, params in ((f"{base}/{path}/s.txt", None), (base, {"path": path}),
                        (f"{base}/registered-models/private-model/1/MLmodel", None)):
        r = requests.get(url, params=params, headers={"Authorization": f"Bearer {bob}"}, timeout=10)
        assert r.status_code == 404 and r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST", r.text
    upload = requests.put(f"{base}/{path}/evil.txt", data=b"x", headers={"Authorization": f"Bearer {bob}"}, timeout=10)
    assert upload.status_code == 404 and upload.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    names = {a["name"] for a in mlflow_server.api("GET", f"runs/{out['run_id']}/artifacts").json()["artifacts"]}
    assert names == {"s.txt"}
