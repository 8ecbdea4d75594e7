"""MLflow's artifact proxy and registry inside the Jupyter server (local mode), through jp_fetch:
streamed PUT/GET through Jupyter's own handler, the listing shape, errors in MLflow's shape,
and a version registered from a logged model that ML Hub refuses to serve (a pickle)."""
from __future__ import annotations

import json

import pytest
from tornado.httpclient import HTTPClientError

API = "mlhub/mlflow/api/2.0/mlflow"
ARTIFACTS = "mlhub/mlflow/api/2.0/mlflow-artifacts/artifacts"
MLMODEL = b"""flavors:
  sklearn: {pickled_model: model.pkl, serialization_format: pickle}
"""


async def _call(jp_fetch, route, body, method="POST"):  # type: ignore[no-untyped-def]
    r = await jp_fetch(*f"{API}/{route}".split("/"), method=method, body=json.dumps(body),
                       allow_nonstandard_methods=True)
    return json.loads(r.body)


async def test_artifacts_and_registry_in_local_mode(jp_fetch):  # type: ignore[no-untyped-def]
    exp = (await _call(jp_fetch, "experiments/create", {"name": "lab-artifacts"}))["experiment_id"]
    run = (await _call(jp_fetch, "runs/create", {"experiment_id": exp}))["run"]["info"]
    root = run["artifact_uri"].removeprefix("mlflow-artifacts:/")
    big = bytes(range(256)) * 20_000    # 5 MB: several chunks through data_received
    r = await jp_fetch(*f"{ARTIFACTS}/{root}/dir/big.bin".split("/"), method="PUT", body=big)
    assert r.code == 200 and json.loads(r.body) == {}
    r = await jp_fetch(*ARTIFACTS.split("/"), params={"path": root})
    assert json.loads(r.body) == {"files": [{"path": "dir", "is_dir": True}]}
    r = await jp_fetch(*ARTIFACTS.split("/"), params={"path": f"{root}/dir"})
    assert json.loads(r.body) == {"files": [{"path": "big.bin", "is_dir": False, "file_size": len(big)}]}
    r = await jp_fetch(*f"{ARTIFACTS}/{root}/dir/big.bin".split("/"))
    assert r.body == big and r.headers["Content-Length"] == str(len(big))
    with pytest.raises(HTTPClientError) as e:
        await jp_fetch(*f"{ARTIFACTS}/{root}/missing.txt".split("/"))
    assert e.value.code == 404 and json.loads(e.value.response.body)["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(HTTPClientError) as e:
        await jp_fetch(*f"{ARTIFACTS}/{root}/dir/big.bin".split("/"), method="DELETE")
    assert e.value.code == 501 and "does not delete artifacts" in json.loads(e.value.response.body)["message"]

    # a logged model (MLflow 3's routes with the id in the path), its files, a version of it
    model = (await _call(jp_fetch, "logged-models", {"experiment_id": exp, "name": "m",
                                                      "source_run_id": run["run_id"]}))["model"]["info"]
    mid = model["model_id"]
    mroot = model["artifact_uri"].removeprefix("mlflow-artifacts:/")
    for name, data in (("MLmodel", MLMODEL), ("model.pkl", b"\x80\x04not-unpickled")):
        await jp_fetch(*f"{ARTIFACTS}/{mroot}/{name}".split("/"), method="PUT", body=data)
    done = await _call(jp_fetch, f"logged-models/{mid}", {"model_id": mid, "status": "LOGGED_MODEL_READY"}, "PATCH")
    assert done["model"]["info"]["status"] == "LOGGED_MODEL_READY"
    r = await jp_fetch(*f"{API}/logged-models/{mid}".split("/"))
    assert json.loads(r.body)["model"]["info"]["source_run_id"] == run["run_id"]
    await _call(jp_fetch, "registered-models/create", {"name": "lab-model"})
    v = (await _call(jp_fetch, "model-versions/create", {"name": "lab-model", "source": f"models:/{mid}",
                                                          "model_id": mid}))["model_version"]
    assert v["version"] == "1" and v["status"] == "READY"
    await _call(jp_fetch, "registered-models/alias", {"name": "lab-model", "alias": "champion", "version": "1"})
    r = await jp_fetch(*f"{API}/registered-models/alias".split("/"), params={"name": "lab-model", "alias": "champion"})
    assert json.loads(r.body)["model_version"]["aliases"] == ["champion"]
    r = await jp_fetch(*f"{API}/model-versions/get-download-uri".split("/"),
                       params={"name": "lab-model", "version": "1"})
    uri = json.loads(r.body)["artifact_uri"]
    r = await jp_fetch(*f"{ARTIFACTS}/{uri.removeprefix('mlflow-artifacts:/')}/MLmodel".split("/"))
    assert r.body == MLMODEL
    # a registered model with no version yet is an ML Hub model like the others
    await _call(jp_fetch, "registered-models/create", {"name": "empty-model", "description": "soon"})
    r = await jp_fetch("mlhub", "api", "v1", "models", "empty-model")
    got = json.loads(r.body)
    assert (got["version_count"], got["latest"], got["description"]) == (0, None, "soon")
    r = await jp_fetch("mlhub", "api", "v1", "models")
    assert {m["name"] for m in json.loads(r.body)["models"]} == {"lab-model", "empty-model"}
    for path in (("home",), ("me",), ("models", "empty-model", "versions")):
        assert (await jp_fetch("mlhub", "api", "v1", *path)).code == 200
    with pytest.raises(HTTPClientError) as e:
        await jp_fetch("mlhub", "api", "v1", "models", "empty-model", "predictions", method="POST",
                       body=json.dumps({"inputs": [[1.0]]}))
    assert e.value.code == 404
    # ML Hub's predictions route does not load the pickle (not even in local mode) and says what it serves
    with pytest.raises(HTTPClientError) as e:
        await jp_fetch("mlhub", "api", "v1", "models", "lab-model", "predictions", method="POST",
                       body=json.dumps({"stage": "champion", "inputs": [[1.0]]}))
    err = json.loads(e.value.response.body)["error"]
    assert e.value.code == 409 and "saved as pickle" in err["message"] and "skops" in err["message"]
    # ... nor evaluates it: refused before any job is queued
    with pytest.raises(HTTPClientError) as e:
        await jp_fetch("mlhub", "api", "v1", "models", "lab-model", "versions", "1", "evaluations", method="POST",
                       body=json.dumps({"dataset": "anything"}))
    assert e.value.code == 409 and "mlflow.pyfunc.load_model" in json.loads(e.value.response.body)["error"]["message"]
    r = await jp_fetch("mlhub", "api", "v1", "jobs")
    assert json.loads(r.body)["jobs"] == []
