"""MLflow's search grammar at the service seam (no HTTP), on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from mlhub_ext.services.mlflow import runs, search
from mlhub_ext.services.mlflow.errors import MlflowError


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
