"""The SQLAlchemy implementation of :class:`~mlhub_ext.core.store.AbstractStore`."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Iterator, Sequence

import orjson
from sqlalchemy import Connection, Text, and_, bindparam, case, delete, exists, func, insert, or_, select, type_coerce, update
from sqlalchemy.exc import IntegrityError

from ..core.access import best_role, principals
from ..core.entities import ApiToken, Artifact, MetricInfo, Project, Run, RunStatus, TokenScope, Visibility
from ..core.errors import MLHubError, conflict, not_found
from ..core.store import AbstractStore, Authorize, MetricBatch, ProjectAccess, RunAccess, RunQuery, SeriesData
from . import metrics as metric_store
from .db import make_engines
from .group_commit import GroupCommit
from .members import SqlMembersMixin
from .metric_writer import ProcessMetricWriter
from .orm_models import JobRow, ModelVersionRow
from .orm import (ArtifactRow, BatchRow, MemberRow, ParamRow, ProjectRow, RunRow, SeriesRow, TagRow, TokenRow,
                  UserRow, utcnow)
from .run_filters import filter_conditions
from .run_table import SqlRunTableMixin
from .schema import sqlite_path

_users, _tokens, _projects = UserRow.__table__, TokenRow.__table__, ProjectRow.__table__
_members, _runs, _params = MemberRow.__table__, RunRow.__table__, ParamRow.__table__
_tags, _series, _batches = TagRow.__table__, SeriesRow.__table__, BatchRow.__table__
_artifacts = ArtifactRow.__table__

#: The most metric posts written in one transaction (store/group_commit.py).
METRIC_GROUP_MAX = 64
#: Groups written at a time, each on its own connection. Two did better (+4-8 % points/s) when
#: every post held a worker thread; with posts awaited on the event loop one writer's larger
#: groups did better (hub_load nominal p95 0.78 and 1.03 s against 0.89 and 1.18 s).
METRIC_GROUP_WRITERS = 1
#: Where metric posts are written: a thread of the registry process, or a child process.
METRIC_WRITERS = ("thread", "process")
# A group's statements on PostgreSQL with its rows bound as arrays: the same text for every
# group (SQLAlchemy compiled a multi-row VALUES and a CASE afresh for each group's size).
_PG_INSERT_SEQS = ("INSERT INTO run_batches (run_id, seq) SELECT * FROM unnest(%b::varchar[], %b::bigint[]) "
                   "ON CONFLICT DO NOTHING RETURNING run_id, seq")
# last_seq only grows (a seq of -1: the run's points were appended without a new seq).
_PG_UPDATE_RUNS = ("UPDATE runs SET updated_at = %s, last_seq = greatest(runs.last_seq, u.seq) "
                   "FROM unnest(%b::varchar[], %b::bigint[]) AS u(id, seq) WHERE runs.id = u.id "
                   "RETURNING runs.id, runs.last_seq, runs.stop_requested")
# The callers' access to the group's runs (as _GROUP_ACCESS), sent in the claim's pipeline.
_PG_GROUP_ACCESS = ("SELECT r.id, p.name, p.owner, p.visibility, m.user, m.role FROM runs AS r "
                    "JOIN projects AS p ON p.id = r.project_id LEFT JOIN project_members AS m "
                    "ON m.project_id = p.id AND m.user = ANY(%b::varchar[]) WHERE r.id = ANY(%b::varchar[])")
#: One metric post as the group commit holds it: run, seq, batches, the caller and the check
#: of their access (None: checked by the caller already).
MetricRequest = tuple[str, "int | None", Sequence[MetricBatch], "str | None", "Authorize | None"]

# Statements of the run-creation path built once, their values bound at execution: building a
# statement and its cache key each call was about half of SQLAlchemy's time on that path.
_TOUCH_PROJECT = (update(_projects).where(_projects.c.name == bindparam("project_name"))
                  .values(updated_at=bindparam("touched_at")).returning(_projects.c.id))
_INSERT_RUN = insert(_runs)


def _project_access_query(by_id: bool):  # type: ignore[no-untyped-def]
    """The project (by number or name: ``key``) and the member rows of ``principals``, one query."""
    mine = and_(_members.c.project_id == _projects.c.id, _members.c.user.in_(bindparam("principals", expanding=True)))
    where = _projects.c.id == bindparam("key") if by_id else _projects.c.name == bindparam("key")
    return (select(_projects.c.id, _projects.c.name, _projects.c.owner, _projects.c.visibility,
                   _projects.c.deleted_at, _members.c.role)
            .select_from(_projects.outerjoin(_members, mine)).where(where))


_PROJECT_ACCESS = {True: _project_access_query(True), False: _project_access_query(False)}
# Built once (a group's access check ran a freshly built query per group).
_GROUP_ACCESS = (select(_runs.c.id, _projects.c.name, _projects.c.owner, _projects.c.visibility, _members.c.user,
                        _members.c.role)
                 .select_from(_runs.join(_projects, _projects.c.id == _runs.c.project_id).outerjoin(
                     _members, and_(_members.c.project_id == _projects.c.id,
                                    _members.c.user.in_(bindparam("principals", expanding=True)))))
                 .where(_runs.c.id.in_(bindparam("runs", expanding=True))))


def param_columns(value: Any) -> dict[str, Any]:
    """The searchable forms of a param value."""
    num = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    text = value if isinstance(value, str) else None
    return {"value": value, "value_num": num, "value_text": text}


class SqlStore(SqlMembersMixin, SqlRunTableMixin, AbstractStore):
    """Registry persistence on SQLite or PostgreSQL. The schema must already be current
    (see :mod:`.schema`); constructing a store never migrates. Project members, roles and
    holdings come from :class:`~.members.SqlMembersMixin`, as datasets' and models' do."""

    _resources, _member_rows, _member_fk = _projects, _members, "project_id"

    def __init__(self, url: str, metric_writer: str = "thread") -> None:
        """``metric_writer``: ``"thread"`` (the group commit of metric posts on a thread of this
        process) or ``"process"`` (on PostgreSQL: in a child process, :mod:`.metric_writer`)."""
        if metric_writer not in METRIC_WRITERS:
            raise ValueError(f"metric_writer must be one of {METRIC_WRITERS}, not {metric_writer!r}")
        self.url = url
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.write_engine, self.read_engine = make_engines(url)
        # Users are never deleted: one seen in the database here needs no lookup again.
        self._known_users: set[str] = set()
        # group commit of metric posts where the dialect has the statements it needs
        grouping = self.write_engine.dialect.name in ("postgresql", "sqlite")
        self._metric_groups: GroupCommit[Any, tuple[int, bool, int, bool]] | ProcessMetricWriter
        if metric_writer == "process" and self.write_engine.dialect.name == "postgresql":
            self._metric_groups = ProcessMetricWriter(url, type(self))
        else:
            self._metric_groups = GroupCommit(self._append_group, self._append_one,
                                              max_group=METRIC_GROUP_MAX if grouping else 1,
                                              writers=METRIC_GROUP_WRITERS)
        # Token uses noted and not yet written (touch_token), and the thread that writes them.
        self._token_uses: dict[int, datetime] = {}
        self._token_uses_lock, self._token_uses_writing = threading.Lock(), threading.Lock()
        self._token_uses_writer = ThreadPoolExecutor(1, thread_name_prefix="mlhub-token-uses")

    def close(self) -> None:
        self._metric_groups.close()
        self._token_uses_writer.shutdown(wait=True)
        self._write_token_uses()
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.read_engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.write_engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _read_one(self) -> Iterator[Connection]:
        """For one SELECT (atomic by itself): on PostgreSQL outside a transaction, which saves
        the BEGIN and COMMIT round trips of :meth:`_read`; on SQLite the same as :meth:`_read`."""
        if self.read_engine.dialect.name != "postgresql":
            with self._read() as conn:
                yield conn
            return
        with self.read_engine.connect() as conn:
            yield conn.execution_options(isolation_level="AUTOCOMMIT")

    # users and tokens
    def ensure_user(self, name: str) -> None:
        with self._write() as c:
            self._ensure_user(c, name)

    @staticmethod
    def _ensure_user(c: Connection, name: str) -> None:
        if c.execute(select(_users.c.name).where(_users.c.name == name)).first() is None:
            c.execute(insert(_users).values(name=name, created_at=utcnow()))

    def add_token(self, user: str, token_hash: str, prefix: str, note: str, expires_at: datetime | None,
                  scope: TokenScope = TokenScope.WRITE) -> ApiToken:
        with self._write() as c:
            self._ensure_user(c, user)
            tid = c.execute(insert(_tokens).values(
                user=user, hash=token_hash, prefix=prefix, note=note, created_at=utcnow(), expires_at=expires_at,
                scope=TokenScope(scope).value,
            )).inserted_primary_key[0]
            row = c.execute(select(TokenRow).where(_tokens.c.id == tid)).one()
            return _token(row)

    def find_token(self, token_hash: str) -> ApiToken | None:
        with self._read_one() as c:   # on every request whose token is not cached: no BEGIN/COMMIT
            row = c.execute(select(TokenRow).where(_tokens.c.hash == token_hash)).first()
            return _token(row) if row else None

    def list_tokens(self, user: str) -> list[ApiToken]:
        self._write_token_uses()   # the uses noted so far, so that a listing shows them
        with self._read() as c:
            return [_token(r) for r in c.execute(select(TokenRow).where(_tokens.c.user == user).order_by(_tokens.c.id))]

    def touch_token(self, token_id: int, at: datetime) -> None:
        # Noted, and written by a thread with every use noted meanwhile (one statement): the
        # request that authenticates waits for no write. Many clients started together touch
        # their tokens together, once a minute; a transaction each on the event loop stalled
        # every request for as long.
        with self._token_uses_lock:
            first = not self._token_uses
            self._token_uses[token_id] = at
        if first:
            try:
                self._token_uses_writer.submit(self._write_token_uses)
            except RuntimeError:   # closed: the use is not recorded, as for a process that stopped
                pass

    def _write_token_uses(self) -> None:
        with self._token_uses_writing:   # a listing waits for a write under way
            with self._token_uses_lock:
                uses, self._token_uses = self._token_uses, {}
            if uses:
                self.touch_tokens(uses)

    def touch_tokens(self, uses: dict[int, datetime]) -> None:
        """Write the uses ``{token id: when}`` now."""
        with self._write() as c:   # one executemany, one commit
            c.execute(update(_tokens).where(_tokens.c.id == bindparam("tid")).values(last_used_at=bindparam("at")),
                      [{"tid": i, "at": at} for i, at in sorted(uses.items())])

    def revoke_token(self, token_id: int, user: str | None = None) -> bool:
        with self._write() as c:
            cond = _tokens.c.id == token_id
            if user is not None:
                cond = and_(cond, _tokens.c.user == user)
            res = c.execute(update(_tokens).where(cond, _tokens.c.revoked_at.is_(None)).values(revoked_at=utcnow()))
            return res.rowcount > 0

    # projects
    def create_project(self, project: Project) -> Project:
        now = utcnow()
        try:
            with self._write() as c:
                self._ensure_user(c, project.owner)
                c.execute(insert(_projects).values(
                    name=project.name, owner=project.owner, description=project.description,
                    visibility=Visibility(project.visibility).value, created_at=now, updated_at=now))
        except IntegrityError:
            raise conflict(f"project {project.name!r} already exists") from None
        got = self.get_project(project.name)
        assert got is not None
        return got

    def _project_select(self):  # type: ignore[no-untyped-def]
        count = (select(func.count()).select_from(_runs).where(_runs.c.project_id == _projects.c.id)
                 .correlate(_projects).scalar_subquery())
        return select(_projects, count.label("run_count"))

    def get_project(self, name: str) -> Project | None:
        with self._read() as c:
            row = c.execute(self._project_select().where(_projects.c.name == name)).first()
            return _project(row) if row else None

    def get_project_by_id(self, project_id: int) -> Project | None:
        with self._read() as c:
            row = c.execute(self._project_select().where(_projects.c.id == project_id)).first()
            return _project(row) if row else None

    def list_projects(self, readable_by: str | None, q: str | None, limit: int, offset: int) -> tuple[list[Project], int]:
        conds = []
        if readable_by is not None:
            conds.append(self._readable(readable_by))
        if q:
            like = f"%{q.lower()}%"
            conds.append(or_(func.lower(_projects.c.name).like(like), func.lower(_projects.c.description).like(like)))
        with self._read() as c:
            total = c.execute(select(func.count()).select_from(_projects).where(*conds)).scalar_one()
            rows = c.execute(self._project_select().where(*conds)
                             .order_by(_projects.c.updated_at.desc(), _projects.c.name).limit(limit).offset(offset))
            return [_project(r) for r in rows], total

    def update_project(self, name: str, fields: dict[str, Any]) -> Project:
        values = dict(fields)
        if "visibility" in values:
            values["visibility"] = Visibility(values["visibility"]).value
        values["updated_at"] = utcnow()
        with self._write() as c:
            if c.execute(update(_projects).where(_projects.c.name == name).values(**values)).rowcount == 0:
                raise not_found("project", name)
        got = self.get_project(name)
        assert got is not None
        return got

    def rename_project(self, name: str, new_name: str) -> Project:
        """Rename a project; its id, runs and members stay. Model versions and jobs that name it
        as their provenance follow. ``conflict`` when ``new_name`` is taken."""
        try:
            with self._write() as c:
                if c.execute(update(_projects).where(_projects.c.name == name)
                             .values(name=new_name, updated_at=utcnow())).rowcount == 0:
                    raise not_found("project", name)
                for table in (ModelVersionRow.__table__, JobRow.__table__):   # provenance holds the name
                    c.execute(update(table).where(table.c.project == name).values(project=new_name))
        except IntegrityError:
            raise conflict(f"project {new_name!r} already exists") from None
        got = self.get_project(new_name)
        assert got is not None
        return got

    def _project_id(self, c: Connection, name: str) -> int:
        pid = c.execute(select(_projects.c.id).where(_projects.c.name == name)).scalar_one_or_none()
        if pid is None:
            raise not_found("project", name)
        return int(pid)

    # members (get_member_role, member_roles, set_member, remove_member, list_members and
    # holdings: SqlMembersMixin)
    def _id(self, c: Connection, name: str) -> int:
        return self._project_id(c, name)

    def _before_grant(self, c: Connection, user: str) -> None:
        self._ensure_user(c, user)

    def _size_stats(self, c: Connection, ids: list[int]) -> dict[int, tuple[int, int]]:
        """Projects: count = runs, size = artifact bytes."""
        runs = dict(c.execute(select(_runs.c.project_id, func.count()).where(_runs.c.project_id.in_(ids))
                              .group_by(_runs.c.project_id)).all())
        sizes = dict(c.execute(select(_runs.c.project_id, func.sum(_artifacts.c.size))
                               .join(_artifacts, _artifacts.c.run_id == _runs.c.id)
                               .where(_runs.c.project_id.in_(ids)).group_by(_runs.c.project_id)).all())
        return {i: (runs.get(i, 0), sizes.get(i, 0)) for i in ids}

    # runs
    def create_run(self, run: Run) -> Run:
        now = utcnow()
        with self._write() as c:
            # Two statements: the project's update hands back its id (no separate lookup).
            pid = c.execute(_TOUCH_PROJECT, {"project_name": run.project, "touched_at": now}).scalar_one_or_none()
            if pid is None:
                raise not_found("project", run.project)
            if run.owner not in self._known_users:
                self._ensure_user(c, run.owner)
            c.execute(_INSERT_RUN, {
                "id": run.id, "project_id": pid, "owner": run.owner, "name": run.name,
                "status": RunStatus(run.status).value, "summary": run.summary, "provenance": run.provenance,
                "notes": run.notes, "created_at": now, "updated_at": now, "last_seq": 0,
                "status_reason": run.status_reason, "stop_requested": False})
            if run.params:
                c.execute(insert(_params), [{"run_id": run.id, "key": k, **param_columns(v)} for k, v in run.params.items()])
            if run.tags:
                c.execute(insert(_tags), [{"run_id": run.id, "tag": t, "position": i} for i, t in enumerate(run.tags)])
        self._known_users.add(run.owner)
        # Built from what was written (a new run has no metrics yet), not read back: creating
        # a run is one write transaction. JSON values as a read would return them.
        try:
            params, summary, provenance = orjson.loads(orjson.dumps([run.params, run.summary, run.provenance]))
        except (TypeError, orjson.JSONEncodeError):
            got = self.get_run(run.id)
            assert got is not None
            return got
        return Run(id=run.id, project=run.project, owner=run.owner, name=run.name, status=RunStatus(run.status),
                   params=params, tags=list(run.tags), summary=summary, provenance=provenance, notes=run.notes,
                   created_at=now, updated_at=now, finished_at=None, latest_metrics={}, last_seq=0,
                   status_reason=run.status_reason, stop_requested=False)

    def _run_select(self):  # type: ignore[no-untyped-def]
        return select(_runs, _projects.c.name.label("project_name")).join(_projects, _projects.c.id == _runs.c.project_id)

    def get_run(self, run_id: str) -> Run | None:
        with self._read() as c:
            row = c.execute(self._run_select().where(_runs.c.id == run_id)).first()
            if row is None:
                return None
            return self._hydrate(c, [row])[0]

    def run_access(self, run_id: str, user: str) -> RunAccess | None:
        # One query: the run's project and the caller's member rows (their own, their groups').
        with self._read_one() as c:
            return self._group_access(c, {(run_id, user)})[(run_id, user)]

    def project_access(self, project: str | int, user: str) -> ProjectAccess | None:
        # One query: the project and the caller's member rows (their own, their groups').
        query = _PROJECT_ACCESS[not isinstance(project, str)]
        with self._read_one() as c:
            rows = c.execute(query, {"key": project, "principals": list(principals(user))}).all()
        if not rows:
            return None
        first = rows[0]
        return ProjectAccess(first.name, first.owner, Visibility(first.visibility),
                             best_role([r.role for r in rows if r.role is not None]), int(first.id), first.deleted_at)

    def run_project(self, run_id: str) -> str | None:
        with self._read() as c:
            return c.execute(select(_projects.c.name).join(_runs, _runs.c.project_id == _projects.c.id)
                             .where(_runs.c.id == run_id)).scalar_one_or_none()

    def _hydrate(self, c: Connection, rows: Sequence[Any]) -> list[Run]:
        ids = [r.id for r in rows]
        params: dict[str, dict[str, Any]] = {i: {} for i in ids}
        tags: dict[str, list[str]] = {i: [] for i in ids}
        if ids:
            # Raw JSON text decoded with orjson: the JSON type's per-row processing was
            # most of the time it took to list a thousand runs with their params.
            # (PostgreSQL's driver already returns decoded JSON.)
            if c.dialect.name == "sqlite":
                raw = type_coerce(_params.c.value, Text)
                for rid, key, value in c.execute(select(_params.c.run_id, _params.c.key, raw)
                                                 .where(_params.c.run_id.in_(ids))):
                    params[rid][key] = orjson.loads(value) if isinstance(value, (str, bytes)) else value
            else:
                for rid, key, value in c.execute(select(_params.c.run_id, _params.c.key, _params.c.value)
                                                 .where(_params.c.run_id.in_(ids))):
                    params[rid][key] = value
            for rid, tag in c.execute(select(_tags.c.run_id, _tags.c.tag).where(_tags.c.run_id.in_(ids))
                                      .order_by(_tags.c.position)):
                tags[rid].append(tag)
        latest = metric_store.latest_values(c, ids)
        return [
            Run(id=r.id, project=r.project_name, owner=r.owner, name=r.name, status=RunStatus(r.status),
                params=params[r.id], tags=tags[r.id], summary=r.summary or {}, provenance=r.provenance or {},
                notes=r.notes or "", created_at=r.created_at, updated_at=r.updated_at, finished_at=r.finished_at,
                latest_metrics=latest[r.id], last_seq=r.last_seq, status_reason=r.status_reason or "",
                stop_requested=bool(r.stop_requested))
            for r in rows
        ]

    def list_runs(self, query: RunQuery) -> tuple[list[Run], int]:
        conds = []
        if query.project is not None:
            conds.append(_projects.c.name == query.project)
        if query.readable_by is not None:
            conds.append(self._readable(query.readable_by))
        if query.ids is not None:
            conds.append(_runs.c.id.in_(list(query.ids)))
        conds.extend(filter_conditions(query.filter or []))
        base = self._run_select().where(*conds)
        order_col, extra_join = self._order_column(query.order_by)
        stmt = base
        if extra_join is not None:
            stmt = stmt.outerjoin(*extra_join)
        direction = order_col.desc() if query.descending else order_col.asc()
        stmt = stmt.order_by(direction.nulls_last(), _runs.c.created_at.desc(), _runs.c.id).limit(query.limit).offset(query.offset)
        with self._read() as c:
            total = c.execute(select(func.count()).select_from(base.subquery())).scalar_one()
            return self._hydrate(c, c.execute(stmt).all()), total

    def _order_column(self, order_by: str):  # type: ignore[no-untyped-def]
        if order_by.startswith("metrics."):
            s = _series.alias("order_series")
            return s.c.last_value, (s, and_(s.c.run_id == _runs.c.id, s.c.key == order_by[8:]))
        if order_by.startswith("params."):
            p = _params.alias("order_params")
            return func.coalesce(p.c.value_num, None), (p, and_(p.c.run_id == _runs.c.id, p.c.key == order_by[7:]))
        return _runs.c[order_by], None

    def update_run(self, run_id: str, fields: dict[str, Any]) -> Run:
        values = dict(fields)
        tags = values.pop("tags", None)
        if "status" in values:
            values["status"] = RunStatus(values["status"]).value
        values["updated_at"] = utcnow()
        with self._write() as c:
            if c.execute(update(_runs).where(_runs.c.id == run_id).values(**values)).rowcount == 0:
                raise not_found("run", run_id)
            if tags is not None:
                c.execute(delete(_tags).where(_tags.c.run_id == run_id))
                if tags:
                    c.execute(insert(_tags), [{"run_id": run_id, "tag": t, "position": i} for i, t in enumerate(tags)])
        got = self.get_run(run_id)
        assert got is not None
        return got

    def merge_params(self, run_id: str, params: dict[str, Any]) -> dict[str, Any]:
        with self._write() as c:
            for k, v in params.items():
                done = c.execute(update(_params).where(_params.c.run_id == run_id, _params.c.key == k)
                                 .values(**param_columns(v))).rowcount
                if not done:
                    c.execute(insert(_params).values(run_id=run_id, key=k, **param_columns(v)))
            rows = c.execute(select(_params.c.key, _params.c.value).where(_params.c.run_id == run_id))
            return {k: v for k, v in rows}

    def delete_run(self, run_id: str) -> bool:
        # Params, tags, series (and their chunks), batches and artifact rows go by ON DELETE CASCADE.
        with self._write() as c:
            pid = c.execute(select(_runs.c.project_id).where(_runs.c.id == run_id)).scalar_one_or_none()
            if pid is None:
                return False
            c.execute(delete(_runs).where(_runs.c.id == run_id))
            c.execute(update(_projects).where(_projects.c.id == pid).values(updated_at=utcnow()))
            return True

    # metrics
    def append_metrics(self, run_id: str, seq: int | None, batches: Sequence[MetricBatch],
                       user: str | None = None, authorize: Authorize | None = None) -> tuple[int, bool, int, bool]:
        # Posts that arrive while another group is being written are written together (one
        # transaction, one statement of each kind for all of them: store/group_commit.py).
        return self._metric_groups.submit((run_id, seq, batches, user, authorize), sum(len(b.steps) for b in batches))

    async def append_metrics_async(self, run_id: str, seq: int | None, batches: Sequence[MetricBatch],
                                   user: str | None = None, authorize: Authorize | None = None
                                   ) -> tuple[int, bool, int, bool]:
        # No thread waits for the group: a request handler awaits this on the event loop.
        return await self._metric_groups.submit_async((run_id, seq, batches, user, authorize),
                                                sum(len(b.steps) for b in batches))

    def _group_access(self, c: Connection, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], RunAccess | None]:
        """:meth:`run_access` of several (run, user) pairs in one query, in the group's
        transaction: each run's project and the member rows of every caller's principals."""
        runs, everyone = _access_params(pairs)
        return _access_of(c.execute(_GROUP_ACCESS, {"runs": runs, "principals": everyone}).all(), pairs)

    def _append_group(self, requests: Sequence[MetricRequest]) -> list[tuple[int, bool, int, bool] | BaseException]:
        """Append the batches of several posts (of any runs) in one transaction: the callers'
        access to their runs checked in one query (a post refused is answered with its error,
        in its place), one multi-row INSERT of their seqs (ON CONFLICT DO NOTHING RETURNING:
        the seqs not there before), one UPDATE of their runs (each run's last_seq the largest
        of its seqs applied, and read back), :func:`metric_store.append_many` of the applied
        batches, one COMMIT. On PostgreSQL the access query, the seqs' INSERT, the runs'
        UPDATE and the lock of the series rows go in one round trip (:meth:`_pg_claim`); when
        a post is refused there (rare: the SDK's token is its owner's), that transaction is
        rolled back and the others are written in a new one. A seq already stored, or a second
        post of the same seq in the group, is a duplicate. Raises (and commits nothing) if any
        run is gone: the group's posts are then written one by one."""
        checks = {(r[0], r[3]) for r in requests if r[4] is not None and r[3] is not None}
        refused: dict[int, BaseException] = {}
        if checks and self.write_engine.dialect.name == "postgresql":
            try:
                with self._write() as c:
                    return list(self._append_in(c, requests, checks))
            except _Refused as r:   # rolled back; written again without the refused posts
                refused = r.refused
        else:
            with self._write() as c:
                if checks:
                    refused = _refusals(requests, self._group_access(c, checks))
                kept = [r for i, r in enumerate(requests) if i not in refused]
                done = iter(self._append_in(c, kept) if kept else [])
                return [refused[i] if i in refused else next(done) for i in range(len(requests))]
        kept = [r for i, r in enumerate(requests) if i not in refused]
        with self._write() as c:
            done = iter(self._append_in(c, kept) if kept else [])
            return [refused[i] if i in refused else next(done) for i in range(len(requests))]

    def _append_in(self, c: Connection, requests: Sequence[MetricRequest],
                   checks: set[tuple[str, str]] | None = None) -> list[tuple[int, bool, int, bool]]:
        """The group's posts appended in ``c``'s transaction. ``checks`` (PostgreSQL only):
        the ``(run, user)`` pairs whose access is checked with the claim; raises
        :class:`_Refused` (after which the transaction must be rolled back) if a post is
        refused."""
        first: dict[tuple[str, int], int] = {}
        for i, (run_id, seq, *_) in enumerate(requests):
            if seq is not None:
                first.setdefault((run_id, seq), i)
        locked: dict[tuple[str, str], Any] | None = None
        if self.write_engine.dialect.name == "postgresql":
            applied, state, locked = self._pg_claim(c, requests, first, checks)
        else:
            applied, state = self._claim(c, requests, first)
        gone = sorted({r[0] for r in requests} - set(state))
        if gone:
            raise not_found("run", gone[0])   # rolls the group back; each post is then tried alone
        counts = iter(metric_store.append_many(c, [(r[0], r[2]) for ok, r in zip(applied, requests) if ok], locked))
        return [(next(counts), False, *state[r[0]]) if ok else (0, True, *state[r[0]])
                for ok, r in zip(applied, requests)]

    def _claim(self, c: Connection, requests: Sequence[MetricRequest], first: dict[tuple[str, int], int]
               ) -> tuple[list[bool], dict[str, tuple[int, bool]]]:
        """On SQLite: insert the group's seqs (which posts are applied: not a duplicate),
        update its runs, read back each run's ``(last_seq, stop_requested)``."""
        from sqlalchemy.dialects.sqlite import insert as upsert

        fresh: set[tuple[str, int]] = set()
        if first:
            rows = [{"run_id": r, "seq": q} for r, q in sorted(first)]
            fresh = {(r, q) for r, q in c.execute(upsert(_batches).values(rows).on_conflict_do_nothing()
                                                  .returning(_batches.c.run_id, _batches.c.seq))}
        applied = [seq is None or (first[(run_id, seq)] == i and (run_id, seq) in fresh)
                   for i, (run_id, seq, *_) in enumerate(requests)]
        top: dict[str, int] = {}
        for ok, (run_id, seq, *_) in zip(applied, requests):
            if ok and seq is not None and seq >= 0:   # retry keys are negative seqs: last_seq stays
                top[run_id] = max(seq, top.get(run_id, 0))
        touched = sorted({r[0] for ok, r in zip(applied, requests) if ok})
        state: dict[str, tuple[int, bool]] = {}
        if touched:
            values: dict[str, Any] = {"updated_at": utcnow()}
            if top:
                new = case(top, value=_runs.c.id, else_=-1)
                values["last_seq"] = case((_runs.c.last_seq < new, new), else_=_runs.c.last_seq)
            rows = c.execute(update(_runs).where(_runs.c.id.in_(touched)).values(**values)
                             .returning(_runs.c.id, _runs.c.last_seq, _runs.c.stop_requested))
            state = {r: (int(last), bool(stop)) for r, last, stop in rows}
        others = sorted({r[0] for r in requests} - set(state))
        if others:
            rows = c.execute(select(_runs.c.id, _runs.c.last_seq, _runs.c.stop_requested)
                             .where(_runs.c.id.in_(others)))
            state.update({r: (int(last), bool(stop)) for r, last, stop in rows})
        return applied, state

    def _pg_claim(self, c: Connection, requests: Sequence[MetricRequest], first: dict[tuple[str, int], int],
                  checks: set[tuple[str, str]] | None = None
                  ) -> tuple[list[bool], dict[str, tuple[int, bool]], dict[tuple[str, str], Any]]:
        """On PostgreSQL, in one round trip (psycopg's pipeline mode): read the callers' access
        to the ``checks`` pairs (:class:`_Refused` raised, once all the statements are answered,
        if a post is refused), insert the group's seqs,
        update every run of the group (``last_seq`` the largest of its seqs, ``RETURNING``
        it and ``stop_requested``) and lock the series rows of its keys
        (:func:`metric_store.lock_series_statement`); which posts are applied, each run's
        state, the locked series rows by ``(run, key)``.

        The runs and series are those of every post, duplicates included, as the statements
        cannot wait for the seqs' answer: harmless, as a duplicate's seq was applied before,
        so ``last_seq`` is already at least that (only ``updated_at`` moves), and locking a
        series row only orders this group after another writer of it."""
        from psycopg.rows import namedtuple_row

        keys = sorted(first)   # in key order: fewer lock waits
        top: dict[str, int] = {}
        for run_id, seq, *_ in requests:
            top.setdefault(run_id, -1)
            if seq is not None and seq >= 0:   # retry keys are negative seqs: last_seq stays
                top[run_id] = max(seq, top[run_id])
        runs = sorted(top)
        series = sorted({(r[0], b.key) for r in requests for b in r[2] if len(b.steps)})
        pg = c.connection.driver_connection
        assert pg is not None
        with pg.pipeline():
            access = pg.cursor(row_factory=namedtuple_row).execute(_PG_GROUP_ACCESS, _access_params(checks)[::-1]) \
                if checks else None
            seqs = pg.cursor().execute(_PG_INSERT_SEQS, ([r for r, _ in keys], [q for _, q in keys])) if keys else None
            updated = pg.cursor().execute(_PG_UPDATE_RUNS, (utcnow().replace(tzinfo=None), runs,
                                                            [top[r] for r in runs]))
            lock = metric_store.lock_series_statement(pg, series) if series else None
        if access is not None and checks is not None:
            refused = _refusals(requests, _access_of(access.fetchall(), checks))
            if refused:
                raise _Refused(refused)
        fresh = {(r, q) for r, q in seqs.fetchall()} if seqs is not None else set()
        applied = [seq is None or (first[(run_id, seq)] == i and (run_id, seq) in fresh)
                   for i, (run_id, seq, *_) in enumerate(requests)]
        state = {r: (int(last), bool(stop)) for r, last, stop in updated.fetchall()}
        locked = {(row.run_id, row.key): row for row in lock.fetchall()} if lock is not None else {}
        return applied, state, locked

    def _append_one(self, request: MetricRequest) -> tuple[int, bool, int, bool]:
        run_id, seq, batches, user, authorize = request
        if authorize is not None:   # a lone post: its access checked as for any request
            authorize(self.run_access(run_id, user) if user is not None else None)
        # Exactly once per (run, seq): the batch's row is inserted first, in the transaction
        # that appends its points; a seq already there inserts nothing (ON CONFLICT DO NOTHING,
        # or the unique key's error elsewhere) and the batch is a duplicate. A concurrent retry
        # of the same seq waits on the first one's row and then sees it. The run's row is then
        # updated and read back with RETURNING. On PostgreSQL both are one statement (a
        # data-modifying CTE), so a fresh batch of any number of metrics is BEGIN, that
        # statement, metric_store.append's, COMMIT; elsewhere the insert, the append, the update.
        values: dict[str, Any] = {"updated_at": utcnow()}
        if seq is not None and seq >= 0:   # retry keys are negative seqs: last_seq stays
            values["last_seq"] = case((_runs.c.last_seq < seq, seq), else_=_runs.c.last_seq)
        run_update = (update(_runs).where(_runs.c.id == run_id).values(**values)
                      .returning(_runs.c.last_seq, _runs.c.stop_requested))
        try:
            with self._write() as c:
                if seq is not None and c.dialect.name == "postgresql":
                    from sqlalchemy.dialects.postgresql import insert as upsert

                    fresh = (upsert(_batches).values(run_id=run_id, seq=seq).on_conflict_do_nothing()
                             .returning(_batches.c.seq).cte("fresh"))
                    row = c.execute(run_update.where(exists(select(fresh.c.seq)))).first()
                    if row is None:   # the seq was there: nothing inserted, the run left as it was
                        return (0, True, *self._run_seq(c, run_id))
                    return metric_store.append(c, run_id, batches), False, int(row[0]), bool(row[1])
                if seq is not None and not self._record_batch(c, run_id, seq):
                    return (0, True, *self._run_seq(c, run_id))
                accepted = metric_store.append(c, run_id, batches)
                row = c.execute(run_update).first()
                if row is None:
                    raise not_found("run", run_id)   # rolls the batch back
                return accepted, False, int(row[0]), bool(row[1])
        except IntegrityError:
            # The run is gone (a foreign key: not_found), or another writer applied the same
            # seq first where ON CONFLICT is not available (a duplicate).
            with self._read() as c:
                last = self._run_seq(c, run_id)
            if seq is None:
                raise
            return (0, True, *last)

    def _record_batch(self, c: Connection, run_id: str, seq: int) -> bool:
        """Insert the (run, seq) row; False when it was there already (a duplicate batch)."""
        dialect = c.dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
        else:   # the unique key refuses it: IntegrityError, told as a duplicate by the caller
            c.execute(insert(_batches).values(run_id=run_id, seq=seq))
            return True
        # RETURNING, not rowcount (which psycopg leaves at -1 here): no row back means a conflict.
        added = c.execute(upsert(_batches).values(run_id=run_id, seq=seq).on_conflict_do_nothing()
                          .returning(_batches.c.seq)).first()
        return added is not None

    @staticmethod
    def _run_seq(c: Connection, run_id: str) -> tuple[int, bool]:
        """``(last_seq, stop_requested)`` of a run; ``not_found`` if it is gone."""
        row = c.execute(select(_runs.c.last_seq, _runs.c.stop_requested).where(_runs.c.id == run_id)).first()
        if row is None:
            raise not_found("run", run_id)
        return int(row[0]), bool(row[1])

    def list_metrics(self, run_id: str) -> list[MetricInfo]:
        with self._read() as c:
            return metric_store.list_series(c, run_id)

    def get_series(self, run_id: str, key: str, max_points: int | None = None) -> SeriesData | None:
        with self._read() as c:
            return metric_store.read_series(c, run_id, key, max_points)

    # artifacts
    def add_artifact(self, artifact: Artifact) -> Artifact:
        now = utcnow()
        with self._write() as c:
            done = c.execute(update(_artifacts).where(_artifacts.c.run_id == artifact.run_id,
                                                      _artifacts.c.name == artifact.name)
                             .values(sha256=artifact.sha256, size=artifact.size, created_at=now)).rowcount
            if not done:
                c.execute(insert(_artifacts).values(run_id=artifact.run_id, name=artifact.name, sha256=artifact.sha256,
                                                    size=artifact.size, created_at=now))
        return Artifact(artifact.run_id, artifact.name, artifact.sha256, artifact.size, now)

    def list_artifacts(self, run_id: str) -> list[Artifact]:
        with self._read() as c:
            rows = c.execute(select(_artifacts).where(_artifacts.c.run_id == run_id).order_by(_artifacts.c.name))
            return [Artifact(r.run_id, r.name, r.sha256, r.size, r.created_at) for r in rows]

    def get_artifact(self, run_id: str, name: str) -> Artifact | None:
        with self._read() as c:
            r = c.execute(select(_artifacts).where(_artifacts.c.run_id == run_id, _artifacts.c.name == name)).first()
            return Artifact(r.run_id, r.name, r.sha256, r.size, r.created_at) if r else None


def _token(row: Any) -> ApiToken:
    t = row[0] if not hasattr(row, "id") else row
    return ApiToken(t.id, t.user, t.prefix, t.note, t.created_at, t.expires_at, t.revoked_at,
                    TokenScope(t.scope or TokenScope.WRITE.value), t.last_used_at)


def _project(row: Any) -> Project:
    return Project(name=row.name, owner=row.owner, description=row.description or "",
                   visibility=Visibility(row.visibility), created_at=row.created_at, updated_at=row.updated_at,
                   run_count=int(row.run_count or 0), id=int(row.id), tags=dict(row.tags or {}),
                   deleted_at=row.deleted_at)


class _Refused(Exception):
    """Posts of a group refused by the access check made with the claim (by index)."""

    def __init__(self, refused: dict[int, BaseException]) -> None:
        super().__init__(f"{len(refused)} post(s) refused")
        self.refused = refused


def _access_params(pairs: set[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """The runs and every principal of the callers of ``(run, user)`` pairs, sorted."""
    return sorted({r for r, _ in pairs}), sorted({p for _, u in pairs for p in principals(u)})


def _access_of(rows: Sequence[Any], pairs: set[tuple[str, str]]) -> dict[tuple[str, str], RunAccess | None]:
    """Each pair's :class:`RunAccess` from the rows of the group access query (run id, project
    name, owner, visibility, member and role: a row per member of the callers found, or one
    with none); None for a run not found."""
    names = {u: set(principals(u)) for _, u in pairs}
    by_run: dict[str, list[Any]] = {}
    for row in rows:
        by_run.setdefault(row.id, []).append(row)
    found: dict[tuple[str, str], RunAccess | None] = {}
    for run_id, user in pairs:
        got = by_run.get(run_id)
        if not got:
            found[(run_id, user)] = None
            continue
        roles = [r.role for r in got if r.role is not None and r.user in names[user]]
        found[(run_id, user)] = RunAccess(got[0].name, got[0].owner, Visibility(got[0].visibility), best_role(roles))
    return found


def _refusals(requests: Sequence[MetricRequest], found: dict[tuple[str, str], RunAccess | None]
              ) -> dict[int, BaseException]:
    """The posts whose ``authorize`` refuses their caller's access, by index, with the error."""
    refused: dict[int, BaseException] = {}
    for i, (run_id, _, _, user, authorize) in enumerate(requests):
        if authorize is not None:
            try:
                authorize(found.get((run_id, user)) if user is not None else None)
            except MLHubError as e:
                refused[i] = e
    return refused
