"""The real MLflow client renames, soft-deletes, restores and tags experiments against a live
``mlhub serve``; a member with the edit role may tag but not rename or delete."""
from __future__ import annotations

from tests.services.mlflow_client import run_mlflow, token_for


def test_experiment_rename_delete_restore_and_tags(mlflow_server):  # type: ignore[no-untyped-def]
    out = run_mlflow(mlflow_server, """
        import mlflow
        from mlflow import MlflowClient
        from mlflow.entities import ViewType
        from mlflow.exceptions import MlflowException
        client = MlflowClient()

        def error_of(call):
            try:
                call()
                return "no error"
            except MlflowException as e:
                return e.error_code

        exp = client.create_experiment("exp-old", tags={"team": "vision"})
        client.create_experiment("exp-taken")
        with mlflow.start_run(experiment_id=exp) as run:
            mlflow.log_metric("acc", 0.9)
        seen = {"taken": error_of(lambda: client.rename_experiment(exp, "exp-taken"))}
        client.rename_experiment(exp, "exp-new")
        client.set_experiment_tag(exp, "stage", "dev")
        client.set_experiment_tag(exp, "mlflow.note.content", "about it")
        got = client.get_experiment(exp)
        by_name = client.get_experiment_by_name("exp-new").experiment_id
        seen["old_name"] = client.get_experiment_by_name("exp-old")
        runs = [r.info.run_id for r in client.search_runs([exp], "metrics.acc > 0.5")]
        tagged = [e.name for e in client.search_experiments(filter_string="tags.stage = 'dev'")]
        client.delete_experiment(exp)
        active = sorted(e.name for e in client.search_experiments())
        deleted = [e.name for e in client.search_experiments(view_type=ViewType.DELETED_ONLY)]
        every = sorted(e.name for e in client.search_experiments(view_type=ViewType.ALL))
        stage = client.get_experiment(exp).lifecycle_stage
        seen["new_run"] = error_of(lambda: client.create_run(exp))
        client.restore_experiment(exp)
        restored = client.get_experiment(exp).lifecycle_stage
        seen["restore_again"] = error_of(lambda: client.restore_experiment(exp))
        emit({"seen": seen, "name": got.name, "id": got.experiment_id == exp == by_name, "tags": got.tags,
              "runs": runs == [run.info.run_id], "tagged": tagged, "active": active, "deleted": deleted,
              "every": every, "stage": stage, "restored": restored, "exp": exp})
    """)
    assert out["seen"] == {"taken": "RESOURCE_ALREADY_EXISTS", "old_name": None, "new_run": "INVALID_PARAMETER_VALUE",
                           "restore_again": "INVALID_PARAMETER_VALUE"}
    assert out["name"] == "exp-new" and out["id"] and out["runs"]
    assert {k: v for k, v in out["tags"].items() if not k.startswith("mlhub.")} == \
        {"team": "vision", "stage": "dev", "mlflow.note.content": "about it"}
    assert out["tagged"] == ["exp-new"]
    assert "exp-new" not in out["active"] and "exp-taken" in out["active"] and out["deleted"] == ["exp-new"]
    assert {"exp-new", "exp-taken"} <= set(out["every"])
    assert out["stage"] == "deleted" and out["restored"] == "active"
    # ML Hub's own API sees the renamed project with its run and description
    got = mlflow_server.api("GET", "projects/exp-new").json()
    assert got["run_count"] == 1 and got["description"] == "about it"

    # another user: edit may tag, only manage renames/deletes; alice's private "exp-taken" (the next id) is not there
    bob = token_for(mlflow_server, "bob")
    assert mlflow_server.api("PUT", "projects/exp-new/members/bob", json={"role": "edit"}).status_code == 200
    got = run_mlflow(mlflow_server, f"""
        from mlflow import MlflowClient
        from mlflow.exceptions import MlflowException
        client = MlflowClient()
        shared = "{out['exp']}"
        seen = {{}}
        for what, call in [("tag", lambda: client.set_experiment_tag(shared, "by", "bob")),
                           ("rename", lambda: client.rename_experiment(shared, "bobs")),
                           ("delete", lambda: client.delete_experiment(shared)),
                           ("by_name", lambda: client.delete_experiment(
                               client.get_experiment_by_name("exp-new").experiment_id)),
                           ("hidden", lambda: client.rename_experiment(
                               str(int(shared) + 1), "bobs"))]:
            try:
                call()
                seen[what] = "no error"
            except MlflowException as e:
                seen[what] = e.error_code
        emit(seen)
    """, token=bob)
    assert got == {"tag": "no error", "rename": "PERMISSION_DENIED", "delete": "PERMISSION_DENIED",
                   "by_name": "PERMISSION_DENIED", "hidden": "RESOURCE_DOES_NOT_EXIST"}
    assert mlflow_server.api("GET", "projects/exp-new").status_code == 200
