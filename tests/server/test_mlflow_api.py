"""MLflow's routes inside the Jupyter server (local mode): REST shapes through jp_fetch, and
the real MLflow client against the running server, as a kernel would use it."""
from __future__ import annotations

import asyncio
import json
import os
import textwrap

import pytest
from tornado.httpclient import HTTPClientError

from tests.services.mlflow_client import ensure_mlflow_venv

BASE = "mlhub/mlflow/api/2.0/mlflow"


async def _post(jp_fetch, route, body):  # type: ignore[no-untyped-def]
    r = await jp_fetch(*f"{BASE}/{route}".split("/"), method="POST", body=json.dumps(body))
    return json.loads(r.body)


async def test_rest_shapes_and_errors(jp_fetch):  # type: ignore[no-untyped-def]
    exp = (await _post(jp_fetch, "experiments/create", {"name": "lab-exp"}))["experiment_id"]
    run = (await _post(jp_fetch, "runs/create", {"experiment_id": exp, "run_name": "r1",
                                                 "tags": [{"key": "mlflow.user", "value": "alice"}]}))["run"]
    assert run["info"]["experiment_id"] == exp and run["info"]["status"] == "RUNNING"
    rid = run["info"]["run_id"]
    await _post(jp_fetch, "runs/log-batch", {"run_id": rid, "metrics": [
        {"key": "loss", "value": "NaN", "timestamp": "1700000000123", "step": "0"},
        {"key": "loss", "value": 0.25, "timestamp": 1700000000456, "step": 1}]})
    r = await jp_fetch(*f"{BASE}/metrics/get-history".split("/"),
                       params={"run_id": rid, "metric_key": "loss", "max_results": "1"})
    page = json.loads(r.body)
    assert page["metrics"] == [{"key": "loss", "value": "NaN", "timestamp": 1700000000123, "step": 0}]
    r = await jp_fetch(*f"{BASE}/metrics/get-history".split("/"),
                       params={"run_id": rid, "metric_key": "loss", "page_token": page["next_page_token"]})
    assert json.loads(r.body) == {"metrics": [{"key": "loss", "value": 0.25, "timestamp": 1700000000456, "step": 1}]}
    r = await jp_fetch(*f"{BASE}/metrics/get-history-bulk-interval".split("/"),
                       params={"run_ids": rid, "metric_key": "loss", "max_results": "5"})
    assert [p["step"] for p in json.loads(r.body)["metrics"]] == [0, 1]
    # the ML Hub side sees the run and its points
    r = await jp_fetch("mlhub", "api", "v1", "runs", rid, "metrics", "loss")
    assert json.loads(r.body)["total"] == 2
    # errors: MLflow's shape and statuses
    for route, body, status, code in [
        ("runs/get", None, 404, "RESOURCE_DOES_NOT_EXIST"),
        ("experiments/create", {"name": "lab-exp"}, 400, "RESOURCE_ALREADY_EXISTS"),
        ("experiments/create", {"name": "has space"}, 400, "INVALID_PARAMETER_VALUE"),
        ("runs/search", {"experiment_ids": [exp], "filter": "metrics.loss >"}, 400, "INVALID_PARAMETER_VALUE"),
        ("runs/log-metric", {"run_id": rid, "key": "x", "value": "high", "timestamp": 1}, 400,
         "INVALID_PARAMETER_VALUE"),
        ("gateway/routes", {}, 501, "NOT_IMPLEMENTED"),
    ]:
        with pytest.raises(HTTPClientError) as err:
            if body is None:
                await jp_fetch(*f"{BASE}/{route}".split("/"), params={"run_id": "f" * 32})
            else:
                await _post(jp_fetch, route, body)
        assert err.value.code == status, route
        answer = json.loads(err.value.response.body)
        assert answer["error_code"] == code and answer["message"], (route, answer)


async def test_real_client_in_local_mode(jp_fetch, jp_serverapp, jp_http_port, jp_base_url):  # type: ignore[no-untyped-def]
    # what a kernel started by this server inherits
    assert os.environ["MLFLOW_TRACKING_URI"] == os.environ["MLHUB_URL"] + "mlhub/mlflow"
    assert os.environ["MLFLOW_TRACKING_TOKEN"] == os.environ["MLHUB_TOKEN"]
    python = ensure_mlflow_venv()
    code = textwrap.dedent("""
        import json, mlflow
        mlflow.set_experiment("kernel-exp")
        with mlflow.start_run(run_name="from-kernel") as run:
            mlflow.log_params({"lr": 0.1})
            for i in range(5):
                mlflow.log_metric("loss", 1 / (i + 1), step=i)
        hist = mlflow.MlflowClient().get_metric_history(run.info.run_id, "loss")
        print(json.dumps({"run_id": run.info.run_id, "n": len(hist)}))
    """)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env.update({"MLFLOW_TRACKING_URI": f"http://localhost:{jp_http_port}{jp_base_url}mlhub/mlflow",
                "MLFLOW_TRACKING_TOKEN": jp_serverapp.identity_provider.token,
                "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true", "GIT_PYTHON_REFRESH": "quiet",
                "PYTHONWARNINGS": "ignore", "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1"})
    proc = await asyncio.create_subprocess_exec(str(python), "-c", code, env=env, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, err.decode()[-4000:]
    got = json.loads(out.decode().strip().splitlines()[-1])
    assert got["n"] == 5
    r = await jp_fetch("mlhub", "api", "v1", "runs", got["run_id"])
    run = json.loads(r.body)
    assert run["project"] == "kernel-exp" and run["status"] == "finished" and run["owner"] == "alice"
    assert run["params"] == {"lr": "0.1"} and run["latest_metrics"]["loss"] == 0.2
