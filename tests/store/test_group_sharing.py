"""Sharing with a hub group (``group:<org:team>``): every member of the group gets the role,
nobody else does; the profile's holdings name the role and the grant. Projects, datasets
and models, on SQLite and PostgreSQL."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from mlhub_ext.core.access import Caller, principals
from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.services.dataset_worker import DataWorker
from mlhub_ext.store import open_registry
from mlhub_ext.store.datasets import open_datasets
from mlhub_ext.store.models import open_models

TEAM = "group:my-org:ml-leads"
bob = Caller("bob", ["my-org:ml-leads", "my-org:everyone"])     # in the team
carol = Caller("carol", ["my-org:everyone"])                     # not in it
dave = Caller("dave")                                            # no groups at all


@pytest.fixture
def services(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    reg = open_registry(db_url, artifact_root=str(tmp_path / "blobs"))
    yield reg, open_datasets(reg, DataWorker(in_process=True)), open_models(reg)
    reg.store.close()


def add_dataset(svc, user: str, name: str) -> None:  # type: ignore[no-untyped-def]
    data = b"x,y\n1,2\n3,4\n"
    up = svc.create_upload(user, f"{name}.csv", len(data))
    svc.put_chunk(user, up.id, 0, data, hashlib.sha256(data).hexdigest())
    svc.complete_upload(user, up.id, hashlib.sha256(data).hexdigest())
    svc.register(user, up.id, name=name)


def code(e: pytest.ExceptionInfo[MLHubError]) -> ErrorCode:
    return e.value.code


def test_principals_are_the_user_and_their_groups():
    assert principals(bob) == ["bob", "group:my-org:everyone", "group:my-org:ml-leads"]
    assert principals("alice") == ["alice"] and principals(dave) == ["dave"]


def test_project_shared_with_a_group(services):  # type: ignore[no-untyped-def]
    reg, _, _ = services
    reg.create_project("alice", "churn")
    run = reg.create_run("alice", "churn")
    assert reg.set_member("alice", "churn", TEAM, "edit").user == TEAM
    assert reg.get_project(bob, "churn").role.value == "edit"
    reg.create_run(bob, "churn", name="bobs")            # edit: may log runs
    with pytest.raises(MLHubError) as e:
        reg.get_project(carol, "churn")
    assert code(e) == ErrorCode.NOT_FOUND                 # not a member: not even its name
    with pytest.raises(MLHubError) as e:
        reg.get_run(dave, run.id)
    assert code(e) == ErrorCode.NOT_FOUND
    assert [p.name for p in reg.list_projects(bob)[0]] == ["churn"] and reg.list_projects(carol)[1] == 0
    assert reg.list_runs(bob, "churn")[1] == 2 and reg.list_runs(carol)[1] == 0
    # bob's own grant and the team's: the higher role wins, and names who granted it.
    reg.set_member("alice", "churn", "bob", "read")
    assert reg.get_project(bob, "churn").role.value == "edit"
    [held] = reg.holdings(bob)[1]
    assert (held.name, held.role.value, held.via, held.count) == ("churn", "edit", TEAM, 2)
    reg.set_member("alice", "churn", "bob", "manage")
    [held] = reg.holdings(bob)[1]
    assert (held.role.value, held.via) == ("manage", "bob")
    # Taking the group away takes the access away from its members.
    reg.remove_member("alice", "churn", "bob")
    reg.remove_member("alice", "churn", TEAM)
    with pytest.raises(MLHubError):
        reg.get_project(bob, "churn")
    assert reg.holdings(bob) == ([], [])


def test_dataset_and_model_shared_with_a_group(services):  # type: ignore[no-untyped-def]
    _, datasets, models = services
    add_dataset(datasets, "alice", "iris")
    models.register_version("alice", "iris_rf", {
        "model_bytes": b"model", "model_type": "sklearn", "task": "classification",
        "estimator_name": "RandomForestClassifier", "metrics": {}, "evaluation": {},
        "input_schema": [{"name": "x", "dtype": "float"}], "classes": ["a"], "param_count": 1, "spec": {}})
    datasets.set_member("alice", "iris", TEAM, "read")
    models.set_member("alice", "iris_rf", TEAM, "manage")
    assert datasets.get_dataset(bob, "iris").role.value == "read"
    assert models.get_model(bob, "iris_rf").role.value == "manage"
    models.set_member(bob, "iris_rf", "erin", "read")        # manage through the team: may share
    for who in (carol, dave):
        with pytest.raises(MLHubError) as e:
            datasets.get_dataset(who, "iris")
        assert code(e) == ErrorCode.NOT_FOUND
        with pytest.raises(MLHubError) as e:
            models.get_model(who, "iris_rf")
        assert code(e) == ErrorCode.NOT_FOUND
    assert [d.name for d in datasets.list_datasets(bob)[0]] == ["iris"]
    assert datasets.list_datasets(carol)[1] == 0
    assert models.list_models(bob)[1] == 1 and models.list_models(carol)[1] == 0
    with pytest.raises(MLHubError) as e:                     # read: may not change it
        datasets.update_dataset(bob, "iris", {"description": "mine now"})
    assert code(e) == ErrorCode.FORBIDDEN
    [d] = datasets.holdings(bob)[1]
    [m] = models.holdings(bob)[1]
    assert (d.kind, d.role.value, d.via, d.count, d.size > 0) == ("dataset", "read", TEAM, 1, True)
    assert (m.kind, m.role.value, m.via, m.count, m.size) == ("model", "manage", TEAM, 1, len(b"model"))
    owned, _ = models.holdings("alice")
    assert [(h.name, h.role.value, h.count) for h in owned] == [("iris_rf", "owner", 1)]


def test_group_member_names_are_checked(services):  # type: ignore[no-untyped-def]
    reg, _, _ = services
    reg.create_project("alice", "p")
    for bad in ("group:", "group:-x", "group:" + "a" * 200, "group:a/b"):
        with pytest.raises(MLHubError) as e:
            reg.set_member("alice", "p", bad, "read")
        assert code(e) == ErrorCode.INVALID and "group" in e.value.message
    with pytest.raises(MLHubError) as e:
        reg.set_member("alice", "p", "org:team", "read")      # a group needs its prefix
    assert code(e) == ErrorCode.INVALID
