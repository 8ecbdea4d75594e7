"""MLflow's search grammar at the service seam (no HTTP), on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from mlhub_ext.services.mlflow import runs, search
from mlhub_ext.core.errors import MLHubError
from mlhub_ext.services.mlflow.errors import MlflowError, from_mlhub


def test_parse_clauses() -> None:
    got = search.parse("metrics.acc >= 0.9 AND params.opt = 'adam' and tags.`my tag` LIKE 'a%' "
                       "AND attributes.status IN ('FINISHED', \"RUNNING\") and run_name != 'x' "
                       "AND tags.\"mlflow.user\" ILIKE 'AL%' and params.x NOT IN ('1') AND metrics.loss < -1e-3")
    assert got == [
        search.Clause("metric", "acc", ">=", 0.9), search.Clause("param", "opt", "=", "adam"),
        search.Clause("tag", "my tag", "LIKE", "a%"), search.Clause("attribute", "status", "IN", ("FINISHED", "RUNNING")),
        search.Clause("attribute", "run_name", "!=", "x"), search.Clause("tag", "mlflow.user", "ILIKE", "AL%"),
        search.Clause("param", "x", "NOT IN", ("1",)), search.Clause("metric", "loss", "<", -0.001),
    ]
    assert search.parse_order_by(["metrics.acc DESC", "params.lr", "attributes.start_time asc"]) == [
        search.Order("metric", "acc", False), search.Order("param", "lr", True),
        search.Order("attribute", "start_time", True)]


@pytest.mark.parametrize("text, says", [
    ("metrics.acc > 'high'", "compared with a number"),
    ("params.lr > '0.1'", "Invalid comparator '>'"),
    ("params.lr = 0.1", "must be a quoted string"),
    ("metrics.acc > 1 OR metrics.acc < 0", "no OR"),
    ("bogus.acc > 1", "Invalid entity type 'bogus'"),
    ("metrics.acc >", "has no value"),
    ("tags.t IN 'a'", "IN takes a list"),
    ("metrics.acc > 1 AND", "ends where a clause should follow"),
])
def test_parse_errors_name_the_problem(text: str, says: str) -> None:
    with pytest.raises(MlflowError) as err:
        search.parse(text)
    assert err.value.error_code == "INVALID_PARAMETER_VALUE" and err.value.status == 400
    assert says in err.value.message


def _search(registry, user, exp, flt="", order=(), **kw):  # type: ignore[no-untyped-def]
    out = runs.search_runs(registry, user, {"experiment_ids": [exp], "filter": flt, "order_by": list(order), **kw})
    return [r["info"]["run_name"] for r in out["runs"]], out.get("next_page_token")


def test_search_runs_filters_orders_and_pages(registry) -> None:  # type: ignore[no-untyped-def]
    from mlhub_ext.services.mlflow import experiments

    exp = experiments.create_experiment(registry, "alice", {"name": "grid"})["experiment_id"]
    for i in range(6):
        run = runs.create_run(registry, "alice", {"experiment_id": exp, "run_name": f"r{i}",
                                                   "tags": [{"key": "team", "value": "vision" if i % 2 else "nlp"}]})
        rid = run["run"]["info"]["run_id"]
        runs.log_batch(registry, "alice", {"run_id": rid, "metrics": [
            {"key": "acc", "value": i / 10, "timestamp": "1700000000000", "step": "3"}],
            "params": [{"key": "opt", "value": "adam" if i < 3 else "sgd"}]})
        if i == 5:
            runs.update_run(registry, "alice", {"run_id": rid, "status": "FAILED"})
    assert _search(registry, "alice", exp, "metrics.acc > 0.25", ["metrics.acc DESC"])[0] == ["r5", "r4", "r3"]
    assert _search(registry, "alice", exp, "metrics.acc > 0.05 and params.opt = 'adam'", ["metrics.acc"])[0] == \
        ["r1", "r2"]
    assert _search(registry, "alice", exp, "tags.team = 'vision' AND attributes.status != 'FAILED'",
                   ["attributes.run_name DESC"])[0] == ["r3", "r1"]
    assert _search(registry, "alice", exp, "attributes.run_name LIKE 'r%' and attributes.run_name IN ('r0', 'r4')",
                   ["params.opt DESC", "metrics.acc"])[0] == ["r4", "r0"]
    assert _search(registry, "alice", exp, "tags.team ILIKE 'VIS%' and params.opt NOT IN ('sgd')")[0] == ["r1"]
    first, token = _search(registry, "alice", exp, "", ["metrics.acc ASC"], max_results=4)
    assert first == ["r0", "r1", "r2", "r3"] and token
    rest, token = _search(registry, "alice", exp, "", ["metrics.acc ASC"], max_results=4, page_token=token)
    assert rest == ["r4", "r5"] and token is None
    # soft delete: gone from the default view, there with DELETED_ONLY, back after restore
    rid = next(r["info"]["run_id"] for r in runs.search_runs(registry, "alice", {"experiment_ids": [exp]})["runs"]
               if r["info"]["run_name"] == "r0")
    runs.delete_run(registry, "alice", {"run_id": rid})
    assert "r0" not in _search(registry, "alice", exp)[0]
    assert _search(registry, "alice", exp, run_view_type="DELETED_ONLY")[0] == ["r0"]
    runs.restore_run(registry, "alice", {"run_id": rid})
    assert "r0" in _search(registry, "alice", exp)[0]
    # a stranger: the private experiment does not exist for them
    with pytest.raises(MlflowError) as err:
        _search(registry, "mallory", exp)
    assert (err.value.error_code, err.value.status) == ("RESOURCE_DOES_NOT_EXIST", 404)


def test_experiments(registry) -> None:  # type: ignore[no-untyped-def]
    from mlhub_ext.services.mlflow import experiments

    ids = {n: experiments.create_experiment(registry, "alice", {"name": n})["experiment_id"]
           for n in ("exp-a", "exp-b", "other")}
    experiments.create_experiment(registry, "bob", {"name": "bobs"})
    with pytest.raises(MlflowError) as err:
        experiments.create_experiment(registry, "alice", {"name": "exp-a"})
    assert err.value.error_code == "RESOURCE_ALREADY_EXISTS"
    got = experiments.search_experiments(registry, "alice", {"filter": "name LIKE 'exp-%'", "order_by": ["name DESC"]})
    assert [e["name"] for e in got["experiments"]] == ["exp-b", "exp-a"]
    page = experiments.search_experiments(registry, "alice", {"max_results": "2", "order_by": ["name"]})
    assert [e["name"] for e in page["experiments"]] == ["exp-a", "exp-b"]   # bob's private one is not listed
    rest = experiments.search_experiments(registry, "alice", {"max_results": "2", "order_by": ["name"],
                                                              "page_token": page["next_page_token"]})
    assert [e["name"] for e in rest["experiments"]] == ["other"] and "next_page_token" not in rest
    experiments.set_experiment_tag(registry, "alice", {"experiment_id": ids["exp-a"], "key": "mlflow.note.content",
                                                       "value": "notes"})
    exp = experiments.get_experiment(registry, "alice", {"experiment_id": ids["exp-a"]})["experiment"]
    assert {"key": "mlflow.note.content", "value": "notes"} in exp["tags"]
    assert registry.get_project("alice", "exp-a").description == "notes"
    assert experiments.get_experiment_by_name(registry, "alice", {"experiment_name": "exp-b"})["experiment"][
        "experiment_id"] == ids["exp-b"]
    for call, req, code in [
        (experiments.update_experiment, {"experiment_id": ids["exp-a"], "new_name": "exp-b"}, "RESOURCE_ALREADY_EXISTS"),
        (experiments.restore_experiment, {"experiment_id": ids["exp-a"]}, "INVALID_PARAMETER_VALUE"),
        (experiments.set_experiment_tag, {"experiment_id": ids["exp-a"], "key": "mlhub.owner", "value": "v"},
         "INVALID_PARAMETER_VALUE"),
        (experiments.get_experiment_by_name, {"experiment_name": "bobs"}, "RESOURCE_DOES_NOT_EXIST"),
        (experiments.get_experiment, {"experiment_id": "999999"}, "RESOURCE_DOES_NOT_EXIST"),
        (experiments.get_experiment, {"experiment_id": "abc"}, "RESOURCE_DOES_NOT_EXIST"),
    ]:
        with pytest.raises(MlflowError) as err:
            call(registry, "alice", req)
        assert err.value.error_code == code, (call.__name__, req)
    # experiment "0": the caller's own Default project, made on first use
    default = experiments.get_experiment(registry, "carol@example.org", {"experiment_id": "0"})["experiment"]
    assert default["name"] == "Default-carol-example.org" and registry.get_project("carol@example.org",
                                                                                   default["name"]).owner == \
        "carol@example.org"


def test_a_stranger_cannot_create_runs_or_learn_the_name(registry) -> None:  # type: ignore[no-untyped-def]
    from mlhub_ext.services.mlflow import experiments

    exp = experiments.create_experiment(registry, "alice", {"name": "secret-name"})["experiment_id"]
    for req in ({"experiment_id": exp}, {"experiment_id": "424242"}):
        with pytest.raises(MlflowError) as err:
            runs.create_run(registry, "mallory", req)
        assert (err.value.error_code, err.value.status) == ("RESOURCE_DOES_NOT_EXIST", 404)
        assert "secret" not in err.value.message and req["experiment_id"] in err.value.message
    registry.update_project("alice", "secret-name", {"visibility": "public"})
    with pytest.raises(MLHubError) as refused:   # the handler answers it through from_mlhub
        runs.create_run(registry, "mallory", {"experiment_id": exp})
    mlflow_error = from_mlhub(refused.value)
    assert (mlflow_error.error_code, mlflow_error.status) == ("PERMISSION_DENIED", 403)
