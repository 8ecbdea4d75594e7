"""HomeService without HTTP or SQL: argument checks, zero-filled days, the merged timeline."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from mlhub_ext.core.errors import MLHubError
from mlhub_ext.core.home import Activity, HomeCounts, HomeFacts, HomeService, HomeStore

NOW = datetime(2026, 11, 30, 9, 30, tzinfo=timezone.utc)


class RecordingStore(HomeStore):
    """Answers fixed facts and records what it was asked."""

    def __init__(self, facts: HomeFacts) -> None:
        self.facts = facts
        self.asked: list[tuple[str, datetime, int]] = []

    def home_facts(self, user: str, since: datetime, limit: int) -> HomeFacts:
        self.asked.append((user, since, limit))
        return self.facts


def facts(**kw) -> HomeFacts:  # type: ignore[no-untyped-def]
    base = dict(counts=HomeCounts(projects=2, runs={"running": 1, "failed": 2}), runs_per_day={},
                storage={"projects": 10, "models": 5}, my_runs=[], my_jobs=[], activity=[], shared_with_me=[])
    base.update(kw)
    return HomeFacts(**base)  # type: ignore[arg-type]


def test_days_are_zero_filled_from_midnight_utc_and_counts_completed():
    store = RecordingStore(facts(runs_per_day={date(2026, 11, 28): 3, date(2026, 11, 30): 1}))
    home = HomeService(store).overview("alice", days="3", now=NOW)
    assert store.asked == [("alice", datetime(2026, 11, 28, tzinfo=timezone.utc), 20)]
    assert home["runs_per_day"] == [{"date": "2026-11-28", "count": 3}, {"date": "2026-11-29", "count": 0},
                                    {"date": "2026-11-30", "count": 1}]
    assert home["counts"]["runs"] == {"total": 3, "running": 1, "finished": 0, "failed": 2, "killed": 0}
    assert home["counts"]["jobs"] == {"queued": 0, "running": 0}
    assert home["storage"] == {"projects": 10, "datasets": 0, "models": 5, "total": 15}


def test_activity_is_one_timeline_newest_first_cut_at_limit():
    t = NOW - timedelta(hours=1)
    lines = [Activity("dataset_version", t - timedelta(minutes=5), "bob", "iris", version=2),
             Activity("run_finished", t, "alice", "r1", run_id="a", project="p"),
             Activity("run_started", t, "alice", "r1", run_id="a", project="p"),
             Activity("promotion", t + timedelta(minutes=1), "bob", "clf", version=1, stage="production")]
    home = HomeService(RecordingStore(facts(activity=lines))).overview("alice", limit=3, now=NOW)
    # Same instant: started reads before finished.
    assert [(a["kind"], a["name"]) for a in home["activity"]] == [
        ("promotion", "clf"), ("run_started", "r1"), ("run_finished", "r1")]


@pytest.mark.parametrize("args, name", [({"days": 0}, "days"), ({"days": 367}, "days"), ({"days": "x"}, "days"),
                                        ({"limit": 0}, "limit"), ({"limit": 101}, "limit"),
                                        ({"limit": 1.5}, "limit")])
def test_bad_arguments_name_themselves(args, name):
    store = RecordingStore(facts())
    with pytest.raises(MLHubError) as e:
        HomeService(store).overview("alice", now=NOW, **args)
    assert e.value.code.value == "invalid" and name in e.value.message
    assert store.asked == []
