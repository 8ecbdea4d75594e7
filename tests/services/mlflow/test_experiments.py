"""MLflow's experiment rename, soft delete/restore and tags at the service seam, on SQLite and
PostgreSQL: what each call stores in the project, who may make it, and what the views show."""
from __future__ import annotations

from typing import Any

import pytest

from mlhub_ext.core.entities import Role
from mlhub_ext.services.mlflow import artifacts, experiments, runs
from mlhub_ext.core.errors import MLHubError
from mlhub_ext.services.mlflow.errors import MlflowError, from_mlhub


def _error(call: Any, registry: Any, user: str, req: dict[str, Any]) -> str:
    """MLflow's error code for the call (ML Hub's errors as the HTTP layer translates them)."""
    with pytest.raises((MlflowError, MLHubError)) as err:
        call(registry, user, req)
    e = err.value
    return (from_mlhub(e) if isinstance(e, MLHubError) else e).error_code


def _names(registry: Any, user: str, view: str | None = None) -> list[str]:
    req = {"order_by": ["name"], **({"view_type": view} if view else {})}
    return [e["name"] for e in experiments.search_experiments(registry, user, req)["experiments"]]


@pytest.fixture
def registry(db_url, tmp_path):  # type: ignore[no-untyped-def]
    from mlhub_ext.store import open_registry

    r = open_registry(db_url, artifact_root=str(tmp_path / "blobs"))
    yield r
    r.store.close()


def test_rename_keeps_the_id_runs_and_model_provenance(registry) -> None:  # type: ignore[no-untyped-def]
    exp = experiments.create_experiment(registry, "alice", {"name": "old"})["experiment_id"]
    models = artifacts.models_of(registry)
    models.register_version("alice", "clf", {"model_bytes": b"weights", "model_type": "sklearn"}, project="old")
    experiments.create_experiment(registry, "alice", {"name": "taken"})
    run = runs.create_run(registry, "alice", {"experiment_id": exp, "run_name": "r1"})["run"]["info"]["run_id"]
    runs.log_param(registry, "alice", {"run_id": run, "key": "lr", "value": "0.1"})
    assert _error(experiments.update_experiment, registry, "alice",
                  {"experiment_id": exp, "new_name": "taken"}) == "RESOURCE_ALREADY_EXISTS"
    assert _error(experiments.update_experiment, registry, "alice",
                  {"experiment_id": exp, "new_name": "bad name/"}) == "INVALID_PARAMETER_VALUE"
    experiments.update_experiment(registry, "alice", {"experiment_id": exp, "new_name": "new"})
    got = experiments.get_experiment(registry, "alice", {"experiment_id": exp})["experiment"]
    assert got["name"] == "new" and got["experiment_id"] == exp
    assert experiments.get_experiment_by_name(registry, "alice", {"experiment_name": "new"})["experiment"][
        "experiment_id"] == exp
    assert _error(experiments.get_experiment_by_name, registry, "alice",
                  {"experiment_name": "old"}) == "RESOURCE_DOES_NOT_EXIST"
    assert [r.id for r in registry.list_runs("alice", "new")[0]] == [run]
    assert registry.get_run("alice", run).project == "new"
    found = runs.search_runs(registry, "alice", {"experiment_ids": [exp], "filter": "params.lr = '0.1'"})
    assert [r["info"]["run_id"] for r in found["runs"]] == [run]
    assert _names(registry, "alice") == ["new", "taken"]
    assert models.get_version("alice", "clf", 1).project == "new"   # trained-in provenance follows
    # the old name is free again
    experiments.create_experiment(registry, "alice", {"name": "old"})


def test_soft_delete_and_restore(registry) -> None:  # type: ignore[no-untyped-def]
    exp = experiments.create_experiment(registry, "alice", {"name": "gone"})["experiment_id"]
    experiments.create_experiment(registry, "alice", {"name": "kept"})
    run = runs.create_run(registry, "alice", {"experiment_id": exp})["run"]["info"]["run_id"]
    experiments.delete_experiment(registry, "alice", {"experiment_id": exp})
    assert _names(registry, "alice") == ["kept"]
    assert _names(registry, "alice", "ACTIVE_ONLY") == ["kept"]
    assert _names(registry, "alice", "DELETED_ONLY") == ["gone"]
    assert _names(registry, "alice", "ALL") == ["gone", "kept"]
    assert _names(registry, "alice", "ALL")[:1] == _names(registry, "alice", "deleted_only")
    assert _error(experiments.search_experiments, registry, "alice", {"view_type": "SOME"}) == \
        "INVALID_PARAMETER_VALUE"
    got = experiments.get_experiment(registry, "alice", {"experiment_id": exp})["experiment"]
    assert got["lifecycle_stage"] == "deleted"
    # nothing removed; the name stays taken; no new runs, no rename, no second delete
    assert registry.get_run("alice", run).project == "gone"
    assert _error(experiments.create_experiment, registry, "alice", {"name": "gone"}) == "RESOURCE_ALREADY_EXISTS"
    assert _error(runs.create_run, registry, "alice", {"experiment_id": exp}) == "INVALID_PARAMETER_VALUE"
    assert _error(experiments.update_experiment, registry, "alice",
                  {"experiment_id": exp, "new_name": "x"}) == "INVALID_PARAMETER_VALUE"
    assert _error(experiments.delete_experiment, registry, "alice", {"experiment_id": exp}) == \
        "INVALID_PARAMETER_VALUE"
    experiments.restore_experiment(registry, "alice", {"experiment_id": exp})
    assert experiments.get_experiment(registry, "alice", {"experiment_id": exp})["experiment"][
        "lifecycle_stage"] == "active"
    assert _names(registry, "alice") == ["gone", "kept"] and _names(registry, "alice", "DELETED_ONLY") == []
    runs.create_run(registry, "alice", {"experiment_id": exp})
    assert _error(experiments.restore_experiment, registry, "alice", {"experiment_id": exp}) == \
        "INVALID_PARAMETER_VALUE"


def _stage(registry: Any, run_id: str) -> str:
    return runs.get_run(registry, "alice", {"run_id": run_id})["run"]["info"]["lifecycle_stage"]


def _searched(registry: Any, exp: str, view: str) -> list[str]:
    found = runs.search_runs(registry, "alice", {"experiment_ids": [exp], "run_view_type": view})["runs"]
    return sorted(r["info"]["run_id"] for r in found)


def test_experiment_delete_and_restore_carry_its_runs(registry) -> None:  # type: ignore[no-untyped-def]
    # as MLflow's store: deleting an experiment deletes its runs; restoring it brings back those
    # runs only, and a run deleted on its own before stays deleted
    exp = experiments.create_experiment(registry, "alice", {"name": "cascade"})["experiment_id"]
    kept, alone = (runs.create_run(registry, "alice", {"experiment_id": exp})["run"]["info"]["run_id"]
                   for _ in range(2))
    runs.delete_run(registry, "alice", {"run_id": alone})
    experiments.delete_experiment(registry, "alice", {"experiment_id": exp})
    assert _stage(registry, kept) == "deleted"
    assert _searched(registry, exp, "DELETED_ONLY") == sorted([kept, alone])
    assert _searched(registry, exp, "ACTIVE_ONLY") == []
    experiments.restore_experiment(registry, "alice", {"experiment_id": exp})
    assert _stage(registry, kept) == "active" and _stage(registry, alone) == "deleted"
    assert _searched(registry, exp, "ACTIVE_ONLY") == [kept]
    assert _searched(registry, exp, "DELETED_ONLY") == [alone]


def test_any_tag(registry) -> None:  # type: ignore[no-untyped-def]
    exp = experiments.create_experiment(registry, "alice", {"name": "tagged", "tags": [
        {"key": "team", "value": "vision"}, {"key": "mlflow.note.content", "value": "about"}]})["experiment_id"]
    experiments.set_experiment_tag(registry, "alice", {"experiment_id": exp, "key": "stage", "value": "dev"})
    experiments.set_experiment_tag(registry, "alice", {"experiment_id": exp, "key": "stage", "value": "prod"})
    tags = {t["key"]: t["value"] for t in
            experiments.get_experiment(registry, "alice", {"experiment_id": exp})["experiment"]["tags"]}
    assert tags == {"team": "vision", "stage": "prod", "mlflow.note.content": "about", "mlhub.owner": "alice",
                    "mlhub.visibility": "private"}
    assert registry.get_project("alice", "tagged").tags == {"team": "vision", "stage": "prod"}
    found = experiments.search_experiments(registry, "alice", {"filter": "tags.stage = 'prod'"})["experiments"]
    assert [e["name"] for e in found] == ["tagged"]
    experiments.delete_experiment_tag(registry, "alice", {"experiment_id": exp, "key": "team"})
    assert registry.get_project("alice", "tagged").tags == {"stage": "prod"}
    for req in ({"experiment_id": exp, "key": "team"},):
        assert _error(experiments.delete_experiment_tag, registry, "alice", req) == "RESOURCE_DOES_NOT_EXIST"
    for req in ({"experiment_id": exp, "key": "mlhub.visibility", "value": "public"},
                {"experiment_id": exp, "key": "k", "value": 3},
                {"experiment_id": exp, "key": "k", "value": "x" * 5001}):
        assert _error(experiments.set_experiment_tag, registry, "alice", req) == "INVALID_PARAMETER_VALUE"
    assert registry.get_project("alice", "tagged").tags == {"stage": "prod"}
    assert registry.get_project("alice", "tagged").visibility.value == "private"
    # a bad tag at creation creates nothing
    assert _error(experiments.create_experiment, registry, "alice",
                  {"name": "never", "tags": [{"key": "", "value": "v"}]}) == "INVALID_PARAMETER_VALUE"
    assert _error(experiments.get_experiment_by_name, registry, "alice",
                  {"experiment_name": "never"}) == "RESOURCE_DOES_NOT_EXIST"


def test_roles(registry) -> None:  # type: ignore[no-untyped-def]
    exp = experiments.create_experiment(registry, "alice", {"name": "shared"})["experiment_id"]
    private = experiments.create_experiment(registry, "alice", {"name": "secret"})["experiment_id"]
    registry.set_member("alice", "shared", "editor", Role.EDIT)
    registry.set_member("alice", "shared", "manager", Role.MANAGE)
    registry.set_member("alice", "shared", "reader", Role.READ)
    rename = {"experiment_id": exp, "new_name": "renamed"}
    tag = {"experiment_id": exp, "key": "k", "value": "v"}
    for user in ("editor", "reader"):
        for call, req in ((experiments.update_experiment, rename), (experiments.delete_experiment, {"experiment_id": exp})):
            assert _error(call, registry, user, req) == "PERMISSION_DENIED", (user, call.__name__)
    assert _error(experiments.set_experiment_tag, registry, "reader", tag) == "PERMISSION_DENIED"
    experiments.set_experiment_tag(registry, "editor", tag)
    for call, req in ((experiments.update_experiment, {"experiment_id": private, "new_name": "mine"}),
                      (experiments.delete_experiment, {"experiment_id": private}),
                      (experiments.restore_experiment, {"experiment_id": private}),
                      (experiments.set_experiment_tag, {"experiment_id": private, "key": "k", "value": "v"})):
        assert _error(call, registry, "manager", req) == "RESOURCE_DOES_NOT_EXIST", call.__name__
    experiments.update_experiment(registry, "manager", rename)
    experiments.delete_experiment(registry, "manager", {"experiment_id": exp})
    assert _error(experiments.restore_experiment, registry, "editor", {"experiment_id": exp}) == "PERMISSION_DENIED"
    experiments.restore_experiment(registry, "manager", {"experiment_id": exp})
    got = registry.get_project("alice", "renamed")
    assert got.tags == {"k": "v"} and got.deleted_at is None and str(got.id) == exp
