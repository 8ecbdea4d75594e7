"""What the run page reads and does below HTTP: deleting a run, and the model versions,
jobs and datasets linked to it, on SQLite and PostgreSQL."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlhub_ext.core.entities import Role
from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.store import open_registry
from mlhub_ext.store.models import open_models


@pytest.fixture
def services(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    reg = open_registry(db_url, artifact_root=str(tmp_path / "blobs"))
    yield reg, open_models(reg)
    reg.store.close()


def result(n: int) -> dict[str, Any]:
    return {"model_bytes": b"model-%d" % n, "model_type": "sklearn", "task": "classification",
            "estimator_name": "RandomForestClassifier", "metrics": {"accuracy": 0.9}, "param_count": n}


def test_delete_run_removes_everything_recorded_under_it(services) -> None:  # type: ignore[no-untyped-def]
    reg, _ = services
    keep = reg.create_run("alice", "p", name="keep", config={"lr": 0.1}, tags=["a"])
    gone = reg.create_run("alice", "p", name="gone", config={"lr": 0.2}, tags=["b"])
    for run in (keep, gone):
        reg.append_metrics("alice", run.id, 1, {"loss": {"steps": [0, 1], "values": [1.0, 0.5]}})
        reg.log_artifact("alice", run.id, "model.txt", [b"same bytes"])

    reg.delete_run("alice", gone.id)

    with pytest.raises(MLHubError) as e:
        reg.get_run("alice", gone.id)
    assert e.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(MLHubError):
        reg.get_series("alice", gone.id, "loss")
    assert [r.name for r in reg.list_runs("alice", "p")[0]] == ["keep"]
    assert reg.get_project("alice", "p").run_count == 1
    # The other run's series and its artifact (same content, stored once) are untouched.
    assert list(reg.get_series("alice", keep.id, "loss").values) == [1.0, 0.5]
    art, f = reg.open_artifact("alice", keep.id, "model.txt")
    with f:
        assert f.read() == b"same bytes"
    with pytest.raises(MLHubError) as e:
        reg.delete_run("alice", gone.id)
    assert e.value.code == ErrorCode.NOT_FOUND


@pytest.mark.parametrize("role", [Role.READ, Role.EDIT])
def test_delete_run_needs_manage(services, role: Role) -> None:  # type: ignore[no-untyped-def]
    reg, _ = services
    run = reg.create_run("bob", "bobs", name="r")
    reg.set_member("bob", "bobs", "alice", role.value)
    with pytest.raises(MLHubError) as e:
        reg.delete_run("alice", run.id)
    assert e.value.code == ErrorCode.FORBIDDEN and "needs manage" in e.value.message
    assert reg.get_run("bob", run.id).name == "r"
    reg.set_member("bob", "bobs", "alice", "manage")
    reg.delete_run("alice", run.id)
    with pytest.raises(MLHubError):
        reg.get_run("bob", run.id)


def test_run_links_list_versions_jobs_and_datasets_the_caller_may_read(services) -> None:  # type: ignore[no-untyped-def]
    reg, models = services
    run = reg.create_run("alice", "p", name="trained")
    other = reg.create_run("alice", "p", name="other")
    models.register_version("alice", "iris_rf", result(1), dataset="iris", dataset_version=2, run_id=run.id,
                            project="p")
    models.register_version("alice", "iris_rf", result(2), dataset="iris", dataset_version=2, run_id=run.id,
                            project="p")
    models.register_version("alice", "unrelated", result(3), run_id=other.id)
    models.register_version("bob", "secret", result(4), dataset="hidden", run_id=run.id)  # private to bob
    job = models.create_job("alice", "train", model="iris_rf", dataset="iris_holdout", dataset_version=1,
                            run_id=run.id, project="p")
    models.create_job("alice", "train", model="unrelated", run_id=other.id)

    links = models.run_links("alice", run.id)
    assert [(v["model"], v["version"]) for v in links["model_versions"]] == [("iris_rf", 2), ("iris_rf", 1)]
    assert [j["id"] for j in links["jobs"]] == [job.id]
    assert links["datasets"] == [{"name": "iris", "version": 2, "via": "model iris_rf v2"},
                                 {"name": "iris_holdout", "version": 1, "via": f"train job {job.id[:8]}"}]
    # bob sees his own private version of the same run, not alice's.
    assert [v["model"] for v in models.run_links("bob", run.id)["model_versions"]] == ["secret"]
    assert models.run_links("alice", other.id)["datasets"] == []
