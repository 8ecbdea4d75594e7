"""The SDK's typed answers: Records.to_pandas, objects built from the wire JSON, and mh.runs
against a real `mlhub serve`."""
from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest

import mlhub_ext as mh
from mlhub_ext.client import config
from mlhub_ext.client.datasets import LISTING_COLUMNS, Dataset, DatasetVersion
from mlhub_ext.client.models import Evaluation, Inference
from mlhub_ext.client.projects import Project
from mlhub_ext.client.records import Member, Records, StageMove
from mlhub_ext.client.runs import RunSummary
from mlhub_ext.core.errors import ErrorCode, MLHubError

VERSION = {"dataset": "iris", "version": 2, "created_by": "alice", "created_at": "2026-01-02T03:04:05Z",
           "message": "clean", "parent_version": 1, "kind": "table", "format": "csv", "size": 120,
           "num_rows": 10, "content_sha256": "ab" * 32, "lineage": {"source": "process"}}


def test_records_are_lists_with_a_table_even_when_empty() -> None:
    rows = Records([Member.from_json({"dataset": "iris", "user": "bob", "role": "read"})], ("user", "role"))
    assert isinstance(rows, list) and rows[0].kind == "dataset" and rows[0].resource == "iris"
    frame = rows.to_pandas()
    assert frame.to_dict("records") == [{"user": "bob", "role": "read", "dataset": "iris"}]
    assert Records([], LISTING_COLUMNS).to_pandas().columns.tolist() == list(LISTING_COLUMNS)


def test_indexing_an_object_like_the_old_dict_names_the_attribute() -> None:
    version = DatasetVersion(None, VERSION)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"use \.version \(or \.raw\['version'\]"):
        version["version"]
    assert (version.version, version.message, version.parent_version, version.num_rows) == (2, "clean", 1, 10)
    assert version.created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert version.raw is version.info


def test_dataset_listing_entry_keeps_the_old_table_columns() -> None:
    d = Dataset.from_json({"name": "iris", "owner": "alice", "kind": "table", "latest_version": 2,
                           "description": "", "visibility": "public", "tags": ["demo"], "role": "owner",
                           "created_at": None, "updated_at": "2026-01-02T03:04:05Z", "latest": VERSION}, None)
    assert d.latest is None and d.role == "owner"   # no client given: no version handle
    row = Records([d], LISTING_COLUMNS).to_pandas().iloc[0]
    assert (row["name"], row["version"], row["rows"], row["format"], row["tags"]) == ("iris", 2, 10, "csv", ["demo"])


def test_run_summary_decodes_metrics_and_flattens_for_the_table() -> None:
    run = RunSummary.from_json({"id": "r1", "project": "p", "name": "a", "owner": "alice", "status": "finished",
                                "params": {"lr": 0.1}, "latest_metrics": {"loss": 0.5, "gap": "NaN"},
                                "tags": ["x"], "created_at": "2026-01-02T03:04:05Z"})
    assert run.metrics["loss"] == 0.5 and math.isnan(run.metrics["gap"])
    frame = Records([run], ("id", "status")).to_pandas()
    assert frame.columns.tolist()[:2] == ["id", "status"]
    assert frame.loc[0, "params.lr"] == 0.1 and frame.loc[0, "metrics.loss"] == 0.5


def test_small_records_from_json() -> None:
    e = Evaluation.from_json({"id": 3, "model": "m", "version": 1, "dataset": {"name": "h", "version": 2},
                              "job_id": None, "created_by": "a", "created_at": None, "evaluation": {"f1": 1.0}})
    assert (e.dataset, e.dataset_version, e.evaluation) == ("h", 2, {"f1": 1.0})
    i = Inference.from_json({"id": 1, "model": "m", "version": 1, "stage": None, "inputs": [[1]],
                             "outputs": [{"prediction": 0}], "latency_ms": 2, "user": "a", "created_at": None})
    assert i.latency_ms == 2.0 and i.outputs == [{"prediction": 0}]
    move = StageMove.from_json({"model": "m", "stage": "production", "version": 2, "previous": 1, "id": 7})
    assert (move.stage, move.version, move.previous, move.id) == ("production", 2, 1, 7)
    p = Project.from_json({"name": "p", "owner": "a", "run_count": 3, "role": "read"})
    assert (p.run_count, p.role, p.visibility) == (3, "read", "private")


@pytest.fixture
def logged_in(mlhub_server):  # type: ignore[no-untyped-def]
    mh.login(mlhub_server.url, mlhub_server.token)
    yield mlhub_server
    config.clear_login()


def test_runs_list_filter_order_and_get(logged_in) -> None:  # type: ignore[no-untyped-def]
    for lr, loss in ((0.1, 0.5), (0.01, 0.2), (0.001, 0.9)):
        run = mh.init(project="sdk-objects", config={"lr": lr}, system_metrics=False)
        run.log({"loss": loss})
        run.finish()
    runs = mh.runs.list("sdk-objects", order_by="metrics.loss", descending=False)
    assert [r.params["lr"] for r in runs] == [0.01, 0.1, 0.001]
    assert all(isinstance(r, RunSummary) and r.status == "finished" for r in runs)
    assert [r.params["lr"] for r in mh.runs.list("sdk-objects", filter="metrics.loss < 0.6")] in (
        [0.01, 0.1], [0.1, 0.01])
    table = runs.to_pandas()
    assert table["metrics.loss"].tolist() == [0.2, 0.5, 0.9]
    assert mh.runs.get(runs[0].id).id == runs[0].id
    with pytest.raises(MLHubError) as e:
        mh.runs.list("sdk-objects", order_by="nonsense")
    assert e.value.code == ErrorCode.INVALID
    assert [p.name for p in mh.projects.list(q="sdk-objects")] == ["sdk-objects"]
    assert mh.projects.get("sdk-objects").run_count == 3
