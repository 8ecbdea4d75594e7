"""The home overview: what a user sees first, assembled from a few bounded store queries.

One call answers everything the lab's home panel shows: counts of what the caller may
read, runs started per day, the bytes the caller stores, their running runs and jobs,
recent activity across what they may read and what others shared with them. The store
computes each part in SQL (GROUP BY counts, ``LIMIT``-bounded recent lists, every query
limited to what the caller may read); this module checks the arguments, fills the days
without runs with zeros and merges the activity lists into one timeline.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from .entities import Holding
from .models import Job
from .validation import check_int

DEFAULT_DAYS = 14
MAX_DAYS = 366
DEFAULT_LIMIT = 20
MAX_LIMIT = 100

# Activity kinds, in the order a tie on time lists them (a run that starts and ends in the
# same instant reads "started" before "finished").
ACTIVITY_KINDS = ("run_started", "run_finished", "run_failed", "run_killed", "dataset_version", "model_version",
                  "promotion", "share")


@dataclass
class RunBrief:
    """A run as the home lists it: no params or metric series, just what a line shows."""

    id: str
    name: str
    project: str
    owner: str
    status: str
    created_at: datetime
    finished_at: datetime | None = None
    last_step: int | None = None
    stop_requested: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "project": self.project, "owner": self.owner,
                "status": self.status, "created_at": self.created_at.isoformat(),
                "finished_at": self.finished_at.isoformat() if self.finished_at else None,
                "last_step": self.last_step, "stop_requested": self.stop_requested}


@dataclass
class Activity:
    """One line of recent activity.

    ``kind`` is one of :data:`ACTIVITY_KINDS`; ``user`` who did it; ``name`` the run,
    dataset or model; ``version`` the dataset or model version (for a promotion the version
    the stage now points at, None when the stage was removed); ``stage`` a promotion's
    stage; ``run_id`` and ``project`` for run lines. A ``share`` line (a role granted or
    changed for the caller, directly or through a group) names the shared ``item``
    ("project", "dataset" or "model") in ``name``, the ``role`` and ``via``, the member
    granted (the caller's name or ``group:<g>``); its ``user`` is who granted it, None
    when not recorded.
    """

    kind: str
    at: datetime
    user: str | None
    name: str
    version: int | None = None
    stage: str | None = None
    run_id: str | None = None
    project: str | None = None
    item: str | None = None
    role: str | None = None
    via: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "at": self.at.isoformat(), "user": self.user, "name": self.name,
                "version": self.version, "stage": self.stage, "run_id": self.run_id, "project": self.project,
                "item": self.item, "role": self.role, "via": self.via}


@dataclass
class HomeCounts:
    """Counts over everything the caller may read (jobs: theirs and those of models they may read)."""

    projects: int = 0
    runs: dict[str, int] = field(default_factory=dict)  # status -> count
    datasets: int = 0
    dataset_versions: int = 0
    models: int = 0
    model_versions: int = 0
    stages: dict[str, int] = field(default_factory=dict)  # stage -> models with that stage set
    jobs: dict[str, int] = field(default_factory=dict)  # state -> count, top-level jobs only


@dataclass
class HomeFacts:
    """What the store answers for one caller; :class:`HomeService` shapes it for the wire."""

    counts: HomeCounts
    runs_per_day: dict[date, int]  # days with at least one readable run created
    storage: dict[str, int]  # bytes the caller owns: "projects" (run artifacts), "datasets", "models"
    my_runs: list[RunBrief]
    my_jobs: list[Job]
    activity: list[Activity]  # up to ``limit`` of each kind, newest first within a kind
    shared_with_me: list[Holding]


class HomeStore(ABC):
    """The queries behind the home. Every part is limited to what ``user`` may read."""

    @abstractmethod
    def home_facts(self, user: str, since: datetime, limit: int) -> HomeFacts:
        """Counts, runs per day from ``since`` (UTC) on, storage, the caller's running runs
        and queued or running jobs (at most ``limit`` each), at most ``limit`` recent items of
        each activity kind, and what others shared with the caller."""


class HomeService:
    """The home overview for a caller; access rules are applied inside the store's queries."""

    def __init__(self, store: HomeStore) -> None:
        self.store = store

    def overview(self, user: str, days: Any = None, limit: Any = None, now: datetime | None = None) -> dict[str, Any]:
        """The home as JSON-ready data.

        ``days`` (1-366, default 14): how many days ``runs_per_day`` covers, today (UTC) included;
        ``limit`` (1-100, default 20): the most running runs, jobs and activity lines listed.
        Raises ``invalid`` naming the argument when either is out of range or not an integer.

        Shape: ``{"user", "generated_at", "counts": {"projects", "runs": {"total", "running",
        "finished", "failed", "killed"}, "datasets", "dataset_versions", "models", "model_versions",
        "stages": {stage: n}, "jobs": {"running", "queued", ...}}, "runs_per_day": [{"date", "count"}],
        "storage": {"projects", "datasets", "models", "total"} (bytes), "my_runs": [run], "my_jobs":
        [job], "activity": [line], "shared_with_me": [holding]}``.
        """
        n_days = check_int("days", days, 1, MAX_DAYS) if days not in (None, "") else DEFAULT_DAYS
        n = check_int("limit", limit, 1, MAX_LIMIT) if limit not in (None, "") else DEFAULT_LIMIT
        now = now or datetime.now(timezone.utc)
        first = now.astimezone(timezone.utc).date() - timedelta(days=n_days - 1)
        since = datetime(first.year, first.month, first.day, tzinfo=timezone.utc)
        facts = self.store.home_facts(user, since, n)

        runs = {status: 0 for status in ("running", "finished", "failed", "killed")}
        runs.update(facts.counts.runs)
        jobs = {"queued": 0, "running": 0}
        jobs.update(facts.counts.jobs)
        storage = {k: int(facts.storage.get(k, 0)) for k in ("projects", "datasets", "models")}
        order = {kind: i for i, kind in enumerate(ACTIVITY_KINDS)}
        activity = sorted(facts.activity, key=lambda a: (-a.at.timestamp(), order.get(a.kind, 99)))[:n]
        c = facts.counts
        return {
            "user": str(user),
            "generated_at": now.isoformat(),
            "counts": {"projects": c.projects, "runs": {"total": sum(runs.values()), **runs},
                       "datasets": c.datasets, "dataset_versions": c.dataset_versions,
                       "models": c.models, "model_versions": c.model_versions, "stages": dict(c.stages),
                       "jobs": jobs},
            "runs_per_day": [{"date": (first + timedelta(days=i)).isoformat(),
                              "count": int(facts.runs_per_day.get(first + timedelta(days=i), 0))}
                             for i in range(n_days)],
            "storage": {**storage, "total": sum(storage.values())},
            "my_runs": [r.to_json() for r in facts.my_runs],
            "my_jobs": [j.to_json() for j in facts.my_jobs],
            "activity": [a.to_json() for a in activity],
            "shared_with_me": [h.to_json() for h in facts.shared_with_me],
        }
