"""The SQLAlchemy implementation of :class:`~mlhub_ext.core.models.ModelStore`.

It shares the engines of the registry's :class:`~.sqlstore.SqlStore`: SQLite writes begin
IMMEDIATE (one writer at a time), and on PostgreSQL version numbering and alias moves
take ``SELECT ... FOR UPDATE`` on the model's row, so two racing promotions serialise and
both land in the history.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from typing import Any, Callable, Iterator, Sequence

from sqlalchemy import Connection, Text, cast, delete, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from ..core.access import best_role, principals
from ..core.entities import Role, Visibility
from ..core.errors import conflict, not_found
from ..core.models import (AliasMove, EvaluationRecord, Inference, Job, JobQuery, Model, ModelQuery, ModelStore,
                           ModelVersion, VersionQuery)
from .members import SqlMembersMixin
from .orm import utcnow
from .orm_models import (AliasHistoryRow, InferenceRow, JobRow, ModelAliasRow, ModelEvaluationRow, ModelMemberRow,
                         ModelRow, ModelTagRow, ModelVersionRow)
from .sqlstore import SqlStore

_models, _members, _tags = ModelRow.__table__, ModelMemberRow.__table__, ModelTagRow.__table__
_versions, _aliases, _history = ModelVersionRow.__table__, ModelAliasRow.__table__, AliasHistoryRow.__table__
_evals, _jobs, _inf = ModelEvaluationRow.__table__, JobRow.__table__, InferenceRow.__table__
_SUMMARY = [c for c in _versions.c if c.name != "evaluation"]
_VERSION_FIELDS = ("description", "tags", "status", "developer", "published", "archived", "spec")
_JOB_FIELDS = ("state", "progress", "message", "model", "version", "run_id", "project", "result", "error",
               "finished_at", "spec")
_ACTIVE = ("queued", "running")


class SqlModelStore(SqlMembersMixin, ModelStore):
    _resources, _member_rows, _member_fk = _models, _members, "model_id"

    def __init__(self, sql: SqlStore) -> None:
        self.sql = sql

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.sql.read_engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.sql.write_engine.connect() as conn, conn.begin():
            yield conn

    @staticmethod
    def _id(c: Connection, name: str, lock: bool = False) -> int:
        q = select(_models.c.id).where(_models.c.name == name)
        got = c.execute(q.with_for_update() if lock else q).scalar()
        if got is None:
            raise not_found("model", name)
        return int(got)

    # models
    def _size_stats(self, c: Connection, ids: list[int]) -> dict[int, tuple[int, int]]:
        rows = c.execute(select(_versions.c.model_id, func.count(), func.sum(_versions.c.artifact_size))
                         .where(_versions.c.model_id.in_(ids)).group_by(_versions.c.model_id))
        return {r[0]: (r[1], r[2]) for r in rows}

    def _load(self, c: Connection, rows: Sequence[Any]) -> list[Model]:
        if not rows:
            return []
        ids = [r.id for r in rows]
        tags: dict[int, list[str]] = {}
        for t in c.execute(select(_tags).where(_tags.c.model_id.in_(ids)).order_by(_tags.c.position)):
            tags.setdefault(t.model_id, []).append(t.tag)
        aliases: dict[int, dict[str, int]] = {}
        for a in c.execute(select(_aliases).where(_aliases.c.model_id.in_(ids)).order_by(_aliases.c.stage)):
            aliases.setdefault(a.model_id, {})[a.stage] = a.version
        counts: dict[int, int] = {}
        highest: dict[int, int] = {}
        for mid, n, top in c.execute(select(_versions.c.model_id, func.count(), func.max(_versions.c.version))
                                     .where(_versions.c.model_id.in_(ids)).group_by(_versions.c.model_id)):
            counts[mid], highest[mid] = int(n), int(top)
        latest: dict[int, ModelVersion] = {}
        # The latest version is the highest one still there (models.latest_version is the last
        # number handed out, which a deleted version keeps from being reused).
        pairs = list(highest.items())
        names = {r.id: r.name for r in rows}
        if pairs:
            cond = or_(*[(_versions.c.model_id == i) & (_versions.c.version == v) for i, v in pairs])
            for v in c.execute(select(*_SUMMARY).where(cond)):
                latest[v.model_id] = _version(v, names[v.model_id], aliases.get(v.model_id, {}), False)
        return [Model(name=r.name, owner=r.owner, visibility=Visibility(r.visibility), description=r.description or "",
                      tags=tags.get(r.id, []), task=r.task, model_type=r.model_type, estimator=r.estimator,
                      developer=r.developer, latest_version=highest.get(r.id, 0), version_count=counts.get(r.id, 0),
                      aliases=aliases.get(r.id, {}), latest=latest.get(r.id), created_at=r.created_at,
                      updated_at=r.updated_at) for r in rows]

    def get_model(self, name: str) -> Model | None:
        with self._read() as c:
            row = c.execute(select(_models).where(_models.c.name == name)).first()
            return self._load(c, [row])[0] if row else None

    def list_models(self, query: ModelQuery) -> tuple[list[Model], int]:
        conds = []
        if query.readable_by is not None:
            conds.append(self._readable(query.readable_by))
        if query.q:
            like = f"%{query.q.lower()}%"
            tagged = exists().where(_tags.c.model_id == _models.c.id, func.lower(_tags.c.tag).like(like))
            conds.append(or_(func.lower(_models.c.name).like(like), func.lower(_models.c.description).like(like),
                             func.lower(_models.c.estimator).like(like), tagged))
        if query.tag:
            conds.append(exists().where(_tags.c.model_id == _models.c.id, _tags.c.tag == query.tag))
        if query.stage:
            conds.append(exists().where(_aliases.c.model_id == _models.c.id, _aliases.c.stage == query.stage))
        if query.model_type:
            conds.append(_models.c.model_type == query.model_type)
        if query.developer:
            conds.append(_models.c.developer == query.developer)
        if query.owner:
            conds.append(_models.c.owner == query.owner)
        with self._read() as c:
            total = c.execute(select(func.count()).select_from(_models).where(*conds)).scalar_one()
            rows = c.execute(select(_models).where(*conds).order_by(_models.c.updated_at.desc(), _models.c.name)
                             .limit(query.limit).offset(query.offset)).all()
            return self._load(c, rows), int(total)

    def counts(self, readable_by: str) -> dict[str, Any]:
        readable = self._readable(readable_by)
        ids = select(_models.c.id).where(readable)
        with self._read() as c:
            n_models = c.execute(select(func.count()).select_from(_models).where(readable)).scalar_one()
            n_versions = c.execute(select(func.count()).select_from(_versions)
                                   .where(_versions.c.model_id.in_(ids))).scalar_one()
            by_stage = dict(c.execute(select(_aliases.c.stage, func.count()).where(_aliases.c.model_id.in_(ids))
                                      .group_by(_aliases.c.stage)).all())
            by_type = dict(c.execute(select(_models.c.model_type, func.count()).where(readable)
                                     .group_by(_models.c.model_type)).all())
            names = select(_models.c.name).where(readable)
            jobs = dict(c.execute(select(_jobs.c.state, func.count())
                                  .where(or_(_jobs.c.owner == readable_by, _jobs.c.model.in_(names)),
                                         _jobs.c.parent.is_(None))
                                  .group_by(_jobs.c.state)).all())
        return {"models": int(n_models), "versions": int(n_versions),
                "by_stage": {k: int(v) for k, v in by_stage.items()},
                "by_type": {k: int(v) for k, v in by_type.items() if k},
                "jobs": {k: int(v) for k, v in jobs.items()}}

    def update_model(self, name: str, fields: dict[str, Any]) -> Model:
        values = {k: (Visibility(v).value if k == "visibility" else v) for k, v in fields.items() if k != "tags"}
        new_name = fields.get("name", name)
        try:
            with self._write() as c:
                mid = self._id(c, name, lock="name" in fields)
                if new_name != name:
                    if c.execute(select(_models.c.id).where(_models.c.name == new_name)).first() is not None:
                        raise conflict(f"model {new_name!r} already exists")
                    # Jobs name their model (members, aliases, versions, inferences hold its id).
                    c.execute(update(_jobs).where(_jobs.c.model == name).values(model=new_name))
                c.execute(update(_models).where(_models.c.id == mid).values(updated_at=utcnow(), **values))
                if "tags" in fields:
                    self._set_tags(c, mid, fields["tags"])
        except IntegrityError:  # a racing create took the new name between our check and the update
            raise conflict(f"model {new_name!r} already exists") from None
        got = self.get_model(new_name)
        assert got is not None
        return got

    def delete_model(self, name: str) -> None:
        with self._write() as c:
            mid = self._id(c, name, lock=True)
            busy = c.execute(select(_jobs.c.id).where(_jobs.c.model == name,
                                                      _jobs.c.state.in_(("queued", "running")))).scalars().all()
            if busy:
                raise conflict(f"model {name!r} has unfinished jobs ({', '.join(sorted(busy))}): abort them or wait "
                               "for them to finish before deleting it")
            for table in (_inf, _evals, _history, _aliases, _versions, _members, _tags):
                c.execute(delete(table).where(table.c.model_id == mid))
            # Finished jobs stay their owners' history; they no longer name a model a later
            # one of the same name would inherit them from.
            c.execute(update(_jobs).where(_jobs.c.model == name).values(model=None, version=None))
            c.execute(delete(_models).where(_models.c.id == mid))

    def delete_version(self, name: str, version: int, user: str) -> list[AliasMove]:
        now = utcnow()
        moves: list[AliasMove] = []
        with self._write() as c:
            mid = self._id(c, name, lock=True)  # serialises with numbering and alias moves
            gone = c.execute(delete(_versions).where(_versions.c.model_id == mid,
                                                     _versions.c.version == version)).rowcount
            if not gone:
                raise not_found(f"version of model {name!r}", version)
            stages = c.execute(select(_aliases.c.stage).where(_aliases.c.model_id == mid,
                                                              _aliases.c.version == version)
                               .order_by(_aliases.c.stage)).scalars().all()
            for stage in stages:
                hid = c.execute(insert(_history).values(model_id=mid, stage=stage, version=None, previous=version,
                                                        user=user, created_at=now)).inserted_primary_key[0]
                moves.append(AliasMove(int(hid), name, stage, None, version, user, now))
            for table in (_aliases, _inf, _evals):
                c.execute(delete(table).where(table.c.model_id == mid, table.c.version == version))
            # models.latest_version stays: it is the last number handed out, never reused.
            c.execute(update(_models).where(_models.c.id == mid).values(updated_at=now))
        return moves

    @staticmethod
    def _set_tags(c: Connection, mid: int, tags: list[str]) -> None:
        c.execute(delete(_tags).where(_tags.c.model_id == mid))
        for i, tag in enumerate(tags):
            c.execute(insert(_tags).values(model_id=mid, tag=tag, position=i))

    def create_model(self, model: Model) -> Model:
        now = utcnow()
        try:
            with self._write() as c:
                mid = c.execute(insert(_models).values(
                    name=model.name, owner=model.owner, description=model.description,
                    visibility=Visibility(model.visibility).value, latest_version=0, created_at=now,
                    updated_at=now)).inserted_primary_key[0]
                self._set_tags(c, mid, model.tags)
        except IntegrityError:
            raise conflict(f"model {model.name!r} already exists") from None
        got = self.get_model(model.name)
        assert got is not None
        return got

    # versions
    def add_version(self, model: Model, version: ModelVersion) -> ModelVersion:
        # A second try when the model appeared between our read and insert: number it again.
        retrying = Retrying(stop=stop_after_attempt(2), retry=retry_if_exception_type(IntegrityError), reraise=True)
        number = retrying(self._add_version, model, version)
        got = self.get_version(model.name, number, with_evaluation=False)
        assert got is not None
        return got

    def _add_version(self, model: Model, v: ModelVersion) -> int:
        now = utcnow()
        with self._write() as c:
            row = c.execute(select(_models.c.id, _models.c.latest_version).where(_models.c.name == model.name)
                            .with_for_update()).first()
            if row is None:
                mid = c.execute(insert(_models).values(
                    name=model.name, owner=model.owner, description=model.description,
                    visibility=Visibility(model.visibility).value, latest_version=0, created_at=now,
                    updated_at=now)).inserted_primary_key[0]
                self._set_tags(c, mid, model.tags)
                number = 1
            else:
                mid, number = row.id, row.latest_version + 1
            c.execute(insert(_versions).values(
                model_id=mid, version=number, created_by=v.created_by, created_at=now, model_type=v.model_type,
                estimator=v.estimator, task=v.task, param_count=v.param_count, developer=v.developer,
                tags=list(v.tags), status=v.status, description=v.description, published=v.published,
                archived=v.archived, dataset_name=v.dataset_name, dataset_version=v.dataset_version,
                target=v.target, run_id=v.run_id, project=v.project, job_id=v.job_id, spec=v.spec,
                input_schema=v.input_schema, classes=v.classes, metrics=v.metrics, evaluation=v.evaluation,
                artifact_sha256=v.artifact_sha256, artifact_size=v.artifact_size))
            c.execute(update(_models).where(_models.c.id == mid).values(
                latest_version=number, updated_at=now, task=v.task, model_type=v.model_type,
                estimator=v.estimator, developer=v.developer))
            return number

    def _stages(self, c: Connection, name: str) -> dict[str, int]:
        rows = c.execute(select(_aliases.c.stage, _aliases.c.version).join(_models, _models.c.id == _aliases.c.model_id)
                         .where(_models.c.name == name).order_by(_aliases.c.stage))
        return {r.stage: r.version for r in rows}

    def serving_version(self, name: str, user: str,
                        pick: Callable[[Model | None, Role | None], int]) -> ModelVersion | None:
        with self._read() as c:
            top = select(func.max(_versions.c.version)).where(_versions.c.model_id == _models.c.id).scalar_subquery()
            row = c.execute(
                select(_models.c.id, _models.c.owner, _models.c.visibility, top.label("latest_version"))
                .where(_models.c.name == name)).first()
            if row is None:
                pick(None, None)
                return None
            role = best_role(c.execute(select(_members.c.role).where(
                _members.c.model_id == row.id, _members.c.user.in_(principals(user)))).scalars().all())
            aliases = {a.stage: a.version for a in c.execute(
                select(_aliases.c.stage, _aliases.c.version).where(_aliases.c.model_id == row.id)
                .order_by(_aliases.c.stage))}
            model = Model(name=name, owner=row.owner, visibility=Visibility(row.visibility),
                          latest_version=row.latest_version or 0, aliases=aliases)
            number = pick(model, role)
            got = c.execute(select(*_SUMMARY).where(_versions.c.model_id == row.id,
                                                    _versions.c.version == number)).first()
            return _version(got, name, aliases, False) if got else None

    def get_version(self, name: str, version: int, with_evaluation: bool = True) -> ModelVersion | None:
        cols = list(_versions.c) if with_evaluation else _SUMMARY
        with self._read() as c:
            row = c.execute(select(*cols).join(_models, _models.c.id == _versions.c.model_id)
                            .where(_models.c.name == name, _versions.c.version == version)).first()
            return _version(row, name, self._stages(c, name), with_evaluation) if row else None

    def list_versions(self, name: str, include_archived: bool = False) -> list[ModelVersion]:
        with self._read() as c:
            q = (select(*_SUMMARY).join(_models, _models.c.id == _versions.c.model_id)
                 .where(_models.c.name == name).order_by(_versions.c.version.desc()))
            if not include_archived:
                q = q.where(_versions.c.archived.is_(False))
            stages = self._stages(c, name)
            return [_version(r, name, stages, False) for r in c.execute(q)]

    def page_versions(self, name: str, query: VersionQuery) -> tuple[list[ModelVersion], int]:
        with self._read() as c:
            conds = [_versions.c.model_id == self._id(c, name)]
            if not query.include_archived:
                conds.append(_versions.c.archived.is_(False))
            if query.q:
                needle = query.q.lower()   # '%' and '_' in it are plain characters (autoescape)
                text = [func.lower(col).contains(needle, autoescape=True) for col in (
                    cast(_versions.c.tags, Text), _versions.c.description, _versions.c.estimator,
                    _versions.c.developer, _versions.c.status)]
                number = query.q.strip().lower().removeprefix("v")
                if number.isdigit() and len(number) <= 9:
                    text.append(_versions.c.version == int(number))
                conds.append(or_(*text))
            total = c.execute(select(func.count()).select_from(_versions).where(*conds)).scalar_one()
            order = _versions.c.version.desc() if query.descending else _versions.c.version.asc()
            q = select(*_SUMMARY).where(*conds).order_by(order).offset(query.offset)
            if query.limit is not None:
                q = q.limit(query.limit)
            stages = self._stages(c, name)
            return [_version(r, name, stages, False) for r in c.execute(q)], int(total)

    def versions_of_run(self, run_id: str, readable_by: str) -> list[ModelVersion]:
        with self._read() as c:
            rows = c.execute(select(*_SUMMARY, _models.c.name.label("model_name"))
                             .join(_models, _models.c.id == _versions.c.model_id)
                             .where(_versions.c.run_id == run_id, self._readable(readable_by))
                             .order_by(_versions.c.created_at.desc(), _versions.c.version.desc())).all()
            stages = {name: self._stages(c, name) for name in {r.model_name for r in rows}}
            return [_version(r, r.model_name, stages[r.model_name], False) for r in rows]

    def update_version(self, name: str, version: int, fields: dict[str, Any]) -> ModelVersion:
        values = {k: v for k, v in fields.items() if k in _VERSION_FIELDS}
        with self._write() as c:
            mid = self._id(c, name)
            where = (_versions.c.model_id == mid, _versions.c.version == version)
            # An empty patch changes nothing (an UPDATE with no SET clause is not SQL).
            done = (c.execute(update(_versions).where(*where).values(**values)).rowcount if values else
                    c.execute(select(_versions.c.version).where(*where)).first() is not None)
            if not done:
                raise not_found(f"version of model {name!r}", version)
            c.execute(update(_models).where(_models.c.id == mid).values(updated_at=utcnow()))
        got = self.get_version(name, version, with_evaluation=False)
        assert got is not None
        return got

    # aliases
    def move_alias(self, name: str, stage: str, version: int | None, user: str) -> AliasMove:
        now = utcnow()
        with self._write() as c:
            mid = self._id(c, name, lock=True)  # serialises moves of this model's aliases
            previous = c.execute(select(_aliases.c.version).where(_aliases.c.model_id == mid,
                                                                  _aliases.c.stage == stage)).scalar()
            if version is None:
                c.execute(delete(_aliases).where(_aliases.c.model_id == mid, _aliases.c.stage == stage))
            elif previous is None:
                c.execute(insert(_aliases).values(model_id=mid, stage=stage, version=version, updated_by=user,
                                                  updated_at=now))
            else:
                c.execute(update(_aliases).where(_aliases.c.model_id == mid, _aliases.c.stage == stage)
                          .values(version=version, updated_by=user, updated_at=now))
            hid = c.execute(insert(_history).values(model_id=mid, stage=stage, version=version, previous=previous,
                                                    user=user, created_at=now)).inserted_primary_key[0]
            c.execute(update(_models).where(_models.c.id == mid).values(updated_at=now))
        return AliasMove(int(hid), name, stage, version, previous, user, now)

    def aliases(self, name: str) -> dict[str, int]:
        with self._read() as c:
            return self._stages(c, name)

    def alias_history(self, name: str, limit: int = 100) -> list[AliasMove]:
        with self._read() as c:
            mid = self._id(c, name)
            rows = c.execute(select(_history).where(_history.c.model_id == mid)
                             .order_by(_history.c.id.desc()).limit(limit))
            return [AliasMove(r.id, name, r.stage, r.version, r.previous, r.user, r.created_at) for r in rows]

    # evaluations
    def add_evaluation(self, record: EvaluationRecord) -> EvaluationRecord:
        now = utcnow()
        with self._write() as c:
            mid = self._id(c, record.model)
            rid = c.execute(insert(_evals).values(
                model_id=mid, version=record.version, dataset_name=record.dataset_name,
                dataset_version=record.dataset_version, job_id=record.job_id, created_by=record.created_by,
                created_at=now, evaluation=record.evaluation)).inserted_primary_key[0]
        record.id, record.created_at = int(rid), now
        return record

    def list_evaluations(self, name: str, version: int) -> list[EvaluationRecord]:
        with self._read() as c:
            mid = self._id(c, name)
            rows = c.execute(select(_evals).where(_evals.c.model_id == mid, _evals.c.version == version)
                             .order_by(_evals.c.id))
            return [EvaluationRecord(r.id, name, r.version, r.dataset_name, r.dataset_version, r.job_id,
                                     r.created_by, r.evaluation, r.created_at) for r in rows]

    # jobs
    def create_job(self, job: Job) -> Job:
        now = utcnow()
        with self._write() as c:
            self.sql._ensure_user(c, job.owner)
            c.execute(insert(_jobs).values(
                id=job.id, kind=job.kind, state=job.state, progress=job.progress, message=job.message,
                owner=job.owner, model=job.model, version=job.version, dataset_name=job.dataset_name,
                dataset_version=job.dataset_version, target=job.target, run_id=job.run_id, project=job.project,
                spec=job.spec, parent=job.parent, result=job.result, error=job.error, created_at=now,
                updated_at=now))
        got = self.get_job(job.id)
        assert got is not None
        return got

    def get_job(self, job_id: str) -> Job | None:
        with self._read() as c:
            row = c.execute(select(_jobs).where(_jobs.c.id == job_id)).first()
            return _job(row) if row else None

    def update_job(self, job_id: str, fields: dict[str, Any]) -> Job:
        values = {k: v for k, v in fields.items() if k in _JOB_FIELDS}
        with self._write() as c:
            done = c.execute(update(_jobs).where(_jobs.c.id == job_id).values(updated_at=utcnow(), **values)).rowcount
            if not done:
                raise not_found("job", job_id)
        got = self.get_job(job_id)
        assert got is not None
        return got

    def list_jobs(self, query: JobQuery) -> tuple[list[Job], int]:
        conds = []
        if query.visible_to is not None:
            names = select(_models.c.name).where(self._readable(query.visible_to))
            conds.append(or_(_jobs.c.owner == query.visible_to, _jobs.c.model.in_(names)))
        for col, value in ((_jobs.c.state, query.state), (_jobs.c.kind, query.kind), (_jobs.c.model, query.model),
                           (_jobs.c.parent, query.parent), (_jobs.c.run_id, query.run_id)):
            if value:
                conds.append(col == value)
        with self._read() as c:
            total = c.execute(select(func.count()).select_from(_jobs).where(*conds)).scalar_one()
            rows = c.execute(select(_jobs).where(*conds).order_by(_jobs.c.created_at.desc(), _jobs.c.id)
                             .limit(query.limit).offset(query.offset))
            return [_job(r) for r in rows], int(total)

    def fail_unfinished_jobs(self, message: str) -> int:
        now = utcnow()
        with self._write() as c:
            return c.execute(update(_jobs).where(_jobs.c.state.in_(("queued", "running")))
                             .values(state="failed", error=message, updated_at=now, finished_at=now)).rowcount

    # leases: which replica follows a job (see services/jobs.py)
    def claim_job(self, job_id: str, owner: str, until: datetime) -> bool:
        with self._write() as c:
            return bool(c.execute(update(_jobs).where(
                _jobs.c.id == job_id, _jobs.c.state.in_(_ACTIVE),
                or_(_jobs.c.lease_owner.is_(None), _jobs.c.lease_owner == owner))
                .values(lease_owner=owner, lease_until=until)).rowcount)

    def renew_job_leases(self, owner: str, until: datetime) -> set[str]:
        with self._write() as c:
            rows = c.execute(update(_jobs).where(_jobs.c.lease_owner == owner, _jobs.c.state.in_(_ACTIVE))
                             .values(lease_until=until).returning(_jobs.c.id))
            return {r[0] for r in rows}

    def update_held_job(self, job_id: str, owner: str, fields: dict[str, Any]) -> Job | None:
        values = {k: v for k, v in fields.items() if k in _JOB_FIELDS}
        with self._write() as c:
            done = c.execute(update(_jobs).where(_jobs.c.id == job_id, _jobs.c.lease_owner == owner,
                                                 _jobs.c.state.in_(_ACTIVE))
                             .values(updated_at=utcnow(), **values)).rowcount
        return self.get_job(job_id) if done else None

    def end_unheld_job(self, job_id: str, fields: dict[str, Any]) -> Job | None:
        values = {k: v for k, v in fields.items() if k in _JOB_FIELDS}
        with self._write() as c:
            done = c.execute(update(_jobs).where(_jobs.c.id == job_id, _jobs.c.state.in_(_ACTIVE))
                             .values(updated_at=utcnow(), **values)).rowcount
        return self.get_job(job_id) if done else None

    def fail_expired_jobs(self, message: str, now: datetime, grace_before: datetime) -> list[Job]:
        expired = or_(_jobs.c.lease_until < now,
                      _jobs.c.lease_until.is_(None) & (_jobs.c.updated_at < grace_before))
        with self._write() as c:
            ids = [r[0] for r in c.execute(update(_jobs).where(_jobs.c.state.in_(_ACTIVE), expired).values(
                state="failed", error=message, message=message, updated_at=now, finished_at=now)
                .returning(_jobs.c.id))]
        return [j for j in (self.get_job(i) for i in ids) if j is not None]

    # inferences
    def add_inference(self, inference: Inference) -> Inference:
        now = utcnow()
        with self._write() as c:
            mid = self._id(c, inference.model)
            iid = c.execute(insert(_inf).values(
                model_id=mid, version=inference.version, stage=inference.stage, user=inference.user,
                inputs=inference.inputs, outputs=inference.outputs, latency_ms=inference.latency_ms,
                created_at=now)).inserted_primary_key[0]
        inference.id, inference.created_at = int(iid), now
        return inference

    def list_inferences(self, name: str, version: int, limit: int, offset: int) -> tuple[list[Inference], int]:
        with self._read() as c:
            mid = self._id(c, name)
            cond = (_inf.c.model_id == mid) & (_inf.c.version == version)
            total = c.execute(select(func.count()).select_from(_inf).where(cond)).scalar_one()
            rows = c.execute(select(_inf).where(cond).order_by(_inf.c.id.desc()).limit(limit).offset(offset))
            return [Inference(r.id, name, r.version, r.user, r.inputs, r.outputs, r.latency_ms, r.stage,
                              r.created_at) for r in rows], int(total)

    def inference_stats(self, name: str, version: int) -> dict[str, Any]:
        with self._read() as c:
            mid = self._id(c, name)
            rows = c.execute(select(_inf.c.latency_ms, _inf.c.user, _inf.c.created_at)
                             .where(_inf.c.model_id == mid, _inf.c.version == version)).all()
        per_day: dict[str, int] = {}
        for r in rows:
            day = r.created_at.date().isoformat()
            per_day[day] = per_day.get(day, 0) + 1
        stamps: list[datetime] = [r.created_at for r in rows]
        return {"latencies": [float(r.latency_ms) for r in rows], "users": len({r.user for r in rows}),
                "first_at": min(stamps) if stamps else None, "last_at": max(stamps) if stamps else None,
                "per_day": [{"date": d, "requests": n} for d, n in sorted(per_day.items())]}


def _version(row: Any, name: str, stages: dict[str, int], with_evaluation: bool) -> ModelVersion:
    return ModelVersion(
        model=name, version=row.version, created_by=row.created_by, model_type=row.model_type,
        artifact_sha256=row.artifact_sha256, artifact_size=int(row.artifact_size), estimator=row.estimator,
        task=row.task, param_count=int(row.param_count), developer=row.developer, tags=list(row.tags or []),
        status=row.status, description=row.description or "", published=bool(row.published),
        archived=bool(row.archived), dataset_name=row.dataset_name, dataset_version=row.dataset_version,
        target=row.target, run_id=row.run_id, project=row.project, job_id=row.job_id, spec=row.spec or {},
        input_schema=list(row.input_schema or []), classes=row.classes, metrics=row.metrics or {},
        evaluation=row.evaluation if with_evaluation else None,
        stages=sorted(s for s, v in stages.items() if v == row.version), created_at=row.created_at)


def _job(r: Any) -> Job:
    return Job(id=r.id, kind=r.kind, owner=r.owner, state=r.state, progress=float(r.progress or 0.0),
               message=r.message or "", model=r.model, version=r.version, dataset_name=r.dataset_name,
               dataset_version=r.dataset_version, target=r.target, run_id=r.run_id, project=r.project,
               spec=r.spec or {}, parent=r.parent, result=r.result, error=r.error, created_at=r.created_at,
               updated_at=r.updated_at, finished_at=r.finished_at)


def open_models(registry: Any) -> Any:
    """The model service over a registry's database and blob store."""
    from ..core.errors import ErrorCode, MLHubError
    from ..core.model_service import ModelService

    if registry.blobs is None:
        raise MLHubError(ErrorCode.UNAVAILABLE, "models need an artifact store (artifact_root)")
    store = registry.store
    assert isinstance(store, SqlStore)
    return ModelService(SqlModelStore(store), store, registry.blobs)
