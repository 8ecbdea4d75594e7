"""Schemathesis over every operation of the OpenAPI document, against a real `mlhub serve`.

The server runs as a subprocess with a token (tests/conftest.py's ``MLHubServer``), once on
SQLite and once on PostgreSQL, and is seeded with one of everything (project, run with
params/metrics/artifact, dataset, model with a trained version at ``production`` and a
model-card version, job, open upload, a member, a spare run, model and token for the
DELETEs and renames),
so that most generated path parameters reach real records and the others missing ones.
Each operation gets a bounded, derandomized number of examples (positive and negative:
20, or ``MLHUB_FUZZ_EXAMPLES``), and every response must pass:

- ``not_a_server_error``: no 5xx;
- ``status_code_conformance``: the status is one the document lists for the operation;
- ``content_type_conformance`` and ``response_schema_conformance``: a 2xx matches its
  documented media type and schema;
- ``unsupported_method``: a method the route lacks is a 405 with an ``Allow`` header;
- ``error_shape`` (below): every 4xx is ``{"error": {"code": str, "message": str}}``.

Operations that start cluster work (``POST /jobs``, ``POST /sweeps``, ``POST
.../evaluations``) are fuzzed too, but cannot queue anything: the only dataset on the
server is named ``SEED_DATASET``, which generated bodies never use (path parameters do,
to reach the dataset routes), so they fail in validation (a 4xx) before a Dask cluster
is touched; the last test checks that no job was queued.
``GET /stream`` is the WebSocket route (no REST operation to fuzz) and is left out.

Run alone: ``.venv/bin/python -m pytest tests/server/test_fuzz_api.py -q`` (add
``-k sqlite`` for one backend); ``MLHUB_FUZZ_EXAMPLES=200`` fuzzes harder than the default
kept for ``make test``. A failure shows the request as ``curl``; the server's log, with the
traceback of a 500, is ``serve.log`` in the test's temporary folder.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import checks as st_checks

from mlhub_ext.server.openapi import openapi_document
from tests.conftest import MLHubServer, reset_postgres

EXAMPLES = int(os.environ.get("MLHUB_FUZZ_EXAMPLES", "20"))
SEED_NAME = "fz"          # the project and the model
# The only dataset: a name no generated body uses, so no job can find data to train on.
SEED_DATASET = "fuzz_seed_table_5e1c"
MEMBER = "bob"
DOOMED_MODEL = "fz_spare"
DOOMED_MODEL_OPS = {"DELETE": ("/models/{name}", "/models/{name}/versions/{version}"), "PATCH": ("/models/{name}",)}

schema = schemathesis.openapi.from_dict(openapi_document())
# The WebSocket route is in the document for its description only; it answers upgrades.
schema = schema.exclude(path="/stream")

# Filled by the ``fuzz_server`` fixture: the seeded identifiers per path parameter.
SEEDS: dict[str, Any] = {}


@schemathesis.check
def error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx answer is the JSON error shape of the API."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"{response.status_code} answer is not JSON: {response.content[:200]!r}") from None
    err = body.get("error") if isinstance(body, dict) else None
    if not (isinstance(err, dict) and isinstance(err.get("code"), str) and isinstance(err.get("message"), str)):
        raise AssertionError(f"{response.status_code} answer is not {{'error': {{'code', 'message'}}}}: {body!r}")
    return None


def _seed_value(method: str, path: str, param: str) -> Any:
    if param == "name" and "/artifacts/" in path:
        return SEEDS["artifact"]
    if param == "run_id" and method == "DELETE":
        return SEEDS["doomed_run_id"]   # the other operations keep their run
    if param == "name" and path in DOOMED_MODEL_OPS.get(method, ()):
        return DOOMED_MODEL             # a delete or rename must not take the seeded model away
    if param == "name" and path.startswith("/datasets/"):
        return SEED_DATASET
    return SEEDS.get(param)


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    """Most cases aim at the seeded records (deep code paths), the others keep the generated
    identifiers (missing records, odd characters)."""
    if not SEEDS or not path_parameters:
        return st.just(path_parameters)
    op = context.operation
    seeded = dict(path_parameters)
    for key in path_parameters:
        value = _seed_value(op.method.upper(), op.path, key)
        if value is not None:
            seeded[key] = value
    # A list of seeds (versions: the trained one and the card) gives one variant each.
    variants = [{**seeded, k: one} for k, v in seeded.items() if isinstance(v, list) for one in v] or [seeded]
    return st.sampled_from([*variants, path_parameters])


def _seed_model(server: MLHubServer, db_url: str) -> None:
    """A real fitted model registered straight into the server's database (no Dask needed)."""
    import pandas as pd

    from mlhub_ext.services.model_format import to_skops
    from mlhub_ext.store import open_registry
    from mlhub_ext.store.models import open_models
    from mlhub_ext.train.fitting import fit_spec
    from mlhub_ext.train.specs import validate_spec
    from mlhub_ext.train.tasks import evaluate_model

    df = pd.DataFrame({"x": [float(i) for i in range(20)], "y": [float(i % 3) for i in range(20)],
                       "label": ["a" if i < 10 else "b" for i in range(20)]})
    fit = fit_spec(validate_spec({"estimator": "sklearn.linear_model.LogisticRegression"}), df, "label")
    evaluation = evaluate_model(fit.model, fit.X_test, fit.y_test, fit.task, fit.classes)
    reg = open_registry(db_url, artifact_root=str(server.data_dir / "artifacts"))
    try:
        models = open_models(reg)
        models.register_version(server.user, SEED_NAME, {
            "model_bytes": to_skops(pickle.dumps(fit.model)), "model_type": fit.model_type, "task": fit.task,
            "estimator_name": "LogisticRegression", "metrics": {"accuracy": evaluation["accuracy"]}, "evaluation": evaluation,
            "input_schema": fit.input_schema, "classes": fit.classes, "param_count": fit.param_count,
            "spec": {"kind": "sklearn"}}, dataset=SEED_DATASET, dataset_version=1, target="label")
        models.promote(server.user, SEED_NAME, "production", 1)
        # Queued here, marked failed by the server's job runner at start (its future is gone).
        SEEDS["job_id"] = models.create_job(server.user, "train", model=SEED_NAME, dataset=SEED_DATASET).id
    finally:
        reg.store.close()


def _seed_over_rest(server: MLHubServer) -> None:
    def ok(r: requests.Response) -> Any:
        assert r.status_code < 300, (r.request.method, r.request.url, r.status_code, r.text)
        return r.json() if r.content else None

    def put_chunk(upload_id: str, data: bytes) -> requests.Response:
        return requests.put(f"{server.url}mlhub/api/v1/uploads/{upload_id}/chunks/0", data=data, timeout=30,
                            headers={"Authorization": f"token {server.token}",
                                     "X-Chunk-SHA256": hashlib.sha256(data).hexdigest()})

    ok(server.api("POST", "projects", json={"name": SEED_NAME, "description": "seeded for the fuzzer"}))
    ok(server.api("PUT", f"projects/{SEED_NAME}/members/{MEMBER}", json={"role": "read"}))
    run = ok(server.api("POST", "runs", json={"project": SEED_NAME, "name": "seed", "config": {"lr": 0.1}}))
    SEEDS["run_id"] = run["id"]
    SEEDS["doomed_run_id"] = ok(server.api("POST", "runs", json={"project": SEED_NAME, "name": "to delete"}))["id"]
    ok(server.api("POST", f"runs/{run['id']}/metrics", json={
        "seq": 1, "metrics": {"loss": {"steps": [0, 1, 2], "values": [1.0, 0.5, 0.25]}}}))
    SEEDS["key"] = "loss"
    ok(server.api("PUT", f"runs/{run['id']}/artifacts/notes.txt", data=b"seeded artifact"))
    SEEDS["artifact"] = "notes.txt"

    csv = "x,y,label\n" + "".join(f"{i},{i % 3},{'a' if i < 10 else 'b'}\n" for i in range(20))
    data = csv.encode()
    up = ok(server.api("POST", "uploads", json={"filename": f"{SEED_DATASET}.csv", "size": len(data)}))
    ok(put_chunk(up["id"], data))
    ok(server.api("POST", f"uploads/{up['id']}/complete", json={"sha256": hashlib.sha256(data).hexdigest()}))
    ok(server.api("POST", "datasets", json={"upload_id": up["id"], "name": SEED_DATASET}))
    ok(server.api("PUT", f"datasets/{SEED_DATASET}/members/{MEMBER}", json={"role": "read"}))
    ok(server.api("PUT", f"models/{SEED_NAME}/members/{MEMBER}", json={"role": "read"}))
    # An upload left open, for the chunk and complete operations.
    SEEDS["upload_id"] = ok(server.api("POST", "uploads", json={"filename": "open.csv", "size": 1000}))["id"]
    SEEDS["doomed_token_id"] = str(ok(server.api("POST", "me/tokens", json={"name": "to revoke"}))["id"])
    # Version 2 of the model: an imported model card (a catalogue entry without weights).
    card = "---\nlicense: mit\nlibrary_name: sklearn\ntags: [fuzz]\n---\n# fz\nA card imported for the fuzzer.\n"
    assert ok(server.api("POST", "models", json={"card": card, "name": SEED_NAME}))["version"]["version"] == 2
    ok(server.api("POST", "models", json={"card": card, "name": DOOMED_MODEL}))
    SEEDS.update(name=SEED_NAME, version=["1", "latest"], user=MEMBER, stage="production", offset="0")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzz_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MLHubServer]:
    """The server on each backend: PostgreSQL refuses what SQLite lets by (NUL in text,
    integers beyond a column's width), so both are fuzzed."""
    data_dir: Path = tmp_path_factory.mktemp("fuzz") / "mlhub-data"
    data_dir.mkdir()
    server = MLHubServer(data_dir)
    if request.param == "postgresql":
        db_url = request.getfixturevalue("pg_url")
        reset_postgres(db_url)
    else:
        db_url = f"sqlite:///{data_dir / 'mlhub.db'}"
    # Read by the subprocesses: the fuzzer writes faster than a user may.
    env = {"MLHUB_RATE_LIMIT": "0", "MLHUB_DB_URL": db_url}
    os.environ.update(env)
    try:
        server.token = server.create_token(server.user)
        _seed_model(server, db_url)
        server.start()
    finally:
        for key in env:
            del os.environ[key]
    try:
        _seed_over_rest(server)
        served = server.api("GET", "openapi.json").json()
        assert served["paths"] == openapi_document()["paths"], "the fuzzed document is the one the server serves"
        yield server
    finally:
        server.stop()
        SEEDS.clear()


@pytest.fixture(scope="module")
def session(fuzz_server: MLHubServer) -> Iterator[requests.Session]:
    with requests.Session() as s:
        s.headers["Authorization"] = f"token {fuzz_server.token}"
        yield s


CHECKS = [st_checks.not_a_server_error, st_checks.status_code_conformance, st_checks.content_type_conformance,
          st_checks.response_schema_conformance, st_checks.unsupported_method, error_shape]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=False,
          suppress_health_check=list(HealthCheck))
def test_api_fuzz(case: Any, fuzz_server: MLHubServer, session: requests.Session) -> None:
    if case.operation.path == "/me/tokens/{token_id}":
        # Only ever the token made for it: a generated id (1, 2, ...) could revoke the fuzzer's own.
        case.path_parameters = {"token_id": SEEDS["doomed_token_id"]}
    case.call_and_validate(base_url=fuzz_server.url.rstrip("/") + "/mlhub/api/v1", session=session,
                           checks=CHECKS, timeout=30)


def test_fuzzing_queued_no_cluster_work(fuzz_server: MLHubServer) -> None:
    """Runs after the fuzz: the job operations were reached but nothing was submitted to Dask."""
    jobs = fuzz_server.api("GET", "jobs", params={"limit": 500}).json()["jobs"]
    # The seeded job has no process: SQLite's runner fails it at start; on PostgreSQL (several
    # replicas) it is failed once its lease grace runs out, unless a fuzzed abort ends it first.
    assert [j["id"] for j in jobs] == [SEEDS["job_id"]]
    assert jobs[0]["state"] in ("failed", "aborted"), jobs[0]


def test_seeded_records_survived(fuzz_server: MLHubServer) -> None:
    """Runs after the fuzz: deletes and renames hit the spare records, so every operation
    kept reaching the seeded ones."""
    assert fuzz_server.api("GET", f"models/{SEED_NAME}/versions/1").json()["model"] == SEED_NAME
    assert fuzz_server.api("GET", f"runs/{SEEDS['run_id']}").json()["id"] == SEEDS["run_id"]
    assert fuzz_server.api("GET", f"datasets/{SEED_DATASET}").json()["name"] == SEED_DATASET
