"""The real MLflow client renames and deletes registered models, deletes versions and logged
models against a live ``mlhub serve``; another user gets MLflow's errors for them."""
from __future__ import annotations

from tests import model_cards as cards
from tests.services.mlflow_client import run_mlflow, token_for


def test_rename_and_delete_through_the_mlflow_client(mlflow_server):  # type: ignore[no-untyped-def]
    out = run_mlflow(mlflow_server, """
        import mlflow
        from mlflow import MlflowClient
        from mlflow.exceptions import MlflowException
        from sklearn.linear_model import LogisticRegression
        mlflow.set_experiment("mlflow-delete")
        clf = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
        client = MlflowClient()
        with mlflow.start_run():
            info = mlflow.sklearn.log_model(clf, name="clf", pip_requirements=["scikit-learn"])
        for _ in range(3):
            mv = mlflow.register_model(info.model_uri, "to-rename")
        client.create_registered_model("taken")
        client.set_registered_model_alias("to-rename", "champion", "3")

        def error_of(call):
            try:
                call()
                return "no error"
            except MlflowException as e:
                return e.error_code

        seen = {"taken": error_of(lambda: client.rename_registered_model("to-rename", "taken"))}
        client.rename_registered_model("to-rename", "renamed")
        renamed = client.get_registered_model("renamed")
        seen["old"] = error_of(lambda: client.get_registered_model("to-rename"))
        loaded = mlflow.pyfunc.load_model("models:/renamed@champion").predict([[0.0], [3.0]]).tolist()
        client.delete_model_version("renamed", "3")
        seen["alias"] = error_of(lambda: client.get_model_version_by_alias("renamed", "champion"))
        seen["v3"] = error_of(lambda: client.get_model_version("renamed", "3"))
        after = client.get_registered_model("renamed")
        v4 = mlflow.register_model(info.model_uri, "renamed").version
        client.delete_registered_model("taken")
        seen["taken_after"] = error_of(lambda: client.get_registered_model("taken"))
        client.delete_logged_model(info.model_id)
        seen["logged"] = error_of(lambda: client.get_logged_model(info.model_id))
        kept = mlflow.pyfunc.load_model("models:/renamed/1").predict([[3.0]]).tolist()
        emit({"seen": seen, "renamed": renamed.name, "loaded": loaded, "v4": v4, "kept": kept,
              "aliases": after.aliases, "latest": [v.version for v in after.latest_versions]})
    """, timeout=240)
    assert out["seen"] == {"taken": "RESOURCE_ALREADY_EXISTS", "old": "RESOURCE_DOES_NOT_EXIST",
                           "alias": "RESOURCE_DOES_NOT_EXIST", "v3": "RESOURCE_DOES_NOT_EXIST",
                           "taken_after": "RESOURCE_DOES_NOT_EXIST", "logged": "RESOURCE_DOES_NOT_EXIST"}
    assert out["renamed"] == "renamed" and out["loaded"] == [0, 1] and out["kept"] == [1]
    assert out["v4"] == "4" and out["aliases"] == {} and out["latest"] == ["2"]
    # ML Hub's own API sees the same registry
    got = mlflow_server.api("GET", "models/renamed").json()
    assert got["version_count"] == 3 and got["latest_version"] == 4

    # another user: a private model is not there for them, a shared one needs manage
    bob = token_for(mlflow_server, "bob")
    assert mlflow_server.api("PUT", "models/renamed/members/bob", json={"role": "edit"}).status_code == 200
    assert mlflow_server.api("POST", "models", json={"card": cards.SENTIMENT, "name": "private"}).status_code == 201
    got = run_mlflow(mlflow_server, """
        from mlflow import MlflowClient
        from mlflow.exceptions import MlflowException
        client = MlflowClient()
        seen = {}
        for what, call in [("rename", lambda: client.rename_registered_model("renamed", "mine")),
                           ("delete", lambda: client.delete_registered_model("renamed")),
                           ("version", lambda: client.delete_model_version("renamed", "1")),
                           ("private", lambda: client.delete_registered_model("private"))]:
            try:
                call()
                seen[what] = "no error"
            except MlflowException as e:
                seen[what] = e.error_code
        emit(seen)
    """, token=bob)
    assert got == {"rename": "PERMISSION_DENIED", "delete": "PERMISSION_DENIED", "version": "PERMISSION_DENIED",
                   "private": "RESOURCE_DOES_NOT_EXIST"}
    assert mlflow_server.api("GET", "models/renamed").json()["version_count"] == 3
