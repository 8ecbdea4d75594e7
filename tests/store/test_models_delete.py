"""Renaming and deleting models and deleting versions, over the SQL store (SQLite and PostgreSQL)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlhub_ext.core.errors import MLHubError
from mlhub_ext.store import open_registry
from mlhub_ext.store.models import open_models
from tests.object_store import STORE_CASES, store_case

from .test_models_store import code, result


@pytest.fixture(params=STORE_CASES)
def svc(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """On SQLite and PostgreSQL with local blobs, and on SQLite with S3."""
    db_url, artifacts = store_case(request, tmp_path)
    reg = open_registry(db_url, **artifacts.open_kwargs())
    yield open_models(reg)
    reg.store.close()


def fail(fn: Any, *args: Any) -> str:
    with pytest.raises(MLHubError) as e:
        fn(*args)
    return code(e)


def test_rename_moves_versions_stages_members_inferences_and_jobs(svc) -> None:  # type: ignore[no-untyped-def]
    v1 = svc.register_version("alice", "old", result(1))
    svc.register_version("alice", "old", result(2))
    svc.promote("alice", "old", "production", 1)
    svc.set_member("alice", "old", "bob", "read")
    svc.record_inference("alice", v1, "production", [[1]], ["a"], 2.5)
    job = svc.create_job("alice", "train", model="old", version=2)
    svc.update_job(job.id, state="succeeded")
    svc.register_version("alice", "taken", result(3))

    assert fail(svc.rename_model, "alice", "old", "taken") == "conflict"
    assert fail(svc.rename_model, "alice", "old", "bad name!") == "invalid"
    assert fail(svc.rename_model, "bob", "old", "new") == "forbidden"      # read role only
    assert fail(svc.rename_model, "carol", "old", "new") == "not_found"    # a stranger
    svc.set_member("alice", "old", "dave", "manage")
    renamed = svc.rename_model("dave", "old", "new")

    assert renamed.name == "new" and renamed.aliases == {"production": 1} and renamed.latest_version == 2
    assert fail(svc.get_model, "alice", "old") == "not_found"
    assert [v.version for v in svc.list_versions("alice", "new")] == [2, 1]
    assert svc.get_version("alice", "new", "production").version == 1
    assert svc.model_bytes(svc.get_version("alice", "new", 1)) == b"model-1"
    assert svc.get_model("bob", "new").role.value == "read"
    inferences, total = svc.list_inferences("alice", "new", 1)
    assert total == 1 and inferences[0].model == "new" and inferences[0].outputs == ["a"]
    assert svc.get_job("alice", job.id).model == "new"
    assert [j.id for j in svc.list_jobs("alice", model="new")[0]] == [job.id]
    assert [m.stage for m in svc.store.alias_history("new")] == ["production"]
    # The old name is free again, and the next version continues the numbering.
    assert svc.register_version("alice", "old", result(4)).version == 1
    assert svc.register_version("alice", "new", result(5)).version == 3


def test_delete_model_removes_everything_but_keeps_shared_blobs(svc) -> None:  # type: ignore[no-untyped-def]
    v1 = svc.register_version("alice", "gone", result(1))
    same = svc.register_version("alice", "kept", result(1))                  # the same bytes
    assert same.artifact_sha256 == v1.artifact_sha256
    svc.promote("alice", "gone", "production", 1)
    svc.set_member("alice", "gone", "bob", "edit")
    svc.record_inference("alice", v1, None, [[1]], ["a"], 1.0)
    job = svc.create_job("alice", "train", model="gone", version=1)

    assert fail(svc.delete_model, "bob", "gone") == "forbidden"             # edit is not enough
    assert fail(svc.delete_model, "carol", "gone") == "not_found"
    assert fail(svc.delete_model, "alice", "gone") == "conflict"            # its job is queued
    svc.update_job(job.id, state="failed")
    svc.delete_model("alice", "gone")

    assert fail(svc.get_model, "alice", "gone") == "not_found"
    assert fail(svc.delete_model, "alice", "gone") == "not_found"
    assert svc.get_job("alice", job.id).model is None                       # the owner keeps its history
    assert svc.holdings("bob") == ([], [])
    assert svc.model_bytes(svc.get_version("alice", "kept", 1)) == b"model-1"
    # A new model of the same name starts afresh: no versions, stages, members or inferences.
    again = svc.register_version("alice", "gone", result(2))
    assert again.version == 1 and again.stages == []
    assert fail(svc.get_model, "bob", "gone") == "not_found"
    assert svc.list_inferences("alice", "gone", 1)[1] == 0
    assert svc.store.alias_history("gone") == []


def test_delete_version_drops_its_stages_and_never_reuses_its_number(svc) -> None:  # type: ignore[no-untyped-def]
    for n in (1, 2, 3):
        svc.register_version("alice", "m", result(n))
    svc.promote("alice", "m", "production", 3)
    svc.promote("alice", "m", "staging", 3)
    svc.promote("alice", "m", "old", 1)
    svc.record_inference("alice", svc.get_version("alice", "m", 3), "production", [[1]], ["b"], 1.0)
    svc.set_member("alice", "m", "bob", "edit")

    assert fail(svc.delete_version, "bob", "m", 3) == "forbidden"
    assert fail(svc.delete_version, "carol", "m", 3) == "not_found"
    assert fail(svc.delete_version, "alice", "m", "production") == "invalid"
    assert fail(svc.delete_version, "alice", "m", 9) == "not_found"
    moves = svc.delete_version("alice", "m", 3)

    assert [(m.stage, m.version, m.previous, m.user) for m in moves] == [
        ("production", None, 3, "alice"), ("staging", None, 3, "alice")]
    model = svc.get_model("alice", "m")
    assert model.aliases == {"old": 1} and model.latest_version == 2 and model.version_count == 2
    assert model.latest is not None and model.latest.version == 2
    assert svc.get_version("alice", "m").version == 2                       # "latest" is the highest left
    assert fail(svc.get_version, "alice", "m", 3) == "not_found"
    assert svc.store.list_inferences("m", 3, 10, 0)[1] == 0
    history = svc.aliases("alice", "m")["history"]
    assert [(h["stage"], h["version"], h["previous"]) for h in history[:2]] == [
        ("staging", None, 3), ("production", None, 3)]
    assert svc.serving_version("alice", "m")[0].version == 2
    assert svc.register_version("alice", "m", result(4)).version == 4      # 3 is not given again
    svc.delete_version("alice", "m", 1)
    svc.delete_version("alice", "m", 2)
    svc.delete_version("alice", "m", 4)
    empty = svc.get_model("alice", "m")
    assert empty.latest_version == 0 and empty.latest is None and empty.aliases == {}
    assert svc.register_version("alice", "m", result(5)).version == 5
