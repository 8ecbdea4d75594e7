"""MLflow's model registry, logged models and artifact proxy at the service seam (SQLite and PostgreSQL)."""
from __future__ import annotations

import json

import pytest

from mlhub_ext.core.errors import MLHubError
from mlhub_ext.services.mlflow import artifacts, experiments, logged_models, registry as reg
from mlhub_ext.services.mlflow.errors import MlflowError, from_mlhub

MLMODEL_SKOPS = """
flavors:
  python_function: {loader_module: mlflow.sklearn, model_path: model.skops}
  sklearn: {pickled_model: model.skops, serialization_format: skops, sklearn_version: 1.9.1}
signature:
  inputs: '[{"type": "double", "name": "a", "required": true}, {"type": "long", "name": "b", "required": false}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
"""
MLMODEL_PICKLE = """
flavors:
  sklearn: {pickled_model: model.pkl, serialization_format: cloudpickle}
signature:
  inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 3]}}]'
"""


@pytest.fixture
def hub(db_url, tmp_path):  # type: ignore[no-untyped-def]
    from mlhub_ext.store import open_registry

    r = open_registry(db_url, artifact_root=str(tmp_path / "blobs"))
    yield r
    r.store.close()


def _logged_model(hub, user: str, files: dict[str, bytes],  # type: ignore[no-untyped-def]
                  exp_name: str = "exp") -> tuple[str, str]:
    exp = experiments.create_experiment(hub, user, {"name": exp_name})["experiment_id"]
    model = logged_models.create_logged_model(hub, user, {"experiment_id": exp, "name": "clf",
                                                          "tags": [{"key": "k", "value": "v"}]})["model"]
    root = model["info"]["artifact_uri"].removeprefix("mlflow-artifacts:/")
    for name, data in files.items():
        artifacts.upload_artifact(hub, user, f"{root}/{name}", [data])
    logged_models.finalize_logged_model(hub, user, {"model_id": model["info"]["model_id"],
                                                    "status": "LOGGED_MODEL_READY"})
    return exp, model["info"]["model_id"]


def _skops_bytes() -> bytes:
    import skops.io as sio
    from sklearn.linear_model import LinearRegression

    return sio.dumps(LinearRegression().fit([[0, 1], [1, 0], [2, 2]], [0, 1, 2]))


def test_logged_model_lifecycle_and_search(hub) -> None:  # type: ignore[no-untyped-def]
    exp, model_id = _logged_model(hub, "alice", {"MLmodel": MLMODEL_PICKLE.encode(), "model.pkl": b"\x80 not loaded",
                                                 "sub/extra.txt": b"x"})
    got = logged_models.get_logged_model(hub, "alice", {"model_id": model_id})["model"]["info"]
    assert got["status"] == "LOGGED_MODEL_READY" and got["name"] == "clf"
    assert got["tags"] == [{"key": "k", "value": "v"}] and got["source_run_id"] == ""
    logged_models.set_logged_model_tags(hub, "alice", {"model_id": model_id, "tags": [{"key": "t", "value": "1"}]})
    logged_models.log_logged_model_params(hub, "alice", {"model_id": model_id, "params": [{"key": "p", "value": "2"}]})
    logged_models.delete_logged_model_tag(hub, "alice", {"model_id": model_id, "tag_key": "k"})
    found = logged_models.search_logged_models(hub, "alice", {"experiment_ids": [exp], "filter": "name = 'clf'"})
    [only] = found["models"]
    assert only["info"]["tags"] == [{"key": "t", "value": "1"}]
    assert only["data"]["params"] == [{"key": "p", "value": "2"}]
    assert logged_models.search_logged_models(hub, "alice", {"experiment_ids": [exp], "filter": "name = 'x'"}) == \
        {"models": []}
    listed = logged_models.list_logged_model_artifacts(hub, "alice", {"model_id": model_id})
    assert [f["path"] for f in listed["files"]] == ["MLmodel", "model.pkl", "sub"]
    # the files are the holding run's artifacts; the run's own listing in MLflow does not show them
    run_id = model_id[2:34]
    assert sorted(a.name for a in hub.list_artifacts("alice", run_id))[0] == f"models/{model_id}/MLmodel"
    assert artifacts.list_artifacts(hub, "alice", f"{exp}/{run_id}/artifacts") == {"files": []}
    with pytest.raises(MlflowError) as e:
        logged_models.get_logged_model(hub, "bob", {"model_id": model_id})
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowError) as e:
        logged_models.finalize_logged_model(hub, "alice", {"model_id": model_id, "status": "BOGUS"})
    assert e.value.error_code == "INVALID_PARAMETER_VALUE" and "LOGGED_MODEL_READY" in e.value.message
    assert logged_models.match("GET", f"logged-models/{model_id}") == (logged_models.get_logged_model,
                                                                      {"model_id": model_id})
    assert logged_models.match("DELETE", f"logged-models/{model_id}/tags/a/b")[1] == {"model_id": model_id,
                                                                                       "tag_key": "a/b"}


def test_registered_models_versions_aliases_and_files(hub) -> None:  # type: ignore[no-untyped-def]
    skops = _skops_bytes()
    _, skops_id = _logged_model(hub, "alice", {"MLmodel": MLMODEL_SKOPS.encode(), "model.skops": skops}, "e1")
    _, pickle_id = _logged_model(hub, "alice", {"MLmodel": MLMODEL_PICKLE.encode(), "model.pkl": b"\x80x"}, "e2")
    rm = reg.create_registered_model(hub, "alice", {"name": "m", "description": "d",
                                                    "tags": [{"key": "team", "value": "a"}]})["registered_model"]
    assert rm["name"] == "m" and rm["tags"] == [{"key": "team", "value": "a"}] and "latest_versions" not in rm
    with pytest.raises(MlflowError) as e:
        reg.create_registered_model(hub, "bob", {"name": "m"})
    assert e.value.error_code == "RESOURCE_ALREADY_EXISTS"
    v1 = reg.create_model_version(hub, "alice", {"name": "m", "source": f"models:/{skops_id}", "model_id": skops_id,
                                                 "tags": [{"key": "q", "value": "1"}]})["model_version"]
    v2 = reg.create_model_version(hub, "alice", {"name": "m", "source": f"models:/{pickle_id}"})["model_version"]
    assert (v1["version"], v2["version"]) == ("1", "2") and v1["model_id"] == skops_id and v1["status"] == "READY"
    assert v1["tags"] == [{"key": "q", "value": "1"}] and v1["run_id"] == skops_id[2:34]
    # how ML Hub keeps them: the skops one is served (schema from the signature), the pickle is not
    models = artifacts.models_of(hub)
    mv1, mv2 = models.get_version("alice", "m", 1), models.get_version("alice", "m", 2)
    assert mv1.model_type == "sklearn" and mv1.estimator == "sklearn.linear_model._base.LinearRegression"
    assert mv1.input_schema == [{"name": "a", "dtype": "float"}, {"name": "b", "dtype": "int", "nullable": True}]
    assert hub.blobs.read(mv1.artifact_sha256) == skops
    assert mv2.model_type == reg.MLFLOW_MODEL_TYPE and "cloudpickle" in mv2.spec["mlflow"]["not_served"]
    assert mv2.input_schema == [{"name": f"x{i}", "dtype": "float"} for i in range(3)]
    # aliases are stages
    reg.set_alias(hub, "alice", {"name": "m", "alias": "champion", "version": "1"})
    assert models.get_model("alice", "m").aliases == {"champion": 1}
    got = reg.get_version_by_alias(hub, "alice", {"name": "m", "alias": "champion"})["model_version"]
    assert got["version"] == "1" and got["aliases"] == ["champion"]
    reg.transition_stage(hub, "alice", {"name": "m", "version": "2", "stage": "Production"})
    latest = reg.get_latest_versions(hub, "alice", {"name": "m", "stages": ["Production", "None"]})["model_versions"]
    assert [(v["version"], v["current_stage"]) for v in latest] == [("2", "Production"), ("2", "None")]
    reg.delete_alias(hub, "alice", {"name": "m", "alias": "production"})
    with pytest.raises(MlflowError) as e:
        reg.get_version_by_alias(hub, "alice", {"name": "m", "alias": "production"})
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    # tags, description, search
    reg.set_registered_model_tag(hub, "alice", {"name": "m", "key": "flag", "value": ""})
    reg.delete_registered_model_tag(hub, "alice", {"name": "m", "key": "team"})
    reg.set_model_version_tag(hub, "alice", {"name": "m", "version": "2", "key": "ok", "value": "yes"})
    reg.delete_model_version_tag(hub, "alice", {"name": "m", "version": "1", "key": "q"})
    reg.update_registered_model(hub, "alice", {"name": "m", "description": "new"})
    reg.update_model_version(hub, "alice", {"name": "m", "version": "2", "description": "v2"})
    rm = reg.get_registered_model(hub, "alice", {"name": "m"})["registered_model"]
    assert rm["tags"] == [{"key": "flag", "value": ""}] and rm["description"] == "new"
    assert rm["aliases"] == [{"alias": "champion", "version": "1"}] and rm["latest_versions"][0]["version"] == "2"
    [by_name] = reg.search_registered_models(hub, "alice", {"filter": "name LIKE 'm%'"})["registered_models"]
    assert by_name["name"] == "m"
    assert reg.search_registered_models(hub, "alice", {"filter": "tags.flag = ''"})["registered_models"]
    prompts_excluded = "name = 'm' AND tag.`mlflow.prompt.is_prompt` != 'true'"   # what MLflow 3's client adds
    assert len(reg.search_registered_models(hub, "alice", {"filter": prompts_excluded})["registered_models"]) == 1
    assert reg.search_registered_models(hub, "alice", {"filter": "tags.flag = 'x'"})["registered_models"] == []
    assert reg.search_registered_models(hub, "bob", {})["registered_models"] == []
    versions = reg.search_model_versions(hub, "alice", {"filter": "name = 'm' AND tags.ok = 'yes'"})["model_versions"]
    assert [(v["version"], v["description"]) for v in versions] == [("2", "v2")]
    # files through the proxy, and access rules
    uri = reg.get_download_uri(hub, "alice", {"name": "m", "version": "1"})["artifact_uri"]
    path = uri.removeprefix("mlflow-artifacts:/")
    assert path == "registered-models/m/1"
    assert [f["path"] for f in artifacts.list_artifacts(hub, "alice", path)["files"]] == ["MLmodel", "model.skops"]
    sha, size, f = artifacts.open_artifact(hub, "alice", path + "/model.skops")
    with f:
        assert f.read() == skops and size == len(skops)
    for fn, req in ((reg.get_registered_model, {"name": "m"}), (reg.get_download_uri, {"name": "m", "version": "1"}),
                    (reg.set_alias, {"name": "m", "alias": "x", "version": "1"})):
        with pytest.raises(MlflowError) as e:
            fn(hub, "bob", req)
        assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST" and e.value.status == 404
    with pytest.raises(MlflowError) as e:
        artifacts.list_artifacts(hub, "bob", path)
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowError) as e:
        artifacts.upload_artifact(hub, "alice", path + "/x", [b"x"])
    assert e.value.error_code == "PERMISSION_DENIED"
    # a stranger cannot rename or delete what they cannot see
    for fn, req in ((reg.delete_registered_model, {"name": "m"}),
                    (reg.rename_registered_model, {"name": "m", "new_name": "n"}),
                    (reg.delete_model_version, {"name": "m", "version": "1"})):
        with pytest.raises(MlflowError) as e:
            fn(hub, "bob", req)
        assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST" and e.value.status == 404


def _code(fn, *args) -> str:  # type: ignore[no-untyped-def]
    """MLflow's error code for the call, as the HTTP layer answers it (ML Hub's errors translated)."""
    with pytest.raises((MlflowError, MLHubError)) as e:
        fn(*args)
    err = e.value if isinstance(e.value, MlflowError) else from_mlhub(e.value)
    return str(err.error_code)


def test_rename_and_delete_registered_models_and_versions(hub) -> None:  # type: ignore[no-untyped-def]
    models = artifacts.models_of(hub)
    _, model_id = _logged_model(hub, "alice", {"MLmodel": MLMODEL_PICKLE.encode(), "model.pkl": b"\x80 kept"})
    for name in ("m", "taken"):
        reg.create_registered_model(hub, "alice", {"name": name})
    for _ in range(3):
        reg.create_model_version(hub, "alice", {"name": "m", "source": f"models:/{model_id}"})
    reg.set_alias(hub, "alice", {"name": "m", "alias": "champion", "version": "3"})
    models.set_member("alice", "m", "bob", "edit")

    assert _code(reg.rename_registered_model, hub, "alice", {"name": "m", "new_name": "taken"}) == \
        "RESOURCE_ALREADY_EXISTS"
    assert _code(reg.rename_registered_model, hub, "alice", {"name": "m", "new_name": "a/b"}) == \
        "INVALID_PARAMETER_VALUE"
    assert _code(reg.rename_registered_model, hub, "alice", {"name": "m"}) == "INVALID_PARAMETER_VALUE"
    assert _code(reg.rename_registered_model, hub, "bob", {"name": "m", "new_name": "n"}) == "PERMISSION_DENIED"
    assert _code(reg.delete_model_version, hub, "bob", {"name": "m", "version": "1"}) == "PERMISSION_DENIED"
    rm = reg.rename_registered_model(hub, "alice", {"name": "m", "new_name": "n"})["registered_model"]
    assert rm["name"] == "n" and rm["aliases"] == [{"alias": "champion", "version": "3"}]
    assert rm["latest_versions"][0]["name"] == "n" and rm["latest_versions"][0]["version"] == "3"
    assert _code(reg.get_registered_model, hub, "alice", {"name": "m"}) == "RESOURCE_DOES_NOT_EXIST"
    assert reg.get_download_uri(hub, "alice", {"name": "n", "version": "1"})["artifact_uri"] == \
        "mlflow-artifacts:/registered-models/n/1"
    assert [f["path"] for f in artifacts.list_artifacts(hub, "alice", "registered-models/n/1")["files"]] == \
        ["MLmodel", "model.pkl"]

    assert reg.delete_model_version(hub, "alice", {"name": "n", "version": "3"}) == {}
    assert _code(reg.get_model_version, hub, "alice", {"name": "n", "version": "3"}) == "RESOURCE_DOES_NOT_EXIST"
    assert _code(reg.delete_model_version, hub, "alice", {"name": "n", "version": "3"}) == "RESOURCE_DOES_NOT_EXIST"
    assert _code(reg.get_version_by_alias, hub, "alice", {"name": "n", "alias": "champion"}) == \
        "RESOURCE_DOES_NOT_EXIST"
    rm = reg.get_registered_model(hub, "alice", {"name": "n"})["registered_model"]
    assert rm["aliases"] == [] and rm["latest_versions"][0]["version"] == "2"
    again = reg.create_model_version(hub, "alice", {"name": "n", "source": f"models:/{model_id}"})["model_version"]
    assert again["version"] == "4"                                   # 3 is not given again

    assert _code(reg.delete_registered_model, hub, "bob", {"name": "n"}) == "PERMISSION_DENIED"
    assert reg.delete_registered_model(hub, "alice", {"name": "n"}) == {}
    assert _code(reg.get_registered_model, hub, "alice", {"name": "n"}) == "RESOURCE_DOES_NOT_EXIST"
    assert _code(reg.delete_registered_model, hub, "alice", {"name": "n"}) == "RESOURCE_DOES_NOT_EXIST"
    assert [m["name"] for m in reg.search_registered_models(hub, "alice", {})["registered_models"]] == ["taken"]
    # the logged model the versions came from keeps its files
    listed = logged_models.list_logged_model_artifacts(hub, "alice", {"model_id": model_id})
    assert [f["path"] for f in listed["files"]] == ["MLmodel", "model.pkl"]


def test_delete_logged_model(hub) -> None:  # type: ignore[no-untyped-def]
    exp, model_id = _logged_model(hub, "alice", {"MLmodel": MLMODEL_PICKLE.encode(), "model.pkl": b"\x80 x"})
    _, other_id = _logged_model(hub, "alice", {"MLmodel": MLMODEL_PICKLE.encode(), "model.pkl": b"\x80 y"}, "exp2")
    reg.create_registered_model(hub, "alice", {"name": "kept"})
    reg.create_model_version(hub, "alice", {"name": "kept", "source": f"models:/{model_id}"})
    assert _code(logged_models.delete_logged_model, hub, "bob", {"model_id": model_id}) == "RESOURCE_DOES_NOT_EXIST"
    assert logged_models.delete_logged_model(hub, "alice", {"model_id": model_id}) == {}
    assert _code(logged_models.get_logged_model, hub, "alice", {"model_id": model_id}) == "RESOURCE_DOES_NOT_EXIST"
    assert _code(logged_models.delete_logged_model, hub, "alice", {"model_id": model_id}) == \
        "RESOURCE_DOES_NOT_EXIST"
    assert logged_models.search_logged_models(hub, "alice", {"experiment_ids": [exp]}) == {"models": []}
    assert logged_models.get_logged_model(hub, "alice", {"model_id": other_id})["model"]["info"]["name"] == "clf"
    # the version registered from it keeps its files
    files = artifacts.list_artifacts(hub, "alice", "registered-models/kept/1")["files"]
    assert [f["path"] for f in files] == ["MLmodel", "model.pkl"]


def test_a_model_folder_in_a_runs_artifacts_registers(hub) -> None:  # type: ignore[no-untyped-def]
    """MLflow 2's layout (or log_artifacts of a saved model): runs:/<run>/model and the
    mlflow-artifacts URI MLflow's client turns it into."""
    from mlhub_ext.services.mlflow import runs

    exp = experiments.create_experiment(hub, "alice", {"name": "old-style"})["experiment_id"]
    info = runs.create_run(hub, "alice", {"experiment_id": exp})["run"]["info"]
    root = info["artifact_uri"].removeprefix("mlflow-artifacts:/")
    for name, data in (("model/MLmodel", MLMODEL_PICKLE.encode()), ("model/model.pkl", b"x"), ("other.txt", b"y")):
        artifacts.upload_artifact(hub, "alice", f"{root}/{name}", [data])
    reg.create_registered_model(hub, "alice", {"name": "old"})
    for source in (f"runs:/{info['run_id']}/model", f"{info['artifact_uri']}/model"):
        v = reg.create_model_version(hub, "alice", {"name": "old", "source": source, "run_id": info["run_id"]})
        files = artifacts.list_artifacts(hub, "alice", f"registered-models/old/{v['model_version']['version']}")
        assert [f["path"] for f in files["files"]] == ["MLmodel", "model.pkl"]
        assert v["model_version"]["run_id"] == info["run_id"] and v["model_version"]["source"] == source


def test_an_ml_hub_trained_version_loads_with_mlflow(hub, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A version trained by ML Hub (a skops file, no MLflow files) downloads as an MLflow model:
    an MLmodel written for it next to its skops file, loadable by the real mlflow.pyfunc.load_model."""
    import subprocess

    from tests.services.mlflow_client import ensure_mlflow_venv

    skops = _skops_bytes()
    models = artifacts.models_of(hub)
    models.register_version("alice", "native", {"model_bytes": skops, "model_type": "sklearn",
                                                "estimator_name": "LinearRegression", "task": "regression",
                                                "input_schema": [{"name": "a", "dtype": "float"},
                                                                 {"name": "b", "dtype": "float"}]})
    uri = reg.get_download_uri(hub, "alice", {"name": "native", "version": "1"})["artifact_uri"]
    root = uri.removeprefix("mlflow-artifacts:/")
    listed = artifacts.list_artifacts(hub, "alice", root)["files"]
    assert [f["path"] for f in listed] == ["MLmodel", "model.skops"]
    for f in listed:
        _, _, fh = artifacts.open_artifact(hub, "alice", f"{root}/{f['path']}")
        with fh:
            (tmp_path / f["path"]).write_bytes(fh.read())
    assert (tmp_path / "model.skops").read_bytes() == skops
    code = ("import sys, mlflow, pandas as pd; m = mlflow.pyfunc.load_model(sys.argv[1]); "
            "print(m.metadata.get_input_schema().input_names()); "
            "X = pd.DataFrame([[0.0, 1.0], [3.0, 3.0]], columns=['a', 'b']); "
            "print([round(float(x), 6) for x in m.predict(X)])")
    proc = subprocess.run([str(ensure_mlflow_venv()), "-c", code, str(tmp_path)], capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "MLFLOW_DISABLE_TELEMETRY": "true",
                                            "PYTHONWARNINGS": "ignore"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    names, predicted = proc.stdout.strip().splitlines()[-2:]
    assert names == "['a', 'b']" and predicted == "[0.0, 3.0]"


def test_bad_sources_and_paths_are_refused(hub) -> None:  # type: ignore[no-untyped-def]
    reg.create_registered_model(hub, "alice", {"name": "m"})
    _, no_mlmodel = _logged_model(hub, "alice", {"model.pkl": b"x"})
    cases = [({"name": "m", "source": "s3://bucket/x"}, "INVALID_PARAMETER_VALUE", "models:/"),
             ({"name": "m", "source": f"models:/{no_mlmodel}"}, "INVALID_PARAMETER_VALUE", "MLmodel"),
             ({"name": "nope", "source": f"models:/{no_mlmodel}"}, "RESOURCE_DOES_NOT_EXIST", "nope"),
             ({"name": "m", "source": "models:/m-0"}, "RESOURCE_DOES_NOT_EXIST", "m-0")]
    for req, code, says in cases:
        with pytest.raises(MlflowError) as e:
            reg.create_model_version(hub, "alice", req)
        assert e.value.error_code == code and says in e.value.message, (req, e.value.message)
    for path in ("../etc/passwd", "1/abc/artifacts", "1/" + "a" * 32 + "/artifacts/../x", "registered-models/m/x"):
        with pytest.raises(MlflowError) as e:
            artifacts.list_artifacts(hub, "alice", path)
        assert e.value.error_code in ("INVALID_PARAMETER_VALUE", "RESOURCE_DOES_NOT_EXIST"), path
    answer = reg.get_registered_model(hub, "alice", {"name": "m"})
    assert json.loads(json.dumps(answer)) == answer   # plain JSON, as the handler writes it
