"""An ended job's message says what came of it, never its state again: the lab shows the
state next to the message, and ``job.wait()`` prints both ("finished finished 100%" before)."""
from __future__ import annotations

import pytest

from tests.server.test_models_api import RF, call, iris_datasets, train, wait_job


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


async def test_finished_train_and_evaluate_jobs_say_what_they_made(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    await iris_datasets(jp_fetch)
    job = await train(jp_fetch, dataset="iris", target="species", estimator=RF,
                      params={"n_estimators": 5, "random_state": 0}, name="iris_msg")
    assert job["state"] == "finished", job
    assert job["message"] == "registered as v1"

    code, ej = await call(jp_fetch, "POST", "models", "iris_msg", "versions", "1", "evaluations",
                          body={"dataset": "iris_holdout"})
    assert code == 202, ej
    ej = await wait_job(jp_fetch, ej["id"])
    assert ej["state"] == "finished", ej
    assert ej["message"] == "evaluation stored"

    code, listed = await call(jp_fetch, "GET", "jobs")
    assert code == 200
    for j in listed["jobs"]:
        assert j["message"] != j["state"], j
