"""The model registry service: every operation takes the acting user and checks access here.

Training, evaluation and prediction run elsewhere (Dask workers, the serving code); this
service records what they produce and decides who may see or change it.
"""
from __future__ import annotations

import math
import uuid
from typing import Any, Protocol

from . import access, validation
from .cards import CARD_MODEL_TYPE, CARD_STATUS, CardFacts
from .entities import Holding, Member, Role
from .errors import ErrorCode, MLHubError, conflict, invalid, not_found, quoted
from .resources import Sharing, parse_visibility, resolve_version, version_ref
from .models import (DONE_STATES, JOB_KINDS, JOB_STATES, AliasMove, EvaluationRecord, Inference, Job, JobQuery,
                     Model, ModelQuery, ModelStore, ModelVersion, VersionQuery)

MAX_STATUS = 32
MAX_DESCRIPTION = 10_000


class Blobs(Protocol):
    def put_bytes(self, data: bytes) -> str: ...

    def read(self, digest: str) -> bytes: ...

    def size(self, digest: str) -> int: ...


class Users(Protocol):
    def ensure_user(self, name: str) -> None: ...


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (as numpy's default), without numpy."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


class ModelService:
    """Models, versions, stages, members, evaluations, jobs and inferences, seen as ``user``."""

    def __init__(self, store: ModelStore, users: Users, blobs: Blobs) -> None:
        self.store = store
        self.users = users
        self.blobs = blobs
        self.sharing: Sharing[Model] = Sharing("model", store.get_model, store, users)

    # access
    def _model_for(self, user: str, name: Any, needed: Role) -> Model:
        return self.sharing.get(user, name, needed)

    def _version_for(self, user: str, name: str, ref: Any, needed: Role = Role.READ,
                     with_evaluation: bool = True) -> ModelVersion:
        model = self._model_for(user, name, needed)
        number = resolve_version(version_ref(ref), model.latest_version, model.aliases, "model", name)
        got = self.store.get_version(name, number, with_evaluation) if number else None
        if got is None:
            raise not_found(f"version of model {quoted(name)}", ref if ref not in (None, "") else "latest")
        return got

    # catalogue
    def list_models(self, user: str, q: Any = None, tag: Any = None, stage: Any = None, model_type: Any = None,
                    developer: Any = None, owner: Any = None, limit: Any = None,
                    offset: Any = None) -> tuple[list[Model], int, dict[str, Any]]:
        lim, off = validation.check_paging(limit, offset)
        found, total = self.store.list_models(ModelQuery(user, q or None, tag or None, stage or None,
                                                         model_type or None, developer or None, owner or None,
                                                         lim, off))
        return self.sharing.with_roles(user, found), total, self.store.counts(user)

    def get_model(self, user: str, name: str) -> Model:
        return self._model_for(user, name, Role.READ)

    def update_model(self, user: str, name: str, patch: dict[str, Any]) -> Model:
        """Change ``description``, ``tags`` (edit role), ``visibility`` or ``name`` (manage role).

        A new ``name`` renames the model: its versions, stages, members, inferences and the jobs
        that name it follow. Raises ``conflict`` if the new name is taken, ``invalid`` for a
        name ML Hub does not accept, ``not_found``/``forbidden`` as for any model.
        """
        model = self._model_for(user, name, Role.MANAGE if {"visibility", "name"} & set(patch) else Role.EDIT)
        fields: dict[str, Any] = {}
        if "name" in patch and patch["name"] != name:
            fields["name"] = validation.check_name("model", patch["name"])
        if "description" in patch:
            fields["description"] = _text("description", patch["description"], MAX_DESCRIPTION)
        if "visibility" in patch:
            fields["visibility"] = parse_visibility(patch["visibility"])
        if "tags" in patch:
            fields["tags"] = validation.check_tags(patch["tags"])
        updated = self.store.update_model(name, fields)
        updated.role = model.role
        return updated

    def rename_model(self, user: str, name: str, new_name: Any) -> Model:
        """``update_model(user, name, {"name": new_name})``: manage role, conflict if taken."""
        return self.update_model(user, name, {"name": new_name})

    def delete_model(self, user: str, name: str) -> None:
        """Delete a model with every version, stage (and its history), member, evaluation and
        inference record; needs the manage role (as deleting a run does on its project).

        Raises ``not_found`` for a model the caller cannot see, ``forbidden`` below manage,
        ``conflict`` while one of its jobs is queued or running. The version files stay in the
        content-addressed blob store (another version, dataset or run may hold the same bytes).
        """
        self._model_for(user, name, Role.MANAGE)
        self.store.delete_model(name)

    # members
    def holdings(self, user: str) -> tuple[list[Holding], list[Holding]]:
        """Models ``user`` owns, and those shared with them or one of their groups."""
        return self.sharing.holdings(user)

    def list_members(self, user: str, name: str) -> list[Member]:
        """The owner, then every member of model ``name`` (read role)."""
        return self.sharing.list_members(user, name)

    def set_member(self, user: str, name: str, member: str, role: Any) -> Member:
        """Grant ``member`` (a user or ``group:<g>``) a role on model ``name`` (manage role)."""
        return self.sharing.set_member(user, name, member, role)

    def remove_member(self, user: str, name: str, member: str) -> None:
        """Revoke ``member``'s role on model ``name`` (manage role); ``not_found`` if they hold none."""
        self.sharing.remove_member(user, name, member)

    # versions
    def list_versions(self, user: str, name: str, include_archived: bool = False) -> list[ModelVersion]:
        self._model_for(user, name, Role.READ)
        return self.store.list_versions(name, include_archived)

    def page_versions(self, user: str, name: str, include_archived: bool = False, q: Any = None,
                      order: Any = None, limit: Any = None, offset: Any = None) -> tuple[list[ModelVersion], int]:
        """A page of the versions (read role) and how many match: ``order`` ``"desc"`` (newest
        first, the default) or ``"asc"`` by version number; ``q`` as in :class:`VersionQuery`;
        without ``limit`` every version from ``offset`` on (``limit`` 1-1000)."""
        self._model_for(user, name, Role.READ)
        if order not in (None, "", "desc", "asc"):
            raise invalid(f"order must be \"desc\" or \"asc\", not {quoted(order)}")
        lim = validation.check_int("limit", limit, 1, 1000) if limit not in (None, "") else None
        off = validation.check_int("offset", offset, 0) if offset not in (None, "") else 0
        if q is not None and (not isinstance(q, str) or len(q) > 256):
            raise invalid("q must be text of at most 256 characters")
        return self.store.page_versions(name, VersionQuery(include_archived, (q or "").strip() or None,
                                                            order != "asc", lim, off))

    def get_version(self, user: str, name: str, version: Any = None, with_evaluation: bool = True) -> ModelVersion:
        return self._version_for(user, name, version, with_evaluation=with_evaluation)

    def update_version(self, user: str, name: str, version: Any, patch: dict[str, Any]) -> ModelVersion:
        validation.only_keys(patch, {"description", "tags", "status", "developer", "published", "archived"},
                             "a model version update")
        v = self._version_for(user, name, version, Role.EDIT, with_evaluation=False)
        fields: dict[str, Any] = {}
        if "description" in patch:
            fields["description"] = _text("description", patch["description"], MAX_DESCRIPTION)
        if "tags" in patch:
            fields["tags"] = validation.check_tags(patch["tags"])
        if "status" in patch:
            status = _text("status", patch["status"], MAX_STATUS)
            if not status:
                raise invalid(f"status must be 1-{MAX_STATUS} characters")
            fields["status"] = status
        if "developer" in patch:
            fields["developer"] = _text("developer", patch["developer"], 128)
        for flag in ("published", "archived"):
            if flag in patch:
                if not isinstance(patch[flag], bool):
                    raise invalid(f"{flag} must be true or false")
                fields[flag] = patch[flag]
        if fields.get("archived") and v.stages:
            raise conflict(f"version {v.version} of model {quoted(name)} is the {', '.join(v.stages)} stage; "
                           "move the stage to another version before archiving it")
        return self.store.update_version(name, v.version, fields)

    def delete_version(self, user: str, name: str, version: Any) -> list[AliasMove]:
        """Delete one version (a number, not a stage) with its evaluations and inferences; needs
        the manage role, as deleting a run does. The stages that pointed at it are removed (each
        removal is in the stage history, and returned); its number is never given again.

        Raises ``invalid`` for a version that is not a positive number, ``not_found`` for a
        model or version the caller cannot see, ``forbidden`` below manage.
        """
        r = version_ref(version)
        if not isinstance(r, int):
            raise invalid(f"version must be a version number, not {quoted(version)}")
        self._model_for(user, name, Role.MANAGE)
        return self.store.delete_version(name, r, user)

    def create_model(self, user: str, name: Any, description: Any = "", tags: Any = None,
                     visibility: Any = "private") -> Model:
        """A new model owned by ``user`` with no versions yet (MLflow's create_registered_model);
        conflict if the name is taken (by anyone: names are global)."""
        validation.check_name("model", name)
        model = Model(name=name, owner=user, visibility=parse_visibility(visibility),
                      description=_text("description", description, MAX_DESCRIPTION),
                      tags=validation.check_tags(tags))
        self.users.ensure_user(user)
        created = self.store.create_model(model)
        created.role = Role.OWNER
        return created

    def add_version(self, user: str, version: ModelVersion) -> ModelVersion:
        """Store ``version`` (files already in the blob store) as the next version of the
        existing model ``version.model`` (edit role); the number is assigned by the store."""
        model = self._model_for(user, version.model, Role.EDIT)
        version.created_by = user
        return self.store.add_version(model, version)

    def set_version_spec(self, user: str, name: str, version: Any, key: str, value: Any) -> ModelVersion:
        """Set ``spec[key]`` of a version (edit role): what another client records about it
        (the MLflow API keeps its key/value tags and file list under ``spec["mlflow"]``)."""
        v = self._version_for(user, name, version, Role.EDIT, with_evaluation=False)
        spec = dict(v.spec)
        spec[key] = validation.check_mapping(f"spec.{key}", value)
        return self.store.update_version(name, v.version, {"spec": spec})

    def check_can_register(self, user: str, name: Any) -> Model | None:
        """Before queuing a job that will add a version to ``name``: the name is valid and,
        if the model exists, the caller may edit it. Returns the model if it exists."""
        validation.check_name("model", name)
        if self.store.get_model(name) is None:
            return None
        return self._model_for(user, name, Role.EDIT)

    def register_version(self, user: str, name: str, result: dict[str, Any], *, dataset: str | None = None,
                         dataset_version: int | None = None, target: str | None = None, run_id: str | None = None,
                         project: str | None = None, job_id: str | None = None, description: Any = "",
                         tags: Any = None, visibility: Any = "private") -> ModelVersion:
        """Store a training result (:func:`mlhub_ext.train.tasks.train_task`) as the next version."""
        self.check_can_register(user, name)
        tag_list = validation.check_tags(tags)
        model_bytes = result["model_bytes"]
        digest = self.blobs.put_bytes(model_bytes)
        self.users.ensure_user(user)
        version = ModelVersion(
            model=name, version=0, created_by=user, model_type=result["model_type"], artifact_sha256=digest,
            artifact_size=len(model_bytes), estimator=str(result.get("estimator_name") or ""),
            task=result.get("task"), param_count=int(result.get("param_count") or 0), developer=user,
            tags=tag_list, description=_text("description", description, MAX_DESCRIPTION),
            dataset_name=dataset, dataset_version=dataset_version, target=target, run_id=run_id, project=project,
            job_id=job_id, spec=result.get("spec") or {}, input_schema=result.get("input_schema") or [],
            classes=result.get("classes"), metrics=result.get("metrics") or {}, evaluation=result.get("evaluation"))
        model = Model(name=name, owner=user, visibility=parse_visibility(visibility), description=version.description,
                      tags=tag_list)
        return self.store.add_version(model, version)

    def import_card(self, user: str, facts: CardFacts, name: Any = None) -> tuple[ModelVersion, bool]:
        """Record a model card (:func:`mlhub_ext.data.cards.parse_card`) as a catalogue entry
        with no weights: the next version of ``name`` (default: the name the card gives),
        of model_type ``"card"`` with the card's developer, task, parameter count, tags,
        description and reported metrics, and the rest of the front matter in
        ``spec["card"]``. A new model is created private, owned by ``user``; on an existing
        one (``user`` needs edit) its description is replaced by the card's (when it has
        text) and its tags gain the card's, while earlier versions, stages and members stay.
        Returns ``(version, created)``; raises invalid when no name is given or valid.
        """
        if name in (None, ""):
            if not facts.name:
                raise invalid("the model card names no model (no model-index name or model_name in its front "
                              "matter): give the model a name")
            name = facts.name
            if not validation.NAME_RE.match(name):
                raise invalid(f"the model card names the model {quoted(name)}, which is not a valid model name "
                              "(1-128 letters, digits, '_', '.' or '-'): give the model a name")
        existing = self.check_can_register(user, name)
        tags = validation.check_tags(facts.tags)
        description = _text("description", facts.description, MAX_DESCRIPTION)
        self.users.ensure_user(user)
        version = ModelVersion(
            model=name, version=0, created_by=user, model_type=CARD_MODEL_TYPE, artifact_sha256="",
            estimator=facts.library[:256], task=facts.task, param_count=facts.param_count,
            developer=facts.developer[:128], tags=tags, status=CARD_STATUS, description=description,
            spec={"card": facts.card}, metrics=dict(facts.metrics))
        added = self.store.add_version(Model(name=name, owner=user, description=description, tags=tags), version)
        if existing is not None:
            fields: dict[str, Any] = {"tags": validation.check_tags(existing.tags + tags)}
            if description:
                fields["description"] = description
            self.store.update_model(name, fields)
        return added, existing is None

    @staticmethod
    def require_weights(version: ModelVersion) -> None:
        """Conflict for a version imported from a model card: it has no weights to load."""
        if version.model_type == CARD_MODEL_TYPE or not version.artifact_sha256:
            raise conflict(f"version {version.version} of model {quoted(version.model)} was imported from a model "
                           "card and has no weights; use a version or stage that was trained")

    def model_bytes(self, version: ModelVersion) -> bytes:
        """The stored model of ``version``; conflict for a version imported from a card (no weights)."""
        self.require_weights(version)
        return self.blobs.read(version.artifact_sha256)

    # evaluations
    def evaluation(self, user: str, name: str, version: Any) -> dict[str, Any]:
        v = self._version_for(user, name, version)
        return {"model": name, "version": v.version, "evaluation": v.evaluation,
                "evaluations": [e.to_json() for e in self.store.list_evaluations(name, v.version)]}

    def add_evaluation(self, user: str, name: str, version: int, dataset: str, dataset_version: int | None,
                       evaluation: dict[str, Any], job_id: str | None = None) -> EvaluationRecord:
        self._version_for(user, name, version, Role.EDIT, with_evaluation=False)
        return self.store.add_evaluation(EvaluationRecord(0, name, version, dataset, dataset_version, job_id, user,
                                                          evaluation))

    # stages
    def aliases(self, user: str, name: str, limit: Any = None) -> dict[str, Any]:
        self._model_for(user, name, Role.READ)
        lim, _ = validation.check_paging(limit, 0)
        return {"aliases": self.store.aliases(name),
                "history": [m.to_json() for m in self.store.alias_history(name, lim if limit else 100)]}

    def promote(self, user: str, name: str, stage: Any, version: Any) -> AliasMove:
        """Point ``stage`` at ``version`` (promotion or roll-back); every move is recorded."""
        validation.check_name("stage", stage)
        if isinstance(version, bool) or not isinstance(version, (int, str)) or \
                (isinstance(version, str) and not (version.isascii() and version.isdigit())):
            raise invalid(f'promotion needs {{"version": <number>}}, got {quoted(version)}')
        v = self._version_for(user, name, int(version), Role.EDIT, with_evaluation=False)
        if v.archived:
            raise conflict(f"version {v.version} of model {quoted(name)} is archived; unarchive it to promote it")
        return self.store.move_alias(name, stage, v.version, user)

    def remove_alias(self, user: str, name: str, stage: str) -> AliasMove:
        model = self._model_for(user, name, Role.EDIT)
        if stage not in model.aliases:
            raise not_found(f"stage of model {quoted(name)}", stage)
        return self.store.move_alias(name, stage, None, user)

    def serving_version(self, user: str, name: str, stage: Any = None, version: Any = None) -> tuple[ModelVersion, str | None]:
        """The version a prediction uses: ``version``, else ``stage``, else production if set, else latest.

        The model, its stages, the caller's role and the version are read in one transaction
        (this runs on every prediction, and a promotion racing it is seen whole or not at all).
        """
        if version not in (None, "") and stage not in (None, ""):
            raise invalid("give either 'stage' or 'version', not both")
        if not isinstance(name, str) or len(name) > 128:
            raise not_found("model", name)
        chosen: dict[str, Any] = {"stage": None}

        def pick(model: Model | None, member_role: Role | None) -> int:
            if model is None:
                raise not_found("model", name)
            model.role = access.require(model, user, member_role, Role.READ, noun="model")
            if version not in (None, ""):
                ref = version_ref(version)
                if isinstance(ref, str):
                    raise invalid(f"version must be a number or 'latest', not {quoted(version)}; use 'stage' for stages")
                return ref or model.latest_version
            named = stage
            if named in (None, ""):
                named = "production" if "production" in model.aliases else None
            elif not isinstance(named, str):
                raise invalid(f"stage must be a string, not {quoted(named)}")
            if named is not None and named not in model.aliases:
                raise not_found(f"stage of model {quoted(name)}", named)
            chosen["stage"] = named
            return model.aliases[named] if named is not None else model.latest_version

        got = self.store.serving_version(name, user, pick)
        if got is None:
            raise not_found(f"version of model {quoted(name)}", version or stage or "latest")
        return got, chosen["stage"]

    # inferences
    def record_inference(self, user: str, version: ModelVersion, stage: str | None, inputs: Any, outputs: Any,
                         latency_ms: float) -> Inference:
        return self.store.add_inference(Inference(0, version.model, version.version, user, inputs, outputs,
                                                  float(latency_ms), stage))

    def list_inferences(self, user: str, name: str, version: Any, limit: Any = None,
                        offset: Any = None) -> tuple[list[Inference], int]:
        lim, off = validation.check_paging(limit, offset, max_limit=10_000)
        v = self._version_for(user, name, version, with_evaluation=False)
        return self.store.list_inferences(name, v.version, lim, off)

    def report(self, user: str, name: str, version: Any) -> dict[str, Any]:
        v = self._version_for(user, name, version)
        stats = self.store.inference_stats(name, v.version)
        lat = stats["latencies"]
        return {"model": name, "version": v.version, "requests": len(lat), "users": stats["users"],
                "latency_ms": {"p50": percentile(lat, 50), "p95": percentile(lat, 95),
                               "mean": sum(lat) / len(lat) if lat else None, "max": max(lat) if lat else None},
                "first_at": stats["first_at"], "last_at": stats["last_at"], "per_day": stats["per_day"],
                "metrics": v.metrics, "evaluation": v.evaluation}

    # jobs
    def create_job(self, user: str, kind: str, *, model: str | None = None, version: int | None = None,
                   dataset: str | None = None, dataset_version: int | None = None, target: str | None = None,
                   spec: dict[str, Any] | None = None, parent: str | None = None, run_id: str | None = None,
                   project: str | None = None) -> Job:
        if kind not in JOB_KINDS:
            raise invalid(f"job kind must be one of {', '.join(JOB_KINDS)}")
        return self.store.create_job(Job(id=uuid.uuid4().hex, kind=kind, owner=user, model=model, version=version,
                                         dataset_name=dataset, dataset_version=dataset_version, target=target,
                                         spec=spec or {}, parent=parent, run_id=run_id, project=project))

    def _job_for(self, user: str, job_id: Any, needed: Role) -> Job:
        job = self.store.get_job(job_id) if isinstance(job_id, str) and len(job_id) <= 64 else None
        if job is None:
            raise not_found("job", job_id)
        if job.owner == user:
            return job
        model = self.store.get_model(job.model) if job.model else None
        if model is None:
            raise not_found("job", job_id)
        try:
            access.require(model, user, self.store.get_member_role(model.name, user), needed, noun="model",
                           what=f"job {quoted(job_id)}")
        except MLHubError as e:
            if e.code == ErrorCode.NOT_FOUND:
                raise not_found("job", job_id) from None
            raise
        return job

    def get_job(self, user: str, job_id: str) -> Job:
        return self._job_for(user, job_id, Role.READ)

    def check_abort(self, user: str, job_id: str) -> Job:
        job = self._job_for(user, job_id, Role.EDIT)
        if job.state in DONE_STATES:
            raise conflict(f"job {job_id} is already {job.state}")
        return job

    def list_jobs(self, user: str, state: Any = None, kind: Any = None, model: Any = None, parent: Any = None,
                  limit: Any = None, offset: Any = None) -> tuple[list[Job], int]:
        lim, off = validation.check_paging(limit, offset)
        if state and state not in JOB_STATES:
            raise invalid(f"state must be one of {', '.join(JOB_STATES)}")
        if kind and kind not in JOB_KINDS:
            raise invalid(f"kind must be one of {', '.join(JOB_KINDS)}")
        return self.store.list_jobs(JobQuery(user, state or None, kind or None, model or None, parent or None,
                                             lim, off))

    def run_links(self, user: str, run_id: str) -> dict[str, Any]:
        """What a run produced and used, as far as ``user`` may see it (the caller checks the run itself).

        ``{"model_versions": [version JSON...], "jobs": [job JSON...], "datasets": [{"name", "version",
        "via"}...]}``: versions trained in the run, the jobs that tracked their work in it, and the
        dataset versions those trained on (``via`` names the version or job), each listed once.
        """
        versions = self.store.versions_of_run(run_id, user)
        jobs, _ = self.store.list_jobs(JobQuery(user, run_id=run_id, limit=100))
        datasets: dict[tuple[str, int | None], str] = {}
        for v in versions:
            if v.dataset_name:
                datasets.setdefault((v.dataset_name, v.dataset_version), f"model {v.model} v{v.version}")
        for j in jobs:
            if j.dataset_name:
                datasets.setdefault((j.dataset_name, j.dataset_version), f"{j.kind} job {j.id[:8]}")
        return {"model_versions": [v.to_json() for v in versions], "jobs": [j.to_json() for j in jobs],
                "datasets": [{"name": n, "version": ver, "via": via} for (n, ver), via in datasets.items()]}

    def update_job(self, job_id: str, **fields: Any) -> Job:
        """Internal: the job runner records state, progress and results (no caller to check)."""
        return self.store.update_job(job_id, fields)


def _text(field: str, value: Any, max_len: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > max_len:
        raise invalid(f"{field} must be a string of at most {max_len} characters")
    return value

