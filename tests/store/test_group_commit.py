"""Group commit of metric posts (store/group_commit.py, SqlStore._append_group), on SQLite and
PostgreSQL: posts written together are each stored exactly once, a duplicate seq in a group is
answered duplicate, and a post that fails does not lose or acknowledge the others."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.core.store import MetricBatch
from mlhub_ext.store.group_commit import GroupCommit


def _batches(steps: list[int], keys: tuple[str, ...] = ("a", "b")) -> list[MetricBatch]:
    return [MetricBatch(k, steps, [float(s) for s in steps], [time.time()] * len(steps)) for k in keys]


def _wait_until(ok, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not ok():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


# the combiner alone
def test_group_commit_groups_waiting_requests_and_answers_each_after_its_write():
    written: list[list[int]] = []
    release = threading.Event()

    def write_group(reqs):  # type: ignore[no-untyped-def]
        written.append(list(reqs))
        return [r * 10 for r in reqs]

    def write_one(r):  # type: ignore[no-untyped-def]
        if r == 0:
            release.wait(5)   # the first request holds the lead while the others queue
        written.append([r])
        return r * 10

    gc: GroupCommit[int, int] = GroupCommit(write_group, write_one, max_group=4)
    results: dict[int, int] = {}
    threads = [threading.Thread(target=lambda r=r: results.__setitem__(r, gc.submit(r))) for r in range(9)]
    threads[0].start()
    time.sleep(0.1)
    for t in threads[1:]:
        t.start()
    _wait_until(lambda: len(gc._queue) == 8)
    assert results == {}   # nobody answered while the leader's write has not finished
    release.set()
    for t in threads:
        t.join(5)
    assert results == {r: r * 10 for r in range(9)}
    assert written[0] == [0]
    assert sorted(r for w in written for r in w) == list(range(9))   # each written once
    assert max(len(w) for w in written) == 4 and gc.groups >= 2


def test_a_failing_group_is_written_one_by_one_and_only_the_bad_request_fails():
    calls: list[tuple[str, object]] = []
    release = threading.Event()

    def write_group(reqs):  # type: ignore[no-untyped-def]
        calls.append(("group", tuple(reqs)))
        raise RuntimeError("one of them is bad")

    def write_one(r):  # type: ignore[no-untyped-def]
        if r == "first":
            release.wait(5)
        calls.append(("one", r))
        if r == "bad":
            raise ValueError("bad request")
        return r.upper()

    gc: GroupCommit[str, str] = GroupCommit(write_group, write_one)
    results: dict[str, object] = {}

    def submit(r: str) -> None:
        try:
            results[r] = gc.submit(r)
        except ValueError as e:
            results[r] = e

    first = threading.Thread(target=submit, args=("first",))
    first.start()
    time.sleep(0.1)
    rest = [threading.Thread(target=submit, args=(r,)) for r in ("x", "bad", "y")]
    for t in rest:
        t.start()
    _wait_until(lambda: len(gc._queue) == 3)
    release.set()
    for t in [first, *rest]:
        t.join(5)
    assert results["first"] == "FIRST" and results["x"] == "X" and results["y"] == "Y"
    assert isinstance(results["bad"], ValueError)
    assert [c for c in calls if c[0] == "group"] == [("group", ("x", "bad", "y"))] or \
        {c[1] for c in calls if c[0] == "one"} == {"first", "x", "bad", "y"}
    assert sorted(c[1] for c in calls if c[0] == "one") == ["bad", "first", "x", "y"]


def test_group_weight_bounds_a_group_but_a_heavy_request_is_still_written():
    gc: GroupCommit[int, int] = GroupCommit(lambda reqs: list(reqs), lambda r: r, max_weight=10)
    assert gc.submit(5, weight=1000) == 5
    with pytest.raises(ValueError, match="max_group"):
        GroupCommit(lambda reqs: list(reqs), lambda r: r, max_group=0)


# the store's group
def test_group_stores_posts_of_several_runs_once_and_answers_duplicates(registry):
    store = registry.store
    runs = [registry.create_run("alice", "p").id for _ in range(3)]
    store.append_metrics(runs[0], 1, _batches([0, 1]), None, None)   # seq 1 of run 0 is there already
    answers = store._append_group([
        (runs[0], 1, _batches([0, 1]), None, None),        # stored before: duplicate
        (runs[0], 2, _batches([2, 3]), None, None),
        (runs[1], 1, _batches([0]), None, None),
        (runs[1], 1, _batches([0]), None, None),           # the same seq twice in one group: the second is a duplicate
        (runs[2], 5, _batches([0, 1, 2]), None, None),
        (runs[2], 6, _batches([3]), None, None),           # two seqs of one run in one group
        (runs[2], None, _batches([4]), None, None),        # no seq: always applied, last_seq untouched
    ])
    assert answers == [(0, True, 2, False), (4, False, 2, False), (2, False, 1, False), (0, True, 1, False),
                       (6, False, 6, False), (2, False, 6, False), (2, False, 6, False)]
    assert list(store.get_series(runs[0], "a").steps) == [0, 1, 2, 3]
    assert list(store.get_series(runs[1], "b").steps) == [0]
    got = store.get_series(runs[2], "a")
    assert list(got.steps) == [0, 1, 2, 3, 4] and list(got.values) == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert [registry.get_run("alice", r).last_seq for r in runs] == [2, 1, 6]
    infos = {m.key: m for m in store.list_metrics(runs[2])}
    assert (infos["a"].count, infos["a"].last_step, infos["a"].min, infos["a"].max) == (5, 4, 0.0, 4.0)
    # the summary pages were written for the grouped points too: a downsampled read sees them all
    assert store.get_series(runs[2], "a", max_points=2).total == 5


def test_a_group_with_a_deleted_run_commits_nothing_and_the_others_are_stored_alone(registry):
    store = registry.store
    keep, gone = registry.create_run("alice", "p").id, registry.create_run("alice", "p").id
    registry.delete_run("alice", gone)
    with pytest.raises(Exception):
        store._append_group([(keep, 1, _batches([0]), None, None), (gone, 1, _batches([0]), None, None)])
    assert store.list_metrics(keep) == []   # the group committed nothing
    assert registry.get_run("alice", keep).last_seq == 0
    # through the combiner: the failed group's posts are written one by one
    release = threading.Event()
    one = store._metric_groups._write_one

    def slow_first(req):  # type: ignore[no-untyped-def]
        if req[1] == 100:
            release.wait(5)
        return one(req)

    store._metric_groups._write_one = slow_first
    results: dict[int, object] = {}

    def post(run_id: str, seq: int) -> None:
        try:
            results[seq] = store.append_metrics(run_id, seq, _batches([seq]))
        except MLHubError as e:
            results[seq] = e

    lead = threading.Thread(target=post, args=(keep, 100))
    lead.start()
    time.sleep(0.2)
    rest = [threading.Thread(target=post, args=(keep, 1)), threading.Thread(target=post, args=(gone, 2)),
            threading.Thread(target=post, args=(keep, 3))]
    for t in rest:
        t.start()
    _wait_until(lambda: len(store._metric_groups._queue) == 3)
    release.set()
    for t in [lead, *rest]:
        t.join(10)
    assert isinstance(results[2], MLHubError) and results[2].code == ErrorCode.NOT_FOUND
    for seq in (1, 3, 100):
        assert results[seq][:2] == (2, False), results
    assert sorted(store.get_series(keep, "a").steps) == [1, 3, 100]
    assert registry.get_run("alice", keep).last_seq == 100


def test_concurrent_posts_of_many_runs_are_grouped_and_stored_exactly_once(registry):
    """16 threads posting (as a replica's worker threads do), each retrying every post once:
    every point stored once, every retry answered duplicate, and the posts were grouped."""
    store = registry.store
    runs = [registry.create_run("alice", "p").id for _ in range(16)]
    errors: list[BaseException] = []

    def user(run_id: str) -> None:
        try:
            for seq in range(1, 16):
                steps = list(range(seq * 10, seq * 10 + 10))
                first = store.append_metrics(run_id, seq, _batches(steps, ("a", "b", "c")))
                again = store.append_metrics(run_id, seq, _batches(steps, ("a", "b", "c")))
                assert first[:2] == (30, False) and again[:2] == (0, True), (first, again)
                assert first[2] >= seq and again[2] >= seq
        except BaseException as e:  # noqa: BLE001 - reported by the test thread below
            errors.append(e)

    threads = [threading.Thread(target=user, args=(r,)) for r in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    for r in runs:
        for k in ("a", "b", "c"):
            got = store.get_series(r, k)
            assert list(got.steps) == list(range(10, 160)) and np.array_equal(got.values, np.arange(10, 160.0))
        assert registry.get_run("alice", r).last_seq == 15
    assert store._metric_groups.groups > 0 and store._metric_groups.grouped > store._metric_groups.groups


def test_a_second_writer_starts_for_a_backlog_and_every_request_is_written_once():
    """writers=2: while the first leader is inside its write, requests queue; once a backlog
    has formed the next arrival leads a second group at the same time. Nobody is lost,
    answered twice or answered before its own group was written."""
    inside = threading.Semaphore(0)
    release = threading.Event()
    written: list[list[int]] = []
    lock = threading.Lock()

    def write_one(r):  # type: ignore[no-untyped-def]
        return write_group([r])[0]

    def write_group(reqs):  # type: ignore[no-untyped-def]
        inside.release()
        release.wait(5)
        with lock:
            written.append(list(reqs))
        return [-r for r in reqs]

    gc: GroupCommit[int, int] = GroupCommit(write_group, write_one, writers=2)
    results: dict[int, int] = {}
    threads = [threading.Thread(target=lambda r=r: results.__setitem__(r, gc.submit(r))) for r in range(1, 31)]
    threads[0].start()
    assert inside.acquire(timeout=5)            # the first leader is writing request 1
    for t in threads[1:5]:                      # four queue behind it: a backlog
        t.start()
    _wait_until(lambda: len(gc._queue) == 4)    # (polled: a sleep was too short on a loaded CI box)
    threads[5].start()                          # the next arrival leads a second group
    assert inside.acquire(timeout=5)
    for t in threads[6:]:
        t.start()
    _wait_until(lambda: len(gc._queue) == 30 - 6)
    assert results == {}
    release.set()
    for t in threads:
        t.join(5)
    assert results == {r: -r for r in range(1, 31)}
    assert sorted(r for w in written for r in w) == list(range(1, 31))
    # request 1 was written alone by the first leader (the three groups finish in any order)
    assert [1] in written
    assert [6, 2, 3, 4, 5] in written           # the second leader took the backlog with it
    with pytest.raises(ValueError, match="writers"):
        GroupCommit(write_group, write_one, writers=0)


def test_postgresql_metric_blobs_are_compressed_with_lz4(registry):
    """Migration 0013: the packed metric columns use lz4 on PostgreSQL (pglz was most of an
    append's time there); SQLite has no such setting and is left alone."""
    from sqlalchemy import text

    store = registry.store
    if store.write_engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    with store.write_engine.connect() as c:
        got = dict(((str(t), col), m) for t, col, m in c.execute(text(
            "SELECT attrelid::regclass, attname, attcompression FROM pg_attribute "
            "WHERE attrelid IN ('metric_chunks'::regclass, 'metric_summaries'::regclass) "
            "AND atttypid = 'bytea'::regtype")))
    assert got == {("metric_chunks", "steps"): "l", ("metric_chunks", "values"): "l",
                   ("metric_chunks", "timestamps"): "l", ("metric_summaries", "data"): "l",
                   ("metric_summaries", "stamps"): "l"}
    run = registry.create_run("alice", "p").id
    store.append_metrics(run, 1, _batches(list(range(5000))))
    assert list(store.get_series(run, "a").steps) == list(range(5000))


def test_postgresql_summary_pages_stay_inline_and_uncompressed(registry):
    """Migration 0015: a full summary page (64 records, ~4.4 KB) is kept whole in the table's
    own heap on PostgreSQL, not compressed and moved to its TOAST table on every rewrite."""
    import numpy as np
    from sqlalchemy import text

    store = registry.store
    if store.write_engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    run = registry.create_run("alice", "p").id
    rng = np.random.default_rng(0)
    for start in range(0, 5000, 250):   # random values: barely compressible, as real metrics
        steps = list(range(start, start + 250))
        store.append_metrics(run, None, [MetricBatch("loss", steps, rng.random(250).tolist(), [time.time()] * 250)])
    with store.write_engine.connect() as c:
        options = c.execute(text("SELECT reloptions FROM pg_class WHERE relname = 'metric_summaries'")).scalar()
        toasted = c.execute(text("SELECT pg_relation_size(reltoastrelid) FROM pg_class "
                                 "WHERE relname = 'metric_summaries'")).scalar()
        widest = c.execute(text("SELECT max(octet_length(data) + octet_length(stamps)) FROM metric_summaries")).scalar()
    assert "toast_tuple_target=8160" in options
    assert widest >= 64 * 68 and toasted == 0, (widest, toasted)
    assert store.get_series(run, "loss").steps[-1] == 4999


# asynchronous requests (the REST handler's posts)
def test_async_requests_wait_holding_no_thread_and_are_answered_from_their_groups():
    """Twenty requests awaited on one event loop while the first group is being written: no
    thread per request (only the writer threads), grouped, each answered with its own result,
    a refused one with its error and a failed group's requests one by one."""
    import asyncio

    release = threading.Event()
    written: list[list[int]] = []

    def write_group(reqs):  # type: ignore[no-untyped-def]
        written.append(list(reqs))
        if 13 in reqs:
            raise RuntimeError("a bad request in the group")
        return [ValueError(f"refused {r}") if r == 7 else r * 10 for r in reqs]

    def write_one(r):  # type: ignore[no-untyped-def]
        if r == 0:
            release.wait(5)
        if r == 13:
            raise KeyError(r)
        written.append([r])
        return r * 10

    gc: GroupCommit[int, int] = GroupCommit(write_group, write_one, max_group=8, writers=1)

    async def main() -> list[object]:
        first = gc.submit_async(0)
        await asyncio.sleep(0.1)                  # request 0 is being written: the rest queue
        before = threading.active_count()
        rest = [gc.submit_async(r) for r in range(1, 20)]
        await asyncio.sleep(0.2)
        assert threading.active_count() <= before + 1 and not any(f.done() for f in [first, *rest])
        release.set()
        return await asyncio.gather(first, *rest, return_exceptions=True)

    results = asyncio.run(main())
    gc.close()
    for r, got in enumerate(results):
        if r == 7:
            assert isinstance(got, ValueError) and str(got) == "refused 7"
        elif r == 13:
            assert isinstance(got, KeyError)
        else:
            assert got == r * 10
    assert written[0] == [0] and max(len(w) for w in written) > 1 and gc.groups >= 1
    stored = [r for w in written if len(w) == 1 or 13 not in w for r in w]
    assert sorted(stored) == [r for r in range(20) if r != 13]   # each written once (13 failed alone)


def test_a_group_checks_access_in_its_transaction_and_refuses_only_the_caller_without_it(registry):
    """Posts of three callers in one group: the member who may edit is stored, a viewer is
    answered forbidden and a stranger to a private project not_found, and nothing of theirs is
    stored; the access is read in the group's own transaction (one query for all)."""
    from mlhub_ext.core.entities import Role

    store = registry.store
    run = registry.create_run("alice", "private-p").id
    registry.set_member("alice", "private-p", "vera", "read")
    checks = {}

    def check(user):  # type: ignore[no-untyped-def]
        from mlhub_ext.core.service import _RunCheck

        checks[user] = _RunCheck(user, run, Role.EDIT)
        return checks[user]

    answers = store._append_group([
        (run, 1, _batches([0, 1]), "alice", check("alice")),
        (run, 2, _batches([2]), "vera", check("vera")),
        (run, 3, _batches([3]), "mallory", check("mallory")),
    ])
    assert answers[0] == (4, False, 1, False)
    assert isinstance(answers[1], MLHubError) and answers[1].code == ErrorCode.FORBIDDEN
    assert "vera" in str(answers[1]) and "edit" in str(answers[1])
    assert isinstance(answers[2], MLHubError) and answers[2].code == ErrorCode.NOT_FOUND
    assert checks["alice"].project == "private-p"
    assert list(store.get_series(run, "a").steps) == [0, 1]
    assert registry.get_run("alice", run).last_seq == 1   # the refused seqs were not recorded
    # and the refused caller's seq is free for the owner: it was never recorded
    assert store.append_metrics(run, 2, _batches([2]))[:2] == (2, False)
