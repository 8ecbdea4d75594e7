"""The registry service over the SQL store, on SQLite and on PostgreSQL."""
from __future__ import annotations

import math
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

import mlhub_ext.core.service as service_module
from mlhub_ext.core.entities import Role, RunStatus, Visibility
from mlhub_ext.core.errors import ErrorCode, MLHubError


def _batch(key: str, steps: list[int], values: list) -> dict:
    return {key: {"steps": steps, "values": values, "timestamps": [time.time()] * len(steps)}}


def test_project_create_get_list_update(registry):
    p = registry.create_project("alice", "vision", "cats and dogs")
    assert (p.name, p.owner, p.visibility, p.role) == ("vision", "alice", Visibility.PRIVATE, Role.OWNER)
    with pytest.raises(MLHubError) as e:
        registry.create_project("bob", "vision")
    assert e.value.code == ErrorCode.CONFLICT
    registry.create_project("bob", "nlp")
    names = [p.name for p in registry.list_projects("alice")[0]]
    assert names == ["vision"]  # bob's private project is not listed for alice
    assert registry.list_projects("alice", q="CATS")[1] == 1
    assert registry.update_project("alice", "vision", {"description": "x"}).description == "x"


def test_bad_names_are_invalid(registry):
    for bad in ["", "has space", "../etc", "a" * 200, 5]:
        with pytest.raises(MLHubError) as e:
            registry.create_project("alice", bad)
        assert e.value.code == ErrorCode.INVALID


def test_private_is_not_found_and_read_only_is_forbidden(registry):
    registry.create_project("alice", "p")
    run = registry.create_run("alice", "p", "r1")
    for call in (lambda: registry.get_project("bob", "p"), lambda: registry.get_run("bob", run.id)):
        with pytest.raises(MLHubError) as e:
            call()
        assert e.value.code == ErrorCode.NOT_FOUND
    registry.set_member("alice", "p", "bob", "read")
    assert registry.get_run("bob", run.id).id == run.id
    with pytest.raises(MLHubError) as e:
        registry.append_metrics("bob", run.id, None, _batch("loss", [0], [1.0]))
    assert e.value.code == ErrorCode.FORBIDDEN
    registry.set_member("alice", "p", "bob", "edit")
    assert registry.append_metrics("bob", run.id, None, _batch("loss", [0], [1.0]))["accepted"] == 1
    with pytest.raises(MLHubError) as e:
        registry.set_member("bob", "p", "carol", "read")  # edit may not share
    assert e.value.code == ErrorCode.FORBIDDEN
    registry.remove_member("alice", "p", "bob")
    with pytest.raises(MLHubError) as e:
        registry.get_run("bob", run.id)
    assert e.value.code == ErrorCode.NOT_FOUND
    registry.update_project("alice", "p", {"visibility": "public"})
    assert registry.get_run("carol", run.id).id == run.id


def test_run_lifecycle_params_tags(registry):
    run = registry.create_run("alice", "mnist", None, {"lr": 0.001, "layers": [64, 32]}, ["baseline", "cnn"],
                              {"hostname": "h"})
    assert run.name.startswith("run-") and run.status == RunStatus.RUNNING
    assert registry.get_project("alice", "mnist").run_count == 1  # project created on the fly
    assert registry.set_params("alice", run.id, {"epochs": 3}) == {"lr": 0.001, "layers": [64, 32], "epochs": 3}
    done = registry.update_run("alice", run.id, {"status": "finished", "summary": {"acc": 0.9}, "tags": ["final"]})
    assert done.status == RunStatus.FINISHED and done.finished_at is not None
    assert done.tags == ["final"] and done.summary == {"acc": 0.9}
    with pytest.raises(MLHubError) as e:
        registry.update_run("alice", run.id, {"status": "exploded"})
    assert e.value.code == ErrorCode.INVALID
    with pytest.raises(MLHubError) as e:
        registry.update_run("alice", run.id, {"owner": "bob"})
    assert e.value.code == ErrorCode.INVALID


def test_metrics_round_trip_with_non_finite_values(registry):
    run = registry.create_run("alice", "p")
    values = [0.5, "NaN", "Infinity", "-Infinity", -1e308, 7]
    res = registry.append_metrics("alice", run.id, 1, _batch("loss", list(range(6)), values))
    assert res == {"accepted": 6, "duplicate": False, "last_seq": 1, "stop_requested": False}
    s = registry.get_series("alice", run.id, "loss")
    assert list(s.steps) == list(range(6))
    assert s.values[0] == 0.5 and math.isnan(s.values[1]) and s.values[2] == math.inf and s.values[3] == -math.inf
    assert s.values[4] == -1e308 and s.values[5] == 7.0 and not s.downsampled
    info = registry.list_metrics("alice", run.id)[0]
    assert (info.key, info.count, info.last_step, info.last_value, info.min, info.max) == ("loss", 6, 5, 7.0, -math.inf, math.inf)


def test_same_seq_applied_once(registry):
    run = registry.create_run("alice", "p")
    assert registry.append_metrics("alice", run.id, 3, _batch("a", [0, 1], [1, 2]))["accepted"] == 2
    again = registry.append_metrics("alice", run.id, 3, _batch("a", [0, 1], [1, 2]))
    assert again == {"accepted": 0, "duplicate": True, "last_seq": 3, "stop_requested": False}
    registry.append_metrics("alice", run.id, 2, _batch("a", [2], [3]))  # late, lower seq: still applied once
    assert list(registry.get_series("alice", run.id, "a").values) == [1.0, 2.0, 3.0]
    assert registry.get_run("alice", run.id).last_seq == 3


def test_bad_metric_batches(registry):
    run = registry.create_run("alice", "p")
    bad = [
        ({}, ErrorCode.MALFORMED),
        ({"a": {"steps": [0], "values": ["x"]}}, ErrorCode.INVALID),
        ({"a": {"steps": [0, 1], "values": [1.0]}}, ErrorCode.MALFORMED),
        ({"a": {"steps": [-1], "values": [1.0]}}, ErrorCode.INVALID),
        ({"a": {"steps": [0.5], "values": [1.0]}}, ErrorCode.INVALID),
        ({"a": [1, 2]}, ErrorCode.MALFORMED),
    ]
    for metrics, code in bad:
        with pytest.raises(MLHubError) as e:
            registry.append_metrics("alice", run.id, None, metrics)
        assert e.value.code == code, metrics
        assert "'a'" in e.value.message or code == ErrorCode.MALFORMED
    assert registry.list_metrics("alice", run.id) == []  # nothing half-stored


def test_downsampling_keeps_spikes(registry):
    run = registry.create_run("alice", "p")
    n = 100_000
    values = [float(i % 100) for i in range(n)]
    values[54_321] = 1e6
    values[77_777] = -1e6
    for start in range(0, n, 25_000):
        registry.append_metrics("alice", run.id, None,
                                _batch("x", list(range(start, start + 25_000)), values[start:start + 25_000]))
    s = registry.get_series("alice", run.id, "x", max_points=500)
    assert s.downsampled and len(s.values) <= 500 and s.total == n
    assert 1e6 in list(s.values) and -1e6 in list(s.values)
    assert s.steps[0] == 0 and s.steps[-1] == n - 1 and list(s.steps) == sorted(s.steps)
    full = registry.get_series("alice", run.id, "x")
    assert len(full.values) == n and full.values[54_321] == 1e6


def test_search_filter_and_sort(registry):
    for i, (lr, acc, tag) in enumerate([(0.001, 0.95, "baseline"), (0.1, 0.97, "baseline"), (0.005, 0.5, "other")]):
        run = registry.create_run("alice", "p", f"r{i}", {"lr": lr, "opt": "adam"}, [tag])
        registry.append_metrics("alice", run.id, None, _batch("acc", [0, 1], [0.1, acc]))
    runs, total = registry.list_runs("alice", "p", filter="metrics.acc > 0.9 and params.lr < 0.01 and tags = baseline")
    assert total == 1 and runs[0].name == "r0" and runs[0].latest_metrics == {"acc": 0.95}
    assert registry.list_runs("alice", "p", filter="params.opt = adam")[1] == 3
    assert registry.list_runs("alice", "p", filter="tags != baseline")[0][0].name == "r2"
    assert registry.list_runs("alice", "p", filter="name ~ R1")[0][0].name == "r1"
    ordered = registry.list_runs("alice", "p", order_by="metrics.acc", descending=True)[0]
    assert [r.name for r in ordered] == ["r1", "r0", "r2"]
    page = registry.list_runs("alice", "p", limit=2, offset=2, order_by="name", descending=False)
    assert [r.name for r in page[0]] == ["r2"] and page[1] == 3
    for bad in ["metrics.acc >", "bogus = 1", "metrics.acc > high", "tags > 3", "a = 1 or b = 2"]:
        with pytest.raises(MLHubError) as e:
            registry.list_runs("alice", "p", filter=bad)
        assert e.value.code == ErrorCode.INVALID, bad


def test_tokens_hashed_revocable_expiring(registry, monkeypatch):
    token, rec = registry.create_token("alice", note="ci")
    assert token.startswith("mlh_") and registry.authenticate_token(token) == "alice"
    stored = registry.store.find_token(__import__("mlhub_ext.core.service", fromlist=["x"]).hash_token(token))
    assert stored is not None and token not in repr(stored)
    registry.revoke_token(rec.id)
    assert registry.authenticate_token(token) is None
    short, srec = registry.create_token("alice", expires_in=timedelta(seconds=30))
    assert registry.authenticate_token(short) == "alice"   # its record is now in the token cache
    monkeypatch.setattr(service_module, "now", lambda: datetime.now(timezone.utc) + timedelta(seconds=31))
    assert registry.authenticate_token(short) is None      # a cached record expires on time
    monkeypatch.undo()
    registry.token_cache.clear()
    with registry.store._write() as c:   # the clock is the database's record, read from the store too
        from mlhub_ext.store.orm import TokenRow
        c.execute(TokenRow.__table__.update().where(TokenRow.__table__.c.id == srec.id)
                  .values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
    assert registry.authenticate_token(short) is None
    assert registry.authenticate_token("mlh_nope") is None and registry.authenticate_token("") is None


def test_token_cache_bounds_revocation_by_another_process(registry, db_url, monkeypatch):
    """A valid token's record is reused for the cache's TTL: a revocation through this registry
    is seen at once, one through another that does not announce it (`mlhub token revoke` on
    SQLite) within the TTL (``token_cache_ttl``, 60 s by default; 2 s here)."""
    from mlhub_ext.core.token_cache import TOKEN_CACHE_TTL_S
    from mlhub_ext.store import open_registry

    assert registry.token_cache.ttl_s == TOKEN_CACHE_TTL_S == 60
    registry = open_registry(db_url, token_cache_ttl=2.0)
    other = open_registry(db_url)   # another process on the same database
    try:
        token, rec = registry.create_token("alice")
        assert registry.authenticate_token(token) == "alice"
        lookups = []
        find = registry.store.find_token
        monkeypatch.setattr(registry.store, "find_token", lambda h: lookups.append(h) or find(h))
        assert registry.authenticate_token(token) == "alice" and lookups == []   # from the cache
        assert registry.authenticate_token("mlh_unknown") is None
        assert registry.authenticate_token("mlh_unknown") is None and len(lookups) == 2  # misses are not kept
        made_elsewhere, _ = other.create_token("bob")
        assert registry.authenticate_token(made_elsewhere) == "bob"   # a new token works at once

        other.revoke_token(rec.id)
        assert registry.authenticate_token(token) == "alice"   # still cached here, for at most the TTL
        ttl = registry.token_cache.ttl_s
        assert ttl == 2.0
        deadline = time.monotonic() + ttl + 1
        while registry.authenticate_token(token) is not None:
            assert time.monotonic() < deadline, f"a revoked token still worked {ttl + 1} s later"
            time.sleep(0.1)

        second, rec2 = registry.create_token("alice")
        assert registry.authenticate_token(second) == "alice"
        registry.revoke_token(rec2.id)   # through this process: refused at once
        assert registry.authenticate_token(second) is None
    finally:
        other.store.close()
        registry.store.close()


def test_token_uses_are_written_together_off_the_request(registry, monkeypatch):
    """Authenticating notes a token's use (at most once a minute) for a background write that
    takes every use noted meanwhile in one statement; listing the tokens reads them after."""
    tokens = [registry.create_token("alice", note=f"t{i}")[0] for i in range(3)]
    writes: list[dict[int, datetime]] = []
    touch = registry.store.touch_tokens
    gate = threading.Event()

    def slow_touch(uses):  # type: ignore[no-untyped-def]
        gate.wait(10)   # the first write waits, so that the other uses queue behind it
        writes.append(dict(uses))
        touch(uses)

    monkeypatch.setattr(registry.store, "touch_tokens", slow_touch)
    for t in tokens:
        assert registry.authenticate_token(t) == "alice"   # returns without waiting for the write
    assert writes == []
    gate.set()
    listed = registry.list_tokens("alice")
    assert all(t.last_used_at is not None for t in listed), listed
    assert sorted(len(w) for w in writes if w) in ([3], [1, 2]), writes   # at most one write per queue


def test_run_access_in_one_lookup_matches_the_three_lookups(registry):
    """The SQL store's one-query run_access gives what the contract's three lookups give, for
    owners, members (directly and through groups, the higher role winning), public readers,
    strangers and missing runs; and an access change takes effect on the next call."""
    from mlhub_ext.core.access import Caller
    from mlhub_ext.core.store import AbstractStore

    registry.create_project("alice", "priv")
    registry.create_project("alice", "pub", visibility="public")
    runs = {p: registry.create_run("alice", p).id for p in ("priv", "pub")}
    registry.set_member("alice", "priv", "bob", "read")
    registry.set_member("alice", "priv", "group:team", "edit")
    callers = [Caller("alice"), Caller("bob"), Caller("bob", ["team"]), Caller("carol", ["team"]), Caller("dave")]
    store = registry.store
    for run_id in [*runs.values(), "no-such-run"]:
        for user in callers:
            assert store.run_access(run_id, user) == AbstractStore.run_access(store, run_id, user), (run_id, user)
    assert store.run_access(runs["priv"], Caller("bob", ["team"])).member_role == Role.EDIT
    assert store.run_access(runs["pub"], Caller("dave")).member_role is None

    batch = _batch("a", [0], [1.0])
    assert registry.append_metrics(Caller("carol", ["team"]), runs["priv"], 1, batch)["accepted"] == 1
    for user, code in ((Caller("bob"), ErrorCode.FORBIDDEN), (Caller("dave"), ErrorCode.NOT_FOUND)):
        with pytest.raises(MLHubError) as e:
            registry.append_metrics(user, runs["priv"], 2, batch)
        assert e.value.code == code
    registry.remove_member("alice", "priv", "group:team")
    with pytest.raises(MLHubError) as e:
        registry.append_metrics(Caller("carol", ["team"]), runs["priv"], 3, batch)
    assert e.value.code == ErrorCode.NOT_FOUND


def test_project_access_in_one_lookup_matches_the_two_lookups(registry):
    """The SQL store's one-query project_access (by name or by number) gives what the
    contract's lookups give, for owners, members (directly and through groups), public readers,
    strangers and missing projects; the registry's by-number check refuses as get_project does,
    and creating a run uses it (a reader may not, an editor through a group may)."""
    from mlhub_ext.core.access import Caller
    from mlhub_ext.core.store import AbstractStore

    priv = registry.create_project("alice", "priv")
    pub = registry.create_project("alice", "pub", visibility="public")
    registry.set_member("alice", "priv", "bob", "read")
    registry.set_member("alice", "priv", "group:team", "edit")
    callers = [Caller("alice"), Caller("bob"), Caller("bob", ["team"]), Caller("carol", ["team"]), Caller("dave")]
    store = registry.store
    for key in ("priv", "pub", "nope", int(priv.id), int(pub.id), 987654):
        for user in callers:
            assert store.project_access(key, user) == AbstractStore.project_access(store, key, user), (key, user)
    got = store.project_access(int(priv.id), Caller("bob", ["team"]))
    assert (got.name, got.id, got.member_role, got.deleted_at) == ("priv", priv.id, Role.EDIT, None)
    assert registry.project_access_by_id(Caller("carol", ["team"]), int(priv.id), Role.EDIT).name == "priv"
    for user, needed, code in ((Caller("bob"), Role.EDIT, ErrorCode.FORBIDDEN), (Caller("dave"), Role.READ,
                                                                                   ErrorCode.NOT_FOUND)):
        with pytest.raises(MLHubError) as e:
            registry.project_access_by_id(user, int(priv.id), needed)
        assert e.value.code == code
    assert registry.create_run(Caller("carol", ["team"]), "priv").owner == "carol"   # a new user, made on the way
    with pytest.raises(MLHubError) as e:
        registry.create_run(Caller("bob"), "priv")
    assert e.value.code == ErrorCode.FORBIDDEN
    assert registry.list_runs("alice", "priv")[1] == 1


def test_batch_of_a_deleted_run_is_not_found(registry):
    run = registry.create_run("alice", "p")
    registry.store.delete_run(run.id)
    for seq in (5, None):
        with pytest.raises(MLHubError) as e:
            registry.store.append_metrics(run.id, seq, [])
        assert e.value.code == ErrorCode.NOT_FOUND


def test_retry_key_batches_apply_once_and_leave_last_seq(registry):
    """MLflow's log-batch has no seq: a retried request (same bytes) is applied once, kept as a
    negative seq, and the SDK's last_seq is not moved by it."""
    run = registry.create_run("alice", "p")
    registry.append_metrics("alice", run.id, 4, _batch("a", [0], [1.0]))
    first = registry.append_metrics("alice", run.id, None, _batch("b", [0], [2.0]), retry_key=b"request-1")
    again = registry.append_metrics("alice", run.id, None, _batch("b", [0], [2.0]), retry_key=b"request-1")
    other = registry.append_metrics("alice", run.id, None, _batch("b", [1], [3.0]), retry_key=b"request-2")
    assert (first["accepted"], first["duplicate"], first["last_seq"]) == (1, False, 4)
    assert (again["accepted"], again["duplicate"], again["last_seq"]) == (0, True, 4)
    assert (other["accepted"], other["duplicate"]) == (1, False)
    assert list(registry.get_series("alice", run.id, "b").values) == [2.0, 3.0]
    assert registry.get_run("alice", run.id).last_seq == 4


def test_concurrent_retries_of_one_seq_apply_it_once(registry):
    """Two requests with the same seq at the same moment (a retry racing the original through
    another replica): exactly one applies it, the other answers duplicate."""
    import threading

    run = registry.create_run("alice", "p")
    for seq in range(1, 11):
        barrier = threading.Barrier(2)
        answers = []

        def post(seq=seq, barrier=barrier, answers=answers):  # type: ignore[no-untyped-def]
            barrier.wait()
            answers.append(registry.append_metrics("alice", run.id, seq, _batch("a", [seq], [float(seq)])))

        threads = [threading.Thread(target=post) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(a["duplicate"] for a in answers) == [False, True], answers
        assert all(a["last_seq"] == seq for a in answers)
    assert list(registry.get_series("alice", run.id, "a").steps) == list(range(1, 11))
