"""The SQL behind the home overview (:class:`~mlhub_ext.core.home.HomeStore`).

Everything is read in one transaction, so the counts and lists agree with each other.
Counts are ``GROUP BY`` aggregates; every list is ordered and bounded with ``LIMIT``;
every query carries the caller's read rule (owner, public, or a member directly or
through a hub group) as a SQL condition, so nothing unreadable is ever loaded.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Integer, String, Table, cast, func, literal, null, or_, select, union_all

from ..core.access import principals
from ..core.entities import Holding, Role, Visibility
from ..core.home import Activity, HomeCounts, HomeFacts, HomeStore, RunBrief
from .datasets import SqlDatasetStore
from .members import readable
from .models import SqlModelStore, _job
from .orm import ArtifactRow, MemberRow, ProjectRow, RunRow, SeriesRow, UTCDateTime
from .orm_datasets import DatasetMemberRow, DatasetRow, DatasetVersionRow
from .orm_models import AliasHistoryRow, JobRow, ModelAliasRow, ModelMemberRow, ModelRow, ModelVersionRow
from .sqlstore import SqlStore

_projects, _pmembers, _runs = ProjectRow.__table__, MemberRow.__table__, RunRow.__table__
_series, _artifacts = SeriesRow.__table__, ArtifactRow.__table__
_ds, _dmembers, _dversions = DatasetRow.__table__, DatasetMemberRow.__table__, DatasetVersionRow.__table__
_models, _mmembers, _mversions = ModelRow.__table__, ModelMemberRow.__table__, ModelVersionRow.__table__
_aliases, _history, _jobs = ModelAliasRow.__table__, AliasHistoryRow.__table__, JobRow.__table__

ENDED = ("finished", "failed", "killed")
_UTC = UTCDateTime()


def _day(value: Any) -> date:
    """A ``date(...)`` result: a date on PostgreSQL, 'YYYY-MM-DD' text on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _utc(value: Any) -> Any:
    """Columns of ``union``/labelled selects lose their type decorator on some paths; coerce back."""
    return _UTC.process_result_value(value, None) if isinstance(value, datetime) and value.tzinfo is None else value


class SqlHomeStore(HomeStore):
    """Home queries over the registry database of ``sql``."""

    def __init__(self, sql: SqlStore) -> None:
        self.sql = sql
        self._datasets = SqlDatasetStore(sql)
        self._models = SqlModelStore(sql)

    def home_facts(self, user: str, since: datetime, limit: int) -> HomeFacts:
        can_project = readable(_projects, _pmembers, "project_id", user)
        can_dataset = readable(_ds, _dmembers, "dataset_id", user)
        can_model = readable(_models, _mmembers, "model_id", user)
        project_ids = select(_projects.c.id).where(can_project)
        dataset_ids = select(_ds.c.id).where(can_dataset)
        model_ids = select(_models.c.id).where(can_model)
        visible_job = or_(_jobs.c.owner == str(user), _jobs.c.model.in_(select(_models.c.name).where(can_model)))
        with self.sql.read_engine.connect() as c, c.begin():
            counts, storage = self._counts(c, project_ids, dataset_ids, model_ids, can_project, can_dataset,
                                           can_model, visible_job, user)
            day = func.date(_runs.c.created_at)
            per_day = {_day(d): int(n) for d, n in c.execute(
                select(day, func.count()).where(_runs.c.project_id.in_(project_ids), _runs.c.created_at >= since)
                .group_by(day))}
            return HomeFacts(
                counts=counts, runs_per_day=per_day, storage=storage,
                my_runs=self._my_runs(c, user, limit),
                my_jobs=[_job(r) for r in c.execute(
                    select(_jobs).where(_jobs.c.owner == str(user), _jobs.c.state.in_(("queued", "running")),
                                        _jobs.c.parent.is_(None))
                    .order_by(_jobs.c.created_at.desc(), _jobs.c.id).limit(limit))],
                activity=self._activity(c, can_project, can_dataset, can_model, user, limit),
                shared_with_me=self._shared(c, user))

    @staticmethod
    def _counts(c: Connection, project_ids: Any, dataset_ids: Any, model_ids: Any, can_project: Any,
                can_dataset: Any, can_model: Any, visible_job: Any,
                user: str) -> tuple[HomeCounts, dict[str, int]]:
        """The counts and the caller's storage: one statement of scalar subqueries for the plain
        counts and byte sums (one round trip instead of eight), then the three ``GROUP BY``s."""
        def scalar(q: Any, name: str) -> Any:
            return q.scalar_subquery().label(name)

        owned_projects = select(_projects.c.id).where(_projects.c.owner == str(user))
        plain = c.execute(select(
            scalar(select(func.count()).select_from(_projects).where(can_project), "projects"),
            scalar(select(func.count()).select_from(_ds).where(can_dataset), "datasets"),
            scalar(select(func.count()).select_from(_dversions).where(_dversions.c.dataset_id.in_(dataset_ids)),
                   "dataset_versions"),
            scalar(select(func.count()).select_from(_models).where(can_model), "models"),
            scalar(select(func.count()).select_from(_mversions).where(_mversions.c.model_id.in_(model_ids)),
                   "model_versions"),
            # Bytes held by what the caller owns (as GET /me sums them).
            scalar(select(func.sum(_artifacts.c.size)).join(_runs, _artifacts.c.run_id == _runs.c.id)
                   .where(_runs.c.project_id.in_(owned_projects)), "run_bytes"),
            scalar(select(func.sum(_dversions.c.size))
                   .where(_dversions.c.dataset_id.in_(select(_ds.c.id).where(_ds.c.owner == str(user)))),
                   "dataset_bytes"),
            scalar(select(func.sum(_mversions.c.artifact_size))
                   .where(_mversions.c.model_id.in_(select(_models.c.id).where(_models.c.owner == str(user)))),
                   "model_bytes"))).one()
        counts = HomeCounts(
            projects=int(plain.projects or 0),
            runs={s: int(n) for s, n in c.execute(select(_runs.c.status, func.count())
                                                  .where(_runs.c.project_id.in_(project_ids))
                                                  .group_by(_runs.c.status))},
            datasets=int(plain.datasets or 0), dataset_versions=int(plain.dataset_versions or 0),
            models=int(plain.models or 0), model_versions=int(plain.model_versions or 0),
            stages={s: int(n) for s, n in c.execute(select(_aliases.c.stage, func.count())
                                                    .where(_aliases.c.model_id.in_(model_ids))
                                                    .group_by(_aliases.c.stage))},
            jobs={s: int(n) for s, n in c.execute(select(_jobs.c.state, func.count())
                                                  .where(visible_job, _jobs.c.parent.is_(None),
                                                         _jobs.c.state.in_(("queued", "running")))
                                                  .group_by(_jobs.c.state))})
        storage = {"projects": int(plain.run_bytes or 0), "datasets": int(plain.dataset_bytes or 0),
                   "models": int(plain.model_bytes or 0)}
        return counts, storage

    @staticmethod
    def _my_runs(c: Connection, user: str, limit: int) -> list[RunBrief]:
        """The caller's running runs, newest first, with the last step any of their metrics reached."""
        step = (select(func.max(_series.c.last_step)).where(_series.c.run_id == _runs.c.id)
                .correlate(_runs).scalar_subquery())
        rows = c.execute(select(_runs.c.id, _runs.c.name, _projects.c.name.label("project"), _runs.c.owner,
                                _runs.c.status, _runs.c.created_at, _runs.c.finished_at, _runs.c.stop_requested,
                                step.label("last_step"))
                         .join(_projects, _projects.c.id == _runs.c.project_id)
                         .where(_runs.c.owner == str(user), _runs.c.status == "running")
                         .order_by(_runs.c.created_at.desc(), _runs.c.id).limit(limit))
        return [RunBrief(r.id, r.name, r.project, r.owner, r.status, r.created_at, r.finished_at,
                         int(r.last_step) if r.last_step is not None else None, bool(r.stop_requested))
                for r in rows]

    @staticmethod
    def _activity(c: Connection, can_project: Any, can_dataset: Any, can_model: Any, user: str,
                  limit: int) -> list[Activity]:
        """At most ``limit`` of each kind of event, newest first within each kind.

        The read rule is a condition on the joined parent row (not ``IN (readable ids)``), so
        that the planner walks the time index backwards and stops after ``limit`` rows
        instead of sorting every readable run.
        """
        def kind(name: str) -> Any:
            return literal(name, String).label("kind")

        no_int, no_text = cast(null(), Integer), cast(null(), String)
        # The share columns (item kind, role, member granted) are NULL on every other line.
        no_share = (no_text.label("item"), no_text.label("role"), no_text.label("via"))
        by_run = (_runs.c.name.label("name"), no_int.label("version"), no_text.label("stage"),
                  _runs.c.id.label("run_id"), _projects.c.name.label("project"), *no_share)

        def shares(item: str, res: Table, mem: Table, fk: str) -> Any:
            # Grants to the caller or one of their groups; rows from before migration 0010 have
            # no time and are left out. The member table is small per user (indexed on user).
            return (select(kind("share"), mem.c.granted_at.label("at"), mem.c.granted_by.label("user"),
                           res.c.name.label("name"), no_int.label("version"), no_text.label("stage"),
                           no_text.label("run_id"), no_text.label("project"), literal(item, String).label("item"),
                           mem.c.role.label("role"), mem.c.user.label("via"))
                    .join(res, res.c.id == mem.c[fk])
                    .where(mem.c.user.in_(principals(user)), mem.c.granted_at.is_not(None), res.c.owner != str(user))
                    .order_by(mem.c.granted_at.desc(), res.c.name).limit(limit))
        branches = [
            select(kind("run_started"), _runs.c.created_at.label("at"), _runs.c.owner.label("user"), *by_run)
            .join(_projects, _projects.c.id == _runs.c.project_id).where(can_project)
            .order_by(_runs.c.created_at.desc()).limit(limit),
            # kind: the status ("finished", "failed", "killed"), made "run_<status>" below.
            select(_runs.c.status.label("kind"), _runs.c.finished_at.label("at"), _runs.c.owner.label("user"),
                   *by_run)
            .join(_projects, _projects.c.id == _runs.c.project_id)
            .where(can_project, _runs.c.finished_at.is_not(None), _runs.c.status.in_(ENDED))
            .order_by(_runs.c.finished_at.desc()).limit(limit),
            select(kind("dataset_version"), _dversions.c.created_at.label("at"), _dversions.c.created_by.label("user"),
                   _ds.c.name.label("name"), _dversions.c.version.label("version"), no_text.label("stage"),
                   no_text.label("run_id"), no_text.label("project"), *no_share)
            .join(_ds, _ds.c.id == _dversions.c.dataset_id).where(can_dataset)
            .order_by(_dversions.c.created_at.desc(), _dversions.c.version.desc()).limit(limit),
            select(kind("model_version"), _mversions.c.created_at.label("at"), _mversions.c.created_by.label("user"),
                   _models.c.name.label("name"), _mversions.c.version.label("version"), no_text.label("stage"),
                   no_text.label("run_id"), no_text.label("project"), *no_share)
            .join(_models, _models.c.id == _mversions.c.model_id).where(can_model)
            .order_by(_mversions.c.created_at.desc(), _mversions.c.id.desc()).limit(limit),
            select(kind("promotion"), _history.c.created_at.label("at"), _history.c.user.label("user"),
                   _models.c.name.label("name"), _history.c.version.label("version"), _history.c.stage.label("stage"),
                   no_text.label("run_id"), no_text.label("project"), *no_share)
            .join(_models, _models.c.id == _history.c.model_id).where(can_model)
            .order_by(_history.c.created_at.desc(), _history.c.id.desc()).limit(limit),
            shares("project", _projects, _pmembers, "project_id"),
            shares("dataset", _ds, _dmembers, "dataset_id"),
            shares("model", _models, _mmembers, "model_id"),
        ]
        # One round trip: each branch keeps its own ORDER BY ... LIMIT inside a subquery.
        rows = c.execute(union_all(*(select(b.subquery()) for b in branches)))
        return [Activity(f"run_{r.kind}" if r.kind in ENDED else r.kind, _utc(r.at), r.user, r.name,
                         version=int(r.version) if r.version is not None else None, stage=r.stage,
                         run_id=r.run_id, project=r.project, item=r.item, role=r.role, via=r.via) for r in rows]

    def _shared(self, c: Connection, user: str) -> list[Holding]:
        """What others shared with ``user`` (directly or through a group), each once with the
        best role and the member name granting it; count and size as ``GET /me`` gives them."""
        def project_stats(c: Connection, ids: list[int]) -> dict[int, tuple[int, int]]:
            runs = dict(c.execute(select(_runs.c.project_id, func.count()).where(_runs.c.project_id.in_(ids))
                                  .group_by(_runs.c.project_id)).all())
            sizes = dict(c.execute(select(_runs.c.project_id, func.sum(_artifacts.c.size))
                                   .join(_artifacts, _artifacts.c.run_id == _runs.c.id)
                                   .where(_runs.c.project_id.in_(ids)).group_by(_runs.c.project_id)).all())
            return {i: (runs.get(i, 0), sizes.get(i, 0)) for i in ids}

        shared: list[Holding] = []
        for kind, res, mem, fk, stats in (
                ("project", _projects, _pmembers, "project_id", project_stats),
                ("dataset", _ds, _dmembers, "dataset_id", self._datasets._size_stats),
                ("model", _models, _mmembers, "model_id", self._models._size_stats)):
            granted = c.execute(select(res.c.id, res.c.name, res.c.owner, res.c.visibility, res.c.updated_at,
                                       mem.c.user.label("via"), mem.c.role)
                                .join(mem, mem.c[fk] == res.c.id)
                                .where(mem.c.user.in_(principals(user)), res.c.owner != str(user))
                                .order_by(res.c.name)).all()
            best: dict[int, Any] = {}
            for r in granted:
                held = best.get(r.id)
                # The higher role wins; on a tie the user's own grant is named rather than a group's.
                if held is None or Role(r.role).rank > Role(held.role).rank or (
                        Role(r.role) == Role(held.role) and r.via == str(user)):
                    best[r.id] = r
            sizes = stats(c, list(best)) if best else {}
            for r in best.values():
                count, size = sizes.get(r.id, (0, 0))
                shared.append(Holding(kind, r.name, r.owner, Visibility(r.visibility), int(count or 0),
                                      int(size or 0), r.updated_at, Role(r.role), r.via))
        return shared
