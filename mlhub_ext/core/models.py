"""Models: entities and the store contract of the model registry.

A model has an owner, a visibility and members exactly like a project (the policy in
:mod:`.access` applies unchanged). Its versions are numbered 1, 2, 3... per model; each
keeps its artifact (a blob by sha256), spec, input schema, the dataset version and run it
came from, its evaluation and catalogue metadata. Stages are aliases that move between
versions; every move is kept in the alias history. Jobs (train, evaluate, sweep) and
inference records live here too, so they outlive the notebook that started them.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Sequence

from .entities import Holding, Member, Role, Visibility, iso

JOB_KINDS = ("train", "evaluate", "sweep")
JOB_STATES = ("queued", "running", "finished", "failed", "aborted")
DONE_STATES = ("finished", "failed", "aborted")
DEFAULT_STAGES = ("dev", "staging", "production")


@dataclass
class ModelVersion:
    """One version; ``evaluation`` is None in listings (it can be large)."""

    model: str
    version: int
    created_by: str
    model_type: str
    artifact_sha256: str
    artifact_size: int = 0
    estimator: str = ""
    task: str | None = None
    param_count: int = 0
    developer: str = ""
    tags: list[str] = field(default_factory=list)
    status: str = "ready"
    description: str = ""
    published: bool = False
    archived: bool = False
    dataset_name: str | None = None
    dataset_version: int | None = None
    target: str | None = None
    run_id: str | None = None
    project: str | None = None
    job_id: str | None = None
    spec: dict[str, Any] = field(default_factory=dict)
    input_schema: list[dict[str, Any]] = field(default_factory=list)
    classes: list[Any] | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    evaluation: dict[str, Any] | None = None
    stages: list[str] = field(default_factory=list)
    created_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        out = {
            "model": self.model, "version": self.version, "created_by": self.created_by,
            "created_at": iso(self.created_at), "model_type": self.model_type, "estimator": self.estimator,
            "task": self.task, "param_count": self.param_count, "developer": self.developer,
            "tags": list(self.tags), "status": self.status, "description": self.description,
            "published": self.published, "archived": self.archived, "stages": list(self.stages),
            "dataset": {"name": self.dataset_name, "version": self.dataset_version} if self.dataset_name else None,
            "target": self.target, "run_id": self.run_id, "project": self.project, "job_id": self.job_id,
            "spec": self.spec, "input_schema": self.input_schema, "classes": self.classes,
            "metrics": self.metrics, "artifact": {"sha256": self.artifact_sha256, "size": self.artifact_size},
        }
        if self.evaluation is not None:
            out["evaluation"] = self.evaluation
        return out


@dataclass
class Model:
    name: str
    owner: str
    visibility: Visibility = Visibility.PRIVATE
    description: str = ""
    tags: list[str] = field(default_factory=list)
    task: str | None = None
    model_type: str = ""
    estimator: str = ""
    developer: str = ""
    latest_version: int = 0
    version_count: int = 0
    aliases: dict[str, int] = field(default_factory=dict)
    latest: ModelVersion | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    role: Role | None = None  # the caller's role, filled in by the service

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "owner": self.owner, "visibility": Visibility(self.visibility).value,
            "description": self.description, "tags": list(self.tags), "task": self.task,
            "model_type": self.model_type, "estimator": self.estimator, "developer": self.developer,
            "latest_version": self.latest_version, "version_count": self.version_count,
            "aliases": dict(self.aliases), "latest": self.latest.to_json() if self.latest else None,
            "created_at": iso(self.created_at), "updated_at": iso(self.updated_at),
            "role": self.role.value if self.role else None,
        }


@dataclass
class AliasMove:
    """One move of a stage: to ``version`` (None: the alias was removed) from ``previous``."""

    id: int
    model: str
    stage: str
    version: int | None
    previous: int | None
    user: str
    created_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "model": self.model, "stage": self.stage, "version": self.version,
                "previous": self.previous, "user": self.user, "created_at": iso(self.created_at)}


@dataclass
class EvaluationRecord:
    """An evaluation of a version on another dataset (the training holdout is on the version)."""

    id: int
    model: str
    version: int
    dataset_name: str
    dataset_version: int | None
    job_id: str | None
    created_by: str
    evaluation: dict[str, Any]
    created_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "model": self.model, "version": self.version,
                "dataset": {"name": self.dataset_name, "version": self.dataset_version}, "job_id": self.job_id,
                "created_by": self.created_by, "created_at": iso(self.created_at), "evaluation": self.evaluation}


@dataclass
class Job:
    id: str
    kind: str
    owner: str
    state: str = "queued"
    progress: float = 0.0
    message: str = ""
    model: str | None = None
    version: int | None = None
    dataset_name: str | None = None
    dataset_version: int | None = None
    target: str | None = None
    run_id: str | None = None
    project: str | None = None
    spec: dict[str, Any] = field(default_factory=dict)
    parent: str | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.state in DONE_STATES

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "state": self.state, "progress": self.progress,
            "message": self.message, "owner": self.owner, "model": self.model, "version": self.version,
            "dataset": {"name": self.dataset_name, "version": self.dataset_version} if self.dataset_name else None,
            "target": self.target, "run_id": self.run_id, "project": self.project, "spec": self.spec,
            "parent": self.parent, "result": self.result, "error": self.error,
            "created_at": iso(self.created_at), "updated_at": iso(self.updated_at),
            "finished_at": iso(self.finished_at),
        }


@dataclass
class Inference:
    id: int
    model: str
    version: int
    user: str
    inputs: Any
    outputs: Any
    latency_ms: float
    stage: str | None = None
    created_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "model": self.model, "version": self.version, "stage": self.stage,
                "inputs": self.inputs, "outputs": self.outputs, "latency_ms": self.latency_ms,
                "user": self.user, "created_at": iso(self.created_at)}


@dataclass
class ModelQuery:
    readable_by: str | None = None
    q: str | None = None
    tag: str | None = None
    stage: str | None = None
    model_type: str | None = None
    developer: str | None = None
    owner: str | None = None
    limit: int = 50
    offset: int = 0


@dataclass
class VersionQuery:
    """A page of one model's versions (``ModelStore.page_versions``).

    ``q``: text found (case-insensitive) in a version's tags, description, estimator,
    developer or status, or a version number (``"12"``, ``"v12"``) matched exactly.
    ``limit`` None: every version from ``offset`` on."""
    include_archived: bool = False
    q: str | None = None
    descending: bool = True          # by version number
    limit: int | None = None
    offset: int = 0


@dataclass
class JobQuery:
    visible_to: str | None = None   # jobs this user owns, or on models they may read
    state: str | None = None
    kind: str | None = None
    model: str | None = None
    parent: str | None = None
    limit: int = 50
    offset: int = 0
    run_id: str | None = None       # jobs that tracked their work in this run


class ModelStore(ABC):
    """Persistence of models, versions, aliases, members, evaluations, jobs and inferences.

    One transaction per call. Version numbers and alias moves are assigned under a lock
    on the model's row, so concurrent writers serialise per model.
    """

    @abstractmethod
    def get_model(self, name: str) -> Model | None: ...

    @abstractmethod
    def list_models(self, query: ModelQuery) -> tuple[list[Model], int]: ...

    @abstractmethod
    def counts(self, readable_by: str) -> dict[str, Any]:
        """Dashboard counts over the models ``readable_by`` may read."""

    @abstractmethod
    def update_model(self, name: str, fields: dict[str, Any]) -> Model:
        """Change ``description``, ``visibility``, ``tags`` and ``name`` (a rename: the model's
        versions, aliases, members, history and inferences follow, and so do the jobs that name
        it); conflict if the new name is taken. Returns the model under its (new) name."""

    @abstractmethod
    def delete_model(self, name: str) -> None:
        """Delete the model with its versions, aliases and their history, members, tags,
        evaluations and inferences; its finished jobs stay, no longer naming it. Conflict while
        one of its jobs is queued or running. Blobs stay (content-addressed, maybe shared)."""

    @abstractmethod
    def delete_version(self, name: str, version: int, user: str) -> list[AliasMove]:
        """Delete one version with its evaluations and inferences; the aliases that pointed at
        it are removed and each removal recorded (by ``user``) in the stage history, returned.
        Its number is never handed out again. ``not_found`` if there is no such version."""

    @abstractmethod
    def create_model(self, model: Model) -> Model:
        """Create ``model`` with no versions yet (MLflow's registered model before its first
        version); conflict if the name is taken."""

    @abstractmethod
    def add_version(self, model: Model, version: ModelVersion) -> ModelVersion:
        """Store ``version`` as the next version of ``model.name`` (created from ``model``
        if it does not exist yet); the number is assigned here."""

    @abstractmethod
    def serving_version(self, name: str, user: str,
                        pick: Callable[[Model | None, Role | None], int]) -> ModelVersion | None:
        """What a prediction needs, in one read transaction: the model (owner, visibility,
        latest version and aliases only; None if there is none) and ``user``'s member role
        go to ``pick``, which checks access and returns the version number (or raises);
        then that version, without its evaluation (None if it does not exist)."""

    @abstractmethod
    def get_version(self, name: str, version: int, with_evaluation: bool = True) -> ModelVersion | None: ...

    @abstractmethod
    def list_versions(self, name: str, include_archived: bool = False) -> list[ModelVersion]: ...

    @abstractmethod
    def page_versions(self, name: str, query: VersionQuery) -> tuple[list[ModelVersion], int]:
        """One page of ``name``'s versions (without evaluations) ordered by version number,
        and how many match ``query`` in all; raises not_found for an unknown model."""

    @abstractmethod
    def update_version(self, name: str, version: int, fields: dict[str, Any]) -> ModelVersion: ...

    @abstractmethod
    def versions_of_run(self, run_id: str, readable_by: str) -> list[ModelVersion]:
        """Versions (without evaluations) whose training was tracked in ``run_id``, on models
        ``readable_by`` may read, newest first."""

    @abstractmethod
    def move_alias(self, name: str, stage: str, version: int | None, user: str) -> AliasMove:
        """Point ``stage`` at ``version`` (None removes it) and record the move, atomically."""

    @abstractmethod
    def aliases(self, name: str) -> dict[str, int]: ...

    @abstractmethod
    def alias_history(self, name: str, limit: int = 100) -> list[AliasMove]: ...

    @abstractmethod
    def get_member_role(self, name: str, user: str) -> Role | None: ...

    @abstractmethod
    def member_roles(self, names: Sequence[str], user: str) -> dict[str, Role]: ...

    @abstractmethod
    def set_member(self, name: str, user: str, role: Role, granted_by: str | None = None) -> Member:
        """Grant ``role`` to ``user`` (a user or ``group:<name>``); a new or changed role records
        the time (UTC) and ``granted_by``, the same role again keeps the first grant's."""

    @abstractmethod
    def remove_member(self, name: str, user: str) -> bool: ...

    @abstractmethod
    def list_members(self, name: str) -> list[Member]: ...

    @abstractmethod
    def holdings(self, user: str) -> tuple[list[Holding], list[Holding]]:
        """``(owned, shared)`` models of ``user`` with version counts and stored bytes."""

    @abstractmethod
    def add_evaluation(self, record: EvaluationRecord) -> EvaluationRecord: ...

    @abstractmethod
    def list_evaluations(self, name: str, version: int) -> list[EvaluationRecord]: ...

    @abstractmethod
    def create_job(self, job: Job) -> Job: ...

    @abstractmethod
    def get_job(self, job_id: str) -> Job | None: ...

    @abstractmethod
    def update_job(self, job_id: str, fields: dict[str, Any]) -> Job: ...

    @abstractmethod
    def list_jobs(self, query: JobQuery) -> tuple[list[Job], int]: ...

    @abstractmethod
    def fail_unfinished_jobs(self, message: str) -> int:
        """Mark every queued or running job failed with ``message``; how many were."""

    # Leases, for several registry replicas on one database (the SQL store implements them).
    @abstractmethod
    def claim_job(self, job_id: str, owner: str, until: datetime) -> bool:
        """Make replica ``owner`` the follower of a queued or running job until ``until``
        (unless another replica holds it); whether it now does."""

    @abstractmethod
    def renew_job_leases(self, owner: str, until: datetime) -> set[str]:
        """Extend the leases of ``owner``'s queued and running jobs; the ids it still holds
        (a job ended or failed by another replica is no longer among them)."""

    @abstractmethod
    def update_held_job(self, job_id: str, owner: str, fields: dict[str, Any]) -> Job | None:
        """:meth:`update_job` only while ``owner`` holds the job and it is queued or running;
        None when it no longer does (then nothing is written)."""

    @abstractmethod
    def end_unheld_job(self, job_id: str, fields: dict[str, Any]) -> Job | None:
        """Write ``fields`` (an end state) on a job that is still queued or running, whoever
        follows it (an abort that reached another replica); None when it had already ended."""

    @abstractmethod
    def fail_expired_jobs(self, message: str, now: datetime, grace_before: datetime) -> list[Job]:
        """Mark failed, with ``message``, the queued or running jobs whose lease ended before
        ``now`` (rows without a lease: last updated before ``grace_before``); those jobs."""

    @abstractmethod
    def add_inference(self, inference: Inference) -> Inference: ...

    @abstractmethod
    def list_inferences(self, name: str, version: int, limit: int, offset: int) -> tuple[list[Inference], int]: ...

    @abstractmethod
    def inference_stats(self, name: str, version: int) -> dict[str, Any]:
        """``{"latencies": [ms...], "users": n, "first_at", "last_at", "per_day": [{date, requests}]}``."""
