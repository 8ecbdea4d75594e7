"""The model service over the SQL store (SQLite and PostgreSQL), without HTTP or Dask."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.store import open_registry
from mlhub_ext.store.models import open_models
from tests.object_store import STORE_CASES, store_case


@pytest.fixture(params=STORE_CASES)
def svc(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """On SQLite and PostgreSQL with local blobs, and on SQLite with S3."""
    db_url, artifacts = store_case(request, tmp_path)
    reg = open_registry(db_url, **artifacts.open_kwargs())
    yield open_models(reg)
    reg.store.close()


def result(n: int = 1, **kw: Any) -> dict[str, Any]:
    """What train_task returns, cut down to what the registry stores."""
    return {"model_bytes": b"model-%d" % n, "model_type": "sklearn", "task": "classification",
            "estimator_name": "RandomForestClassifier", "metrics": {"accuracy": 0.9 + n / 100},
            "evaluation": {"task": "classification", "accuracy": 0.9}, "input_schema": [{"name": "x", "dtype": "float"}],
            "classes": ["a", "b"], "param_count": 10 * n, "spec": {"kind": "sklearn"}, **kw}


def code(exc: pytest.ExceptionInfo[MLHubError]) -> str:
    return exc.value.code.value


def test_versions_number_per_model_and_keep_their_metadata(svc) -> None:  # type: ignore[no-untyped-def]
    v1 = svc.register_version("alice", "iris_rf", result(1), dataset="iris", dataset_version=2, target="species",
                              run_id="r1", project="models-iris_rf", tags=["iris"])
    v2 = svc.register_version("alice", "iris_rf", result(2))
    other = svc.register_version("alice", "other", result(3))
    assert (v1.version, v2.version, other.version) == (1, 2, 1)
    got = svc.get_version("alice", "iris_rf", 1)
    assert got.dataset_name == "iris" and got.dataset_version == 2 and got.run_id == "r1"
    assert got.evaluation == {"task": "classification", "accuracy": 0.9}
    assert got.param_count == 10 and got.estimator == "RandomForestClassifier" and got.developer == "alice"
    assert svc.model_bytes(got) == b"model-1"
    assert svc.get_version("alice", "iris_rf", "latest").version == 2
    model = svc.get_model("alice", "iris_rf")
    assert model.latest_version == 2 and model.version_count == 2 and model.tags == ["iris"]
    assert [v.version for v in svc.list_versions("alice", "iris_rf")] == [2, 1]
    with pytest.raises(MLHubError) as e:
        svc.get_version("alice", "iris_rf", 9)
    assert code(e) == "not_found"


def test_private_models_are_invisible_and_members_widen_access(svc) -> None:  # type: ignore[no-untyped-def]
    svc.register_version("alice", "m", result())
    with pytest.raises(MLHubError) as e:
        svc.get_model("bob", "m")
    assert code(e) == "not_found"
    models, total, counts = svc.list_models("bob")
    assert total == 0 and counts["models"] == 0
    svc.set_member("alice", "m", "bob", "read")
    assert svc.get_model("bob", "m").role.value == "read"
    with pytest.raises(MLHubError) as e:
        svc.promote("bob", "m", "production", 1)
    assert code(e) == "forbidden"
    with pytest.raises(MLHubError) as e:
        svc.register_version("bob", "m", result())
    assert code(e) == "forbidden"
    svc.set_member("alice", "m", "bob", "edit")
    assert svc.promote("bob", "m", "production", 1).version == 1


def test_aliases_move_and_history_records_every_move(svc) -> None:  # type: ignore[no-untyped-def]
    for n in (1, 2, 3):
        svc.register_version("alice", "m", result(n))
    svc.promote("alice", "m", "staging", 3)
    svc.promote("alice", "m", "production", 2)
    back = svc.promote("alice", "m", "production", 1)          # roll back
    assert (back.version, back.previous) == (1, 2)
    got = svc.aliases("alice", "m")
    assert got["aliases"] == {"production": 1, "staging": 3}
    assert [(h["stage"], h["version"], h["previous"]) for h in got["history"]] == [
        ("production", 1, 2), ("production", 2, None), ("staging", 3, None)]
    assert svc.get_version("alice", "m", "production").version == 1
    assert svc.get_version("alice", "m", 3).stages == ["staging"]
    with pytest.raises(MLHubError) as e:
        svc.promote("alice", "m", "production", 7)
    assert code(e) == "not_found"
    svc.remove_alias("alice", "m", "staging")
    assert svc.aliases("alice", "m")["aliases"] == {"production": 1}
    models, total, counts = svc.list_models("alice", stage="production")
    assert total == 1 and counts["by_stage"] == {"production": 1}


def test_racing_promotions_end_on_one_version_with_both_moves(svc) -> None:  # type: ignore[no-untyped-def]
    for n in range(1, 7):
        svc.register_version("alice", "m", result(n))
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def promote(v: int) -> None:
        try:
            barrier.wait()
            svc.promote("alice", "m", "production", v)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=promote, args=(v,)) for v in range(1, 7)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    got = svc.aliases("alice", "m")
    history = list(reversed(got["history"]))
    assert sorted(h["version"] for h in history) == [1, 2, 3, 4, 5, 6]
    # The moves form one chain: each one's previous is the version the one before set.
    assert history[0]["previous"] is None
    assert all(b["previous"] == a["version"] for a, b in zip(history, history[1:]))
    assert got["aliases"]["production"] == history[-1]["version"]


def test_version_metadata_publish_archive(svc) -> None:  # type: ignore[no-untyped-def]
    svc.register_version("alice", "m", result(1))
    svc.register_version("alice", "m", result(2))
    v = svc.update_version("alice", "m", 1, {"description": "first", "tags": ["a"], "status": "deprecated",
                                             "published": True})
    assert (v.description, v.tags, v.status, v.published) == ("first", ["a"], "deprecated", True)
    svc.promote("alice", "m", "production", 2)
    with pytest.raises(MLHubError) as e:
        svc.update_version("alice", "m", 2, {"archived": True})
    assert code(e) == "conflict"
    svc.update_version("alice", "m", 1, {"archived": True})
    assert [x.version for x in svc.list_versions("alice", "m")] == [2]
    assert [x.version for x in svc.list_versions("alice", "m", include_archived=True)] == [2, 1]
    with pytest.raises(MLHubError) as e:
        svc.promote("alice", "m", "staging", 1)
    assert code(e) == "conflict"
    for bad in ({"published": "yes"}, {"status": ""}, {"colour": "red"}):
        with pytest.raises(MLHubError) as e:
            svc.update_version("alice", "m", 2, bad)
        assert code(e) == "invalid"


def test_catalogue_search_and_filters(svc) -> None:  # type: ignore[no-untyped-def]
    svc.register_version("alice", "iris_rf", result(1), tags=["iris"])
    svc.register_version("alice", "digits_cnn", {**result(2), "model_type": "torch", "estimator_name": "CNN"})
    names = lambda **kw: sorted(m.name for m in svc.list_models("alice", **kw)[0])  # noqa: E731
    assert names() == ["digits_cnn", "iris_rf"]
    assert names(q="IRIS") == ["iris_rf"]
    assert names(q="cnn") == ["digits_cnn"]
    assert names(tag="iris") == ["iris_rf"]
    assert names(model_type="torch") == ["digits_cnn"]
    assert names(developer="alice") == ["digits_cnn", "iris_rf"]
    assert names(developer="bob") == []
    counts = svc.list_models("alice")[2]
    assert counts["models"] == 2 and counts["versions"] == 2 and counts["by_type"] == {"sklearn": 1, "torch": 1}


def test_inferences_and_report(svc) -> None:  # type: ignore[no-untyped-def]
    v = svc.register_version("alice", "m", result())
    for i in range(20):
        svc.record_inference("alice", v, "production", [[i]], [{"prediction": "a"}], float(i + 1))
    items, total = svc.list_inferences("alice", "m", 1, limit=5)
    assert total == 20 and [x.latency_ms for x in items] == [20.0, 19.0, 18.0, 17.0, 16.0]
    assert items[0].inputs == [[19]] and items[0].user == "alice" and items[0].stage == "production"
    report = svc.report("alice", "m", 1)
    assert report["requests"] == 20 and report["users"] == 1
    assert report["latency_ms"]["p50"] == pytest.approx(10.5)
    assert report["latency_ms"]["p95"] == pytest.approx(19.05)
    assert report["evaluation"]["accuracy"] == 0.9


def test_jobs_lifecycle_visibility_and_restart(svc) -> None:  # type: ignore[no-untyped-def]
    job = svc.create_job("alice", "train", model="m", dataset="iris", dataset_version=1, target="y",
                         spec={"kind": "sklearn"})
    assert job.state == "queued" and job.to_json()["dataset"] == {"name": "iris", "version": 1}
    svc.update_job(job.id, state="running", progress=0.5, message="epoch 1")
    assert svc.get_job("alice", job.id).progress == 0.5
    with pytest.raises(MLHubError) as e:
        svc.get_job("bob", job.id)
    assert code(e) == "not_found"
    assert svc.list_jobs("bob")[1] == 0 and svc.list_jobs("alice", state="running")[1] == 1
    other = svc.create_job("alice", "evaluate", model="m")
    svc.update_job(other.id, state="finished")
    with pytest.raises(MLHubError) as e:
        svc.check_abort("alice", other.id)
    assert code(e) == "conflict"
    assert svc.store.fail_unfinished_jobs("the server restarted") == 1
    failed = svc.get_job("alice", job.id)
    assert failed.state == "failed" and failed.error == "the server restarted"
    assert svc.get_job("alice", other.id).state == "finished"
    with pytest.raises(MLHubError) as e:
        svc.list_jobs("alice", state="sleeping")
    assert code(e) == "invalid"


def test_bad_names_and_refs(svc) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(MLHubError) as e:
        svc.register_version("alice", "../etc", result())
    assert code(e) == "invalid"
    svc.register_version("alice", "m", result())
    for stage, version in (("prod uction", 1), ("production", "one"), ("production", True)):
        with pytest.raises(MLHubError) as e:
            svc.promote("alice", "m", stage, version)
        assert code(e) == "invalid", (stage, version)
    with pytest.raises(MLHubError) as e:
        svc.get_version("alice", "m", "production")
    assert code(e) == "not_found"
    assert svc.serving_version("alice", "m")[0].version == 1


def test_serving_version_reads_access_and_stages_in_one_lookup(svc) -> None:  # type: ignore[no-untyped-def]
    """The prediction path's own model read applies the same access rules as get_model."""
    for n in (1, 2, 3):
        svc.register_version("alice", "m", result(n))
    svc.promote("alice", "m", "production", 2)
    mv, stage = svc.serving_version("alice", "m")
    assert (mv.version, stage, mv.stages) == (2, "production", ["production"])
    assert svc.serving_version("alice", "m", version="latest")[0].version == 3
    assert svc.serving_version("alice", "m", version=1)[0].version == 1
    for who, stage, version, expected in (("bob", None, None, "not_found"),          # private: invisible
                                          ("alice", "staging", None, "not_found"),
                                          ("alice", None, 9, "not_found"),
                                          ("alice", "production", 1, "invalid"),
                                          ("alice", 3, None, "invalid")):
        with pytest.raises(MLHubError) as e:
            svc.serving_version(who, "m", stage, version)
        assert code(e) == expected, (who, stage, version)
    with pytest.raises(MLHubError) as e:
        svc.serving_version("alice", "x" * 200)
    assert code(e) == "not_found"
    svc.set_member("alice", "m", "bob", "read")
    assert svc.serving_version("bob", "m")[0].version == 2
    svc.remove_member("alice", "m", "bob")
    with pytest.raises(MLHubError) as e:
        svc.serving_version("bob", "m")
    assert code(e) == "not_found"
    svc.update_model("alice", "m", {"visibility": "public"})
    assert svc.serving_version("carol", "m", "production")[0].version == 2


def test_empty_version_patch_changes_nothing_and_odd_versions_are_invalid(svc) -> None:  # type: ignore[no-untyped-def]
    """Found by the API fuzzer: PATCH {} answered 500 (an UPDATE with no SET clause), and a
    version beyond 64 bits or a non-ASCII digit answered 500 from the database or int()."""
    svc.register_version("alice", "m", result(1), tags=["t"])
    before = svc.get_version("alice", "m", 1, with_evaluation=False)
    after = svc.update_version("alice", "m", 1, {})
    assert (after.version, after.tags, after.description, after.status) == (1, ["t"], "", before.status)
    with pytest.raises(MLHubError) as e:
        svc.update_version("alice", "m", 9, {})
    assert code(e) == "not_found"
    for bad in (2**63, "9886418669542983680", "²"):
        with pytest.raises(MLHubError) as e:
            svc.promote("alice", "m", "production", bad)
        assert code(e) == "invalid", bad
    assert svc.aliases("alice", "m")["aliases"] == {}


def test_a_model_file_that_does_not_fit_registers_nothing(tmp_path: Path) -> None:
    """A training result larger than the free space: 507, no version, no file kept; the same
    registration succeeds once there is room."""
    from tests.tmpfs import MiB, files_under, remount, small_tmpfs

    with small_tmpfs(tmp_path / "blobs", 1) as blobs:
        reg = open_registry(f"sqlite:///{tmp_path / 'm.db'}", artifact_root=str(blobs))
        try:
            svc = open_models(reg)
            big = result(1, model_bytes=b"\x01" * (2 * MiB))
            with pytest.raises(MLHubError) as e:
                svc.register_version("alice", "big", big)
            assert (code(e), e.value.http_status, e.value.details) == ("insufficient_storage", 507, {"reason": "full"})
            assert svc.store.get_model("big") is None and files_under(blobs) == []
            remount(blobs, size_mib=4)
            assert svc.register_version("alice", "big", big).artifact_size == 2 * MiB
        finally:
            reg.store.close()
