"""Models over REST in a Jupyter server, training on a real LocalCluster (2 workers on 127.0.0.1).

Covers training, evaluation numbers against scikit-learn's own functions, versions, stages
and their history (racing promotions too), predictions and stored inferences, sweeps,
abort, the digits image flow and every bad input of the issue.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import time
import zipfile
from typing import Any

import numpy as np
import pandas as pd
import pytest
from tornado.httpclient import HTTPClientError

from mlhub_ext.services.model_format import load_skops

CHUNK = 1 << 20
DONE = ("finished", "failed", "aborted")
RF = "sklearn.ensemble.RandomForestClassifier"


@pytest.fixture
def jp_server_config(jp_server_config):  # type: ignore[no-untyped-def]
    cfg = dict(jp_server_config)
    cfg["ServerApp"] = {**cfg["ServerApp"], "tornado_settings": {"mlhub.datasets_in_process": True}}
    return cfg


@pytest.fixture(scope="module", autouse=True)
def cluster():  # type: ignore[no-untyped-def]
    from mlhub_ext.train.cluster import close_cluster

    yield
    close_cluster()


async def call(jp_fetch, method: str, *path: str, body: Any = None, raw: bytes | None = None,  # type: ignore[no-untyped-def]
               headers: dict[str, str] | None = None, **kw: Any) -> tuple[int, Any]:
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    if method in ("POST", "PUT", "PATCH") and data is None:
        data = b""
    try:
        resp = await jp_fetch("mlhub", "api", "v1", *path, method=method, body=data, headers=headers or {},
                              allow_nonstandard_methods=True, **kw)
    except HTTPClientError as e:
        assert e.response is not None
        return e.code, json.loads(e.response.body)
    ctype = resp.headers.get("Content-Type", "")
    return resp.code, (json.loads(resp.body) if resp.body and "json" in ctype else resp.body)


async def upload(jp_fetch, filename: str, data: bytes, **fields: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    code, up = await call(jp_fetch, "POST", "uploads", body={"filename": filename, "size": len(data),
                                                             "chunk_size": CHUNK})
    assert code == 201, up
    for off in range(0, len(data), CHUNK):
        part = data[off:off + CHUNK]
        code, res = await call(jp_fetch, "PUT", "uploads", up["id"], "chunks", str(off), raw=part,
                               headers={"X-Chunk-SHA256": hashlib.sha256(part).hexdigest()})
        assert code == 200, res
    code, res = await call(jp_fetch, "POST", "uploads", up["id"], "complete",
                           body={"sha256": hashlib.sha256(data).hexdigest()})
    assert code == 200, res
    code, res = await call(jp_fetch, "POST", "datasets", body={"upload_id": up["id"], **fields})
    assert code == 201, res
    return res


def iris_frame() -> pd.DataFrame:
    from sklearn.datasets import load_iris

    data = load_iris(as_frame=True)
    frame = data.frame.drop(columns=["target"])
    frame.columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    frame["species"] = np.asarray(data.target_names)[data.target]
    return frame


async def iris_datasets(jp_fetch) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """``iris`` (every 3rd row held out) and ``iris_holdout`` (those rows); returns the holdout."""
    df = iris_frame()
    holdout = df.iloc[::3].reset_index(drop=True)
    train = df.drop(index=df.index[::3]).reset_index(drop=True)
    await upload(jp_fetch, "iris.csv", train.to_csv(index=False).encode(), name="iris")
    await upload(jp_fetch, "iris_holdout.csv", holdout.to_csv(index=False).encode(), name="iris_holdout")
    return holdout


async def wait_job(jp_fetch, job_id: str, until: tuple[str, ...] = DONE, timeout: float = 180) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        code, job = await call(jp_fetch, "GET", "jobs", job_id)
        assert code == 200, job
        if job["state"] in until:
            return job
        assert time.monotonic() < deadline, f"job still {job['state']}: {job}"
        await asyncio.sleep(0.2)


async def train(jp_fetch, **body: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    code, job = await call(jp_fetch, "POST", "jobs", body=body)
    assert code == 202, job
    assert job["state"] == "queued" and job["kind"] == "train"
    return await wait_job(jp_fetch, job["id"])


async def test_train_evaluate_promote_predict_and_inferences(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_score, recall_score

    holdout = await iris_datasets(jp_fetch)
    job = await train(jp_fetch, dataset="iris", target="species", estimator=RF,
                      params={"n_estimators": 25, "random_state": 0}, name="iris_rf", tags=["iris"])
    assert job["state"] == "finished", job
    assert job["version"] == 1 and job["progress"] == 1.0 and job["dataset"] == {"name": "iris", "version": 1}

    code, mv = await call(jp_fetch, "GET", "models", "iris_rf", "versions", "1")
    assert code == 200
    assert mv["estimator"] == "RandomForestClassifier" and mv["model_type"] == "sklearn"
    # A forest takes missing values itself: its numeric features may be null in predictions.
    assert mv["input_schema"][0] == {"name": "sepal_length", "dtype": "float", "nullable": True}
    assert mv["classes"] == ["setosa", "versicolor", "virginica"] and mv["param_count"] > 0
    assert mv["run_id"] == job["run_id"] and mv["evaluation"]["task"] == "classification"
    code, run = await call(jp_fetch, "GET", "runs", job["run_id"])
    assert run["status"] == "finished" and run["project"] == "models-iris_rf"
    assert run["summary"]["accuracy"] == pytest.approx(mv["metrics"]["accuracy"])

    # Evaluate on the holdout dataset; the numbers must be scikit-learn's own.
    code, ej = await call(jp_fetch, "POST", "models", "iris_rf", "versions", "1", "evaluations",
                          body={"dataset": "iris_holdout"})
    assert code == 202 and ej["kind"] == "evaluate"
    ej = await wait_job(jp_fetch, ej["id"])
    assert ej["state"] == "finished", ej
    code, art = await call(jp_fetch, "GET", "models", "iris_rf", "versions", "1", "artifact")
    model = load_skops(art)                      # stored as skops, loaded with the trusted-types check
    X, y = holdout.drop(columns=["species"]), holdout["species"].to_numpy()
    pred = model.predict(X)
    code, ev = await call(jp_fetch, "GET", "models", "iris_rf", "versions", "1", "evaluation")
    assert len(ev["evaluations"]) == 1
    got = ev["evaluations"][0]
    assert got["dataset"] == {"name": "iris_holdout", "version": 1}
    e = got["evaluation"]
    assert e["accuracy"] == pytest.approx(accuracy_score(y, pred))
    assert e["f1_macro"] == pytest.approx(f1_score(y, pred, average="macro"))
    assert e["precision_weighted"] == pytest.approx(precision_score(y, pred, average="weighted"))
    assert e["recall_macro"] == pytest.approx(recall_score(y, pred, average="macro"))
    assert e["confusion_matrix"]["matrix"] == confusion_matrix(y, pred, labels=model.classes_).tolist()

    # A second version, stages, roll back, history.
    job2 = await train(jp_fetch, dataset="iris", target="species", estimator=RF,
                       params={"n_estimators": 5, "random_state": 1}, name="iris_rf")
    assert job2["version"] == 2
    for stage, version in (("staging", 2), ("production", 2), ("production", 1)):
        code, moved = await call(jp_fetch, "PUT", "models", "iris_rf", "aliases", stage, body={"version": version})
        assert code == 200 and moved["version"] == version
    code, al = await call(jp_fetch, "GET", "models", "iris_rf", "aliases")
    assert al["aliases"] == {"production": 1, "staging": 2}
    assert [(h["stage"], h["version"], h["previous"]) for h in al["history"]] == [
        ("production", 1, 2), ("production", 2, None), ("staging", 2, None)]
    code, err = await call(jp_fetch, "PUT", "models", "iris_rf", "aliases", "production", body={"version": 9})
    assert code == 404 and "9" in err["error"]["message"]

    # Predictions from the production stage, as lists and records, stored as inferences.
    row = holdout.iloc[0]
    rows = [[float(v) for v in row[:4]]]
    code, p = await call(jp_fetch, "POST", "models", "iris_rf", "predictions", body={"inputs": rows})
    assert code == 200 and p["version"] == 1 and p["stage"] == "production"
    assert p["outputs"][0]["prediction"] == model.predict(X.iloc[:1])[0]
    assert sum(p["outputs"][0]["probabilities"].values()) == pytest.approx(1.0)
    records = [dict(zip(X.columns, r)) for r in rows]
    code, p2 = await call(jp_fetch, "POST", "models", "iris_rf", "predictions",
                          body={"stage": "staging", "inputs": records})
    assert code == 200 and p2["version"] == 2
    code, p3 = await call(jp_fetch, "POST", "models", "iris_rf", "predictions",
                          body={"version": 1, "inputs": rows, "store": False})
    assert code == 200 and p3["inference_id"] is None
    code, inf = await call(jp_fetch, "GET", "models", "iris_rf", "versions", "1", "inferences")
    assert inf["total"] == 1 and inf["inferences"][0]["inputs"] == rows
    assert inf["inferences"][0]["outputs"] == p["outputs"] and inf["inferences"][0]["user"] == "alice"
    code, csv = await call(jp_fetch, "GET", "models", "iris_rf", "versions", "1", "inferences",
                           params={"format": "csv"})
    lines = csv.decode().strip().splitlines()
    assert lines[0].startswith("id,created_at,user,stage,latency_ms") and len(lines) == 2
    code, rep = await call(jp_fetch, "GET", "models", "iris_rf", "versions", "production", "report")
    assert rep["requests"] == 1 and rep["latency_ms"]["p50"] == pytest.approx(p["latency_ms"])
    code, cat = await call(jp_fetch, "GET", "models", params={"stage": "production", "tag": "iris"})
    assert cat["total"] == 1 and cat["models"][0]["aliases"] == {"production": 1, "staging": 2}
    assert cat["counts"]["versions"] == 2 and cat["counts"]["by_stage"] == {"production": 1, "staging": 1}

    # Bad predictions: 400 naming the expected schema; no inputs: 400.
    code, err = await call(jp_fetch, "POST", "models", "iris_rf", "predictions", body={"inputs": [[1.0, 2.0, 3.0]]})
    assert code == 400 and "expected 4 features: sepal_length (float)" in err["error"]["message"]
    assert err["error"]["details"]["expected"][0]["name"] == "sepal_length"
    code, err = await call(jp_fetch, "POST", "models", "iris_rf", "predictions",
                           body={"inputs": [["a", 1.0, 2.0, 3.0]]})
    assert code == 400 and "sepal_length" in err["error"]["message"]
    code, err = await call(jp_fetch, "POST", "models", "iris_rf", "predictions", body={"stage": "production"})
    assert code == 400
    code, err = await call(jp_fetch, "POST", "models", "iris_rf", "predictions", raw=b"{not json")
    assert code == 400
    code, err = await call(jp_fetch, "POST", "models", "nope", "predictions", body={"inputs": rows})
    assert code == 404
    code, err = await call(jp_fetch, "POST", "models", "iris_rf", "predictions",
                           body={"stage": "canary", "inputs": rows})
    assert code == 404 and "canary" in err["error"]["message"]


async def test_racing_promotions_end_on_one_version_both_in_history(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    await iris_datasets(jp_fetch)
    for n in (3, 4):
        job = await train(jp_fetch, dataset="iris", target="species", estimator=RF, params={"n_estimators": n},
                          name="race")
        assert job["state"] == "finished", job
    results = await asyncio.gather(*[call(jp_fetch, "PUT", "models", "race", "aliases", "production",
                                          body={"version": v}) for v in (1, 2)])
    assert [c for c, _ in results] == [200, 200]
    code, al = await call(jp_fetch, "GET", "models", "race", "aliases")
    history = list(reversed(al["history"]))
    assert sorted(h["version"] for h in history) == [1, 2]
    assert history[1]["previous"] == history[0]["version"]
    assert al["aliases"]["production"] == history[1]["version"]


async def test_bad_training_requests_queue_nothing(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    await iris_datasets(jp_fetch)
    text = iris_frame().assign(colour="red")
    await upload(jp_fetch, "text.csv", text.to_csv(index=False).encode(), name="with_text")
    await upload(jp_fetch, "empty.csv", b"a,b,species\n", name="empty")
    base = {"dataset": "iris", "target": "species", "name": "bad"}
    cases = [
        ({**base, "estimator": "os.system"}, 422, "not a scikit-learn estimator"),
        ({**base, "estimator": "subprocess.Popen"}, 422, "not a scikit-learn estimator"),
        ({**base, "estimator": "builtins.eval"}, 422, "not a scikit-learn estimator"),
        ({**base, "estimator": "sklearn.utils.Bunch"}, 422, "not a scikit-learn estimator"),
        ({**base, "estimator": RF, "params": {"n_trees": 3}}, 422, "n_trees"),
        ({**base, "estimator": RF, "target": "colour"}, 422, "target column 'colour' not found"),
        ({**base, "estimator": RF, "dataset": "with_text"}, 422, "need an encoding"),
        ({**base, "estimator": RF, "dataset": "empty"}, 422, "empty"),
        ({**base, "estimator": RF, "dataset": "missing"}, 404, "missing"),
        ({**base, "estimator": RF, "name": "no/slash"}, 422, "model name"),
        ({**base, "estimator": RF, "colour": 1}, 422, "colour"),
        ({k: v for k, v in base.items() if k != "name"} | {"estimator": RF}, 422, "name"),
        ({**base}, 422, "estimator"),
    ]
    for body, status, words in cases:
        code, err = await call(jp_fetch, "POST", "jobs", body=body)
        assert code == status, (body, err)
        assert words in err["error"]["message"], (body, err)
    code, jobs = await call(jp_fetch, "GET", "jobs")
    assert jobs["total"] == 0
    code, err = await call(jp_fetch, "POST", "sweeps", body={**base, "estimator": RF, "metric": "rmse",
                                                             "space": {"n_estimators": [2, 3]}})
    assert code == 422
    code, err = await call(jp_fetch, "POST", "jobs", "nope", "abort")
    assert code == 404


async def next_of(ws, kind: str, timeout: float = 60.0) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    while True:
        msg = json.loads(await asyncio.wait_for(ws.read_message(), timeout))
        if msg["type"] == kind:
            return msg


async def test_torch_job_streams_epochs_into_its_run_and_aborts(jp_fetch, jp_ws_fetch) -> None:  # type: ignore[no-untyped-def]
    await iris_datasets(jp_fetch)
    await call(jp_fetch, "POST", "projects", body={"name": "models-iris_mlp"})
    ws = await jp_ws_fetch("mlhub", "api", "v1", "stream")
    ws.write_message(json.dumps({"subscribe": {"projects": ["models-iris_mlp"]}}))
    await next_of(ws, "subscribed")
    job = await train(jp_fetch, dataset="iris", target="species", kind="torch_mlp", epochs=3, batch_size=16,
                      name="iris_mlp")
    assert job["state"] == "finished", job
    states, epochs = [], []
    while "finished" not in states:  # the job's events and its run's points, as a lab view sees them
        msg = json.loads(await asyncio.wait_for(ws.read_message(), 60))
        if msg["type"] == "job":
            states.append(msg["job"]["state"])
        elif msg["type"] == "metrics":
            epochs.append(msg)
    assert states[0] == "queued" and "running" in states
    assert epochs and all(e["run"] == job["run_id"] for e in epochs) and "loss" in epochs[0]["metrics"]
    ws.close()
    code, metrics = await call(jp_fetch, "GET", "runs", job["run_id"], "metrics")
    keys = {m["key"] for m in metrics["metrics"]}
    assert {"loss", "val_loss"} <= keys
    code, series = await call(jp_fetch, "GET", "runs", job["run_id"], "metrics", "loss")
    assert series["steps"] == [1, 2, 3]
    code, mv = await call(jp_fetch, "GET", "models", "iris_mlp", "versions", "1")
    assert mv["model_type"] == "torch" and len(mv["evaluation"]["loss_curve"]) == 3

    code, long = await call(jp_fetch, "POST", "jobs", body={"dataset": "iris", "target": "species",
                                                            "kind": "torch_mlp", "epochs": 5000, "batch_size": 4,
                                                            "name": "iris_mlp"})
    await wait_job(jp_fetch, long["id"], until=("running",) + DONE)
    code, aborted = await call(jp_fetch, "POST", "jobs", long["id"], "abort")
    assert code == 200
    done = await wait_job(jp_fetch, long["id"])
    assert done["state"] == "aborted" and done["version"] is None
    code, run = await call(jp_fetch, "GET", "runs", long["run_id"])
    assert run["status"] == "killed"
    code, err = await call(jp_fetch, "POST", "jobs", long["id"], "abort")
    assert code == 409
    code, m = await call(jp_fetch, "GET", "models", "iris_mlp")
    assert m["latest_version"] == 1


async def test_sklearn_abort_and_sweep_registers_best(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    await iris_datasets(jp_fetch)
    code, big = await call(jp_fetch, "POST", "jobs", body={"dataset": "iris", "target": "species",
                                                           "estimator": RF, "params": {"n_estimators": 1500},
                                                           "name": "big"})
    code, aborted = await call(jp_fetch, "POST", "jobs", big["id"], "abort")
    assert code == 200 and aborted["state"] == "aborted"
    code, err = await call(jp_fetch, "GET", "models", "big")
    assert code == 404

    space = {"n_estimators": [2, 20], "max_depth": [1, None]}
    code, sweep = await call(jp_fetch, "POST", "sweeps", body={
        "dataset": "iris", "target": "species", "estimator": RF, "params": {"random_state": 0},
        "name": "iris_sweep", "space": space, "metric": "accuracy"})
    assert code == 202 and sweep["kind"] == "sweep"
    done = await wait_job(jp_fetch, sweep["id"])
    assert done["state"] == "finished", done
    trials = done["result"]["trials"]
    assert len(trials) == 4 and all(t["state"] == "finished" for t in trials)
    best = max(trials, key=lambda t: (t["metrics"]["accuracy"], -t["index"]))
    assert done["result"]["best"] == best["index"] and done["version"] == 1
    code, children = await call(jp_fetch, "GET", "jobs", params={"parent": sweep["id"]})
    assert children["total"] == 4 and all(c["run_id"] and c["version"] is None for c in children["jobs"])
    code, mv = await call(jp_fetch, "GET", "models", "iris_sweep", "versions", "1")
    assert mv["metrics"]["accuracy"] == pytest.approx(best["metrics"]["accuracy"])
    assert mv["spec"]["params"]["n_estimators"] == best["params"]["n_estimators"]


def png_b(pixels: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray((pixels * 255 / 16).astype(np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


async def test_digits_png_collection_cnn_and_image_predictions(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    from sklearn.datasets import load_digits

    d = load_digits()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(400):
            zf.writestr(f"digits/{d.target[i]}/{i}.png", png_b(d.images[i]))
    await upload(jp_fetch, "digits.zip", buf.getvalue(), name="digits")
    job = await train(jp_fetch, dataset="digits", target="label", kind="torch_cnn", epochs=2, batch_size=32,
                      lr=0.01, name="digits_cnn")
    assert job["state"] == "finished", job
    code, mv = await call(jp_fetch, "GET", "models", "digits_cnn", "versions", "1")
    assert mv["input_schema"][0]["dtype"] == "image"
    cm = mv["evaluation"]["confusion_matrix"]
    assert len(cm["matrix"]) == 10 and sum(map(sum, cm["matrix"])) == mv["evaluation"].get("n", sum(map(sum, cm["matrix"])))
    images = [png_b(d.images[i]) for i in (1500, 1501)]
    code, p = await call(jp_fetch, "POST", "models", "digits_cnn", "predictions",
                         body={"inputs": [base64.b64encode(b).decode() for b in images]})
    assert code == 200 and len(p["outputs"]) == 2
    assert all(str(o["prediction"]) in [str(c) for c in mv["classes"]] for o in p["outputs"])
    boundary = "mlhubtest"
    parts = b"".join(
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{i}.png\"\r\n"
        f"Content-Type: image/png\r\n\r\n".encode() + b + b"\r\n" for i, b in enumerate(images))
    parts += f"--{boundary}\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n1\r\n--{boundary}--\r\n".encode()
    code, p2 = await call(jp_fetch, "POST", "models", "digits_cnn", "predictions", raw=parts,
                          headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert code == 200 and [o["prediction"] for o in p2["outputs"]] == [o["prediction"] for o in p["outputs"]]
    code, inf = await call(jp_fetch, "GET", "models", "digits_cnn", "versions", "1", "inferences")
    assert inf["total"] == 2 and inf["inferences"][0]["inputs"][0]["bytes"] == len(images[0])
    code, err = await call(jp_fetch, "POST", "models", "digits_cnn", "predictions", body={"inputs": ["%%%"]})
    assert code == 422 and "base64" in err["error"]["message"]
    # The Try it form's image drop: one image as a data: URL, by version, with class probabilities.
    data_url = "data:image/png;base64," + base64.b64encode(images[0]).decode()
    code, p3 = await call(jp_fetch, "POST", "models", "digits_cnn", "predictions",
                          body={"version": 1, "inputs": [data_url]})
    assert code == 200 and p3["version"] == 1 and p3["inference_id"] is not None
    assert p3["outputs"][0]["prediction"] == p["outputs"][0]["prediction"]
    assert set(p3["outputs"][0]["probabilities"]) == {str(c) for c in mv["classes"]}


async def test_form_options_features_encoding_split_seed_and_try_it_by_version(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    """What the Train form sends (encode, features, test_size, seed) is kept whole on the
    version, and the Try it form's request (a record, by version) is stored as an inference."""
    frame = iris_frame().assign(colour=lambda d: np.where(d["petal_length"] > 3, "dark", "light"),
                                note=[f"n{i}" for i in range(150)])
    await upload(jp_fetch, "flowers.csv", frame.to_csv(index=False).encode(), name="flowers")
    base = {"dataset": "flowers", "target": "species", "name": "flowers_lr",
            "estimator": "sklearn.linear_model.LogisticRegression", "params": {"max_iter": 500}}
    code, err = await call(jp_fetch, "POST", "jobs", body=base)
    assert code == 422 and "set encode='onehot' or leave them out of features" in err["error"]["message"]
    assert err["error"]["details"]["columns"] == ["colour", "note"]
    for features, needle in ((["petal_length", "nope"], "['nope'] not found in dataset 'flowers'"),
                             (["petal_length", "species"], "cannot also be a feature"),
                             ([], "non-empty list")):
        code, err = await call(jp_fetch, "POST", "jobs", body={**base, "features": features})
        assert code == 422 and needle in err["error"]["message"], err
    # Leaving the text columns out needs no encoding; picking one with encode="onehot" trains.
    features = ["petal_length", "petal_width", "colour"]
    job = await train(jp_fetch, **base, encode="onehot", features=features, test_size=0.25, seed=3)
    assert job["state"] == "finished", job
    code, mv = await call(jp_fetch, "GET", "models", "flowers_lr", "versions", "1")
    spec = mv["spec"]
    assert spec["features"] == features and spec["encode"] == "onehot"
    assert spec["test_size"] == 0.25 and spec["seed"] == 3 and spec["params"] == {"max_iter": 500}
    assert [c["name"] for c in mv["input_schema"]] == features
    assert mv["input_schema"][2] == {"name": "colour", "dtype": "string", "categories": ["dark", "light"]}
    assert mv["evaluation"]["n"] == int(np.ceil(150 * 0.25))
    # Train again with the stored spec gives the same held-out split (same seed).
    again = {k: spec[k] for k in ("estimator", "params", "encode", "features", "test_size", "seed")}
    job2 = await train(jp_fetch, dataset="flowers", target="species", name="flowers_lr", **again)
    code, mv2 = await call(jp_fetch, "GET", "models", "flowers_lr", "versions", "2")
    assert mv2["spec"] == spec and mv2["metrics"] == mv["metrics"]

    # Try it: one record by version (not a stage), stored as an inference of that version.
    record = {"petal_length": 5.1, "petal_width": 1.9, "colour": "dark"}
    code, p = await call(jp_fetch, "POST", "models", "flowers_lr", "predictions",
                         body={"version": 1, "inputs": [record]})
    assert code == 200 and p["version"] == 1 and p["stage"] is None and p["inference_id"] is not None
    out = p["outputs"][0]
    assert out["prediction"] == "virginica"
    assert set(out["probabilities"]) == {"setosa", "versicolor", "virginica"}
    assert sum(out["probabilities"].values()) == pytest.approx(1.0)
    code, inf = await call(jp_fetch, "GET", "models", "flowers_lr", "versions", "1", "inferences")
    assert inf["total"] == 1 and inf["inferences"][0]["inputs"] == [record]
    code, inf2 = await call(jp_fetch, "GET", "models", "flowers_lr", "versions", "2", "inferences")
    assert inf2["total"] == 0
    code, err = await call(jp_fetch, "POST", "models", "flowers_lr", "predictions",
                           body={"version": 1, "inputs": [{**record, "petal_width": "wide"}]})
    assert code == 400 and "'petal_width' must be float" in err["error"]["message"]
    code, err = await call(jp_fetch, "POST", "models", "flowers_lr", "predictions",
                           body={"version": 7, "inputs": [record]})
    assert code == 404


async def test_training_run_params_are_the_models_own_and_its_metrics_are_series(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    await iris_datasets(jp_fetch)
    job = await train(jp_fetch, dataset="iris", target="species", estimator=RF,
                      params={"n_estimators": 5, "max_depth": 3, "random_state": 0}, name="iris_rf")
    assert job["state"] == "finished", job
    code, run = await call(jp_fetch, "GET", "runs", job["run_id"])
    # A forest's run holds its own params under their names, no torch settings.
    assert run["params"] == {"n_estimators": 5, "max_depth": 3, "random_state": 0, "kind": "sklearn",
                             "estimator": RF, "seed": 0, "test_size": 0.2, "dataset": "iris",
                             "dataset_version": 1, "target": "species"}
    code, metrics = await call(jp_fetch, "GET", "runs", job["run_id"], "metrics")
    keys = {m["key"] for m in metrics["metrics"]}
    assert set(run["summary"]) <= keys and "accuracy" in keys
    code, series = await call(jp_fetch, "GET", "runs", job["run_id"], "metrics", "accuracy")
    assert series["steps"] == [0] and series["values"] == [pytest.approx(run["summary"]["accuracy"])]

    job = await train(jp_fetch, dataset="iris", target="species", kind="torch_mlp", epochs=2, batch_size=16,
                      params={"dropout": 0.1}, name="iris_mlp")
    assert job["state"] == "finished", job
    code, run = await call(jp_fetch, "GET", "runs", job["run_id"])
    assert run["params"]["dropout"] == 0.1 and run["params"]["hidden_sizes"] == [64, 32]
    assert {k: run["params"][k] for k in ("epochs", "batch_size", "lr", "optimizer", "weight_decay")} == {
        "epochs": 2, "batch_size": 16, "lr": 0.001, "optimizer": "adam", "weight_decay": 0.0}
    code, series = await call(jp_fetch, "GET", "runs", job["run_id"], "metrics", "accuracy")
    assert series["steps"] == [2]  # the held-out score sits at the last epoch of the loss curves
    code, series = await call(jp_fetch, "GET", "runs", job["run_id"], "metrics", "loss")
    assert series["steps"] == [1, 2]  # the epochs' own series, not extended by the held-out loss
