"""The runs table at 10,000 runs, on SQLite and PostgreSQL: every sort column, text search,
filters, "select all matching" ids, groups with metric aggregates and one group's runs, each
checked against a reference computed in Python from what was inserted. (Timing: bench/.)"""
from __future__ import annotations

import json
import math
import random
import statistics
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import insert

from mlhub_ext.core.run_table import RunTable
from mlhub_ext.store.orm import ParamRow, RunRow, SeriesRow, TagRow
from mlhub_ext.store.sqlstore import param_columns

N = 10_000
LRS = [0.1, 0.01, 0.001, 0.0001]
OPTS = ["adam", "sgd", "rmsprop"]
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def fill(registry: Any, project: str, n: int, seed: int = 3, owner: str = "alice") -> list[dict[str, Any]]:
    """``n`` runs in ``project`` inserted in bulk (one executemany per table); the reference rows."""
    rnd = random.Random(seed)
    store = registry.store
    pid = registry.get_project(owner, project).id
    runs, params, tags, series, ref = [], [], [], [], []
    for i in range(n):
        rid = uuid.UUID(int=rnd.getrandbits(128)).hex
        created = NOW - timedelta(seconds=n - i)          # distinct: ties break on it
        status = rnd.choice(["running", "finished", "finished", "failed"])
        finished = None if status == "running" else created + timedelta(seconds=rnd.randrange(1, 5000))
        p: dict[str, Any] = {}
        if i % 7:
            p["lr"] = LRS[i % 4]
        p["opt"] = OPTS[i % 3]
        if i % 11 == 0:
            p["mixed"] = "text" if i % 2 else 3
        run_tags = [f"tag-{i % 5}"] + (["best"] if i % 13 == 0 else [])
        loss = None if i % 9 == 0 else (math.nan if i % 17 == 0 else rnd.random())
        acc: Any = rnd.random() if i % 4 else ("high" if i % 8 else None)
        summary = {} if acc is None else {"acc": acc}
        owner_i = owner if i % 10 else "bob"
        runs.append({"id": rid, "project_id": pid, "owner": owner_i, "name": f"run-{i:05d}", "status": status,
                     "summary": summary, "provenance": {}, "notes": "", "created_at": created,
                     "updated_at": created, "finished_at": finished, "last_seq": 0, "status_reason": "",
                     "stop_requested": False})
        params += [{"run_id": rid, "key": k, **param_columns(v)} for k, v in p.items()]
        tags += [{"run_id": rid, "tag": t, "position": j} for j, t in enumerate(run_tags)]
        if loss is not None:
            series.append({"run_id": rid, "key": "val_loss", "count": 1, "last_step": 9,
                           "last_value": None if math.isnan(loss) else loss, "min_value": 0.0, "max_value": 1.0})
        ref.append({"id": rid, "name": f"run-{i:05d}", "status": status, "owner": owner_i, "created": created,
                    "finished": finished, "params": p, "tags": run_tags, "loss": loss, "acc": acc})
    for user in ("bob",):
        store.ensure_user(user)
    with store.write_engine.begin() as c:
        c.execute(insert(RunRow.__table__), runs)
        c.execute(insert(ParamRow.__table__), params)
        c.execute(insert(TagRow.__table__), tags)
        c.execute(insert(SeriesRow.__table__), series)
    return ref


def ordered(ref: list[dict[str, Any]], key: Any, descending: bool) -> list[str]:
    """Reference order: rows with a value by it (asc/desc), rows without last; ties newest first, then id."""
    have = [r for r in ref if key(r) is not None]
    none = [r for r in ref if key(r) is None]
    tie = sorted(have, key=lambda r: r["id"])
    tie.sort(key=lambda r: r["created"], reverse=True)
    tie.sort(key=key, reverse=descending)
    rest = sorted(none, key=lambda r: r["id"])
    rest.sort(key=lambda r: r["created"], reverse=True)
    return [r["id"] for r in tie + rest]


def _num_then_text(value: Any, descending: bool) -> Any:
    """Numbers before text in both directions (the store's rule for params and summary)."""
    if value is None:
        return None
    if isinstance(value, str):
        return (0 if descending else 1, value)
    return (1 if descending else 0, value)


@pytest.fixture
def big(registry):  # type: ignore[no-untyped-def]
    registry.create_project("alice", "big")
    registry.create_project("carol", "secret")
    ref = fill(registry, "big", N)
    fill(registry, "secret", 50, seed=5, owner="carol")
    return registry, ref


def test_ten_thousand_runs_sort_by_every_column(big):  # type: ignore[no-untyped-def]
    registry, ref = big
    table = RunTable(registry)
    now = datetime.now(timezone.utc)
    keys = {
        "created_at": lambda r: r["created"],
        "name": lambda r: r["name"],
        "status": lambda r: r["status"],
        "owner": lambda r: r["owner"],
        "finished_at": lambda r: r["finished"],
        "duration": lambda r: ((r["finished"] or now) - r["created"]).total_seconds(),
        "tags": lambda r: min(r["tags"]),
        "metrics.val_loss": lambda r: None if r["loss"] is None or math.isnan(r["loss"]) else r["loss"],
    }
    for order_by, key in keys.items():
        for desc in (False, True):
            want = ordered(ref, key, desc)
            for offset in (0, 4_950, N - 50):
                runs, total = table.page(table.query("alice", "big", order_by=order_by, descending=desc,
                                                     limit=50, offset=offset))
                assert total == N
                assert [r.id for r in runs] == want[offset:offset + 50], (order_by, desc, offset)
    for order_by, field in (("params.lr", "lr"), ("params.mixed", "mixed")):
        for desc in (False, True):
            want = ordered(ref, lambda r: _num_then_text(r["params"].get(field), desc), desc)
            ids, total = table.ids(table.query("alice", "big", order_by=order_by, descending=desc))
            assert total == N and ids == want, (order_by, desc)
    for desc in (False, True):
        want = ordered(ref, lambda r: _num_then_text(r["acc"], desc), desc)
        ids, _ = table.ids(table.query("alice", "big", order_by="summary.acc", descending=desc))
        assert ids == want, desc
    [first] = table.page(table.query("alice", "big", order_by="params.lr", descending=False, limit=1))[0]
    want = next(r for r in ref if r["id"] == first.id)
    assert first.params == want["params"] and first.tags == want["tags"] and first.params["lr"] == 0.0001


def test_ten_thousand_runs_search_filter_and_select_all(big):  # type: ignore[no-untyped-def]
    registry, ref = big
    table = RunTable(registry)
    ids, total = table.ids(table.query("alice", "big", q="TAG-3"))
    want = ordered([r for r in ref if "tag-3" in r["tags"]], lambda r: r["created"], True)
    assert (ids, total) == (want, len(want))
    ids, total = table.ids(table.query("alice", "big", q="run-0012"))
    assert sorted(ids) == sorted(r["id"] for r in ref if "run-0012" in r["name"]) and total == 10
    ids, total = table.ids(table.query("alice", "big", q="%"))   # LIKE wildcards are text here
    assert (ids, total) == ([], 0)
    query = table.query("alice", "big", filter="params.opt = adam and metrics.val_loss < 0.5", q="best",
                        order_by="metrics.val_loss", descending=False)
    want = ordered([r for r in ref if r["params"]["opt"] == "adam" and "best" in r["tags"]
                    and r["loss"] is not None and not math.isnan(r["loss"]) and r["loss"] < 0.5],
                   lambda r: r["loss"], False)
    ids, total = table.ids(query)
    assert ids == want and total == len(want) > 0
    runs, total = table.page(query)
    assert [r.id for r in runs] == want[:50]
    # select all matching: every id, in order, up to the cap
    ids, total = table.ids(table.query("alice", "big", order_by="name", descending=False))
    assert ids == [r["id"] for r in sorted(ref, key=lambda r: r["name"])] and total == N
    capped, total = registry.store.table_ids(table.query("alice", "big"), 100)
    assert len(capped) == 100 and total == N
    # another user's private project stays out of a listing across projects
    assert table.ids(table.query("alice", None))[1] == N
    assert table.ids(table.query("carol", None))[1] == 50


def test_ten_thousand_runs_groups_with_metric_aggregates(big):  # type: ignore[no-untyped-def]
    registry, ref = big
    table = RunTable(registry)

    def losses(rows: list[dict[str, Any]]) -> list[float]:
        return [r["loss"] for r in rows if r["loss"] is not None and not math.isnan(r["loss"])]

    groups, total = table.groups(table.query("alice", "big"), "params.lr", "val_loss")
    assert total == N
    by_value = {g.value: g for g in groups}
    assert set(by_value) == {*LRS, None}
    for value, g in by_value.items():
        rows = [r for r in ref if r["params"].get("lr") == value]
        vals = losses(rows)
        assert g.count == len(rows) and g.metric_count == len(vals)
        assert g.mean == pytest.approx(statistics.fmean(vals)) and g.min == pytest.approx(min(vals))
        assert g.max == pytest.approx(max(vals))
        # the group's runs, listed back with its key
        query = (table.query("alice", "big", group_by="params.lr", group=g.key) if g.key is not None else
                 table.query("alice", "big", group_by="params.lr", group_missing=True))
        ids, n = table.ids(query)
        assert n == len(rows) and set(ids) == {r["id"] for r in rows}
    assert [g.count for g in groups] == sorted((g.count for g in groups), reverse=True)
    groups, _ = table.groups(table.query("alice", "big", filter="status = finished"), "tags", None)
    finished = [r for r in ref if r["status"] == "finished"]
    assert {g.value: g.count for g in groups} == {
        t: sum(t in r["tags"] for r in finished) for t in {t for r in finished for t in r["tags"]}}
    groups, _ = table.groups(table.query("alice", "big"), "params.opt", "val_loss")
    assert {g.key: g.count for g in groups} == {json.dumps(o): sum(r["params"]["opt"] == o for r in ref)
                                                for o in OPTS}
    groups, _ = table.groups(table.query("alice", "big"), "status", None)
    assert sum(g.count for g in groups) == N
    ids, _ = table.ids(table.query("alice", "big", group_by="tags", group='"best"'))
    assert set(ids) == {r["id"] for r in ref if "best" in r["tags"]}


@pytest.mark.parametrize("kwargs, words", [
    ({"order_by": "nope"}, "order_by 'nope' is not a column"),
    ({"order_by": "params."}, "is not a column"),
    ({"group_by": "params.lr"}, "group_by needs group"),
    ({"group": "1"}, "need group_by"),
    ({"group_by": "params.lr", "group": "not json"}, "is not JSON"),
    ({"group_by": "name", "group": "1"}, "cannot group by 'name'"),
    ({"filter": "bogus ~"}, "filter"),
    ({"limit": 0}, "limit"),
])
def test_bad_table_queries_name_the_problem(registry, kwargs, words):  # type: ignore[no-untyped-def]
    from mlhub_ext.core.errors import MLHubError

    registry.create_project("alice", "p")
    with pytest.raises(MLHubError) as e:
        RunTable(registry).query("alice", "p", **kwargs)
    assert e.value.http_status == 422 and words in e.value.message
