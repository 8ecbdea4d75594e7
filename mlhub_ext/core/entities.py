"""Plain dataclasses the registry hands around. No ORM rows ever leave the store."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any


class Visibility(str, Enum):
    PRIVATE = "private"
    PUBLIC = "public"


class Role(str, Enum):
    """A member's role on a project; ordered read < edit < manage < owner."""

    READ = "read"
    EDIT = "edit"
    MANAGE = "manage"
    OWNER = "owner"

    @property
    def rank(self) -> int:
        return _ROLE_RANK[self]

    def allows(self, needed: "Role") -> bool:
        return self.rank >= needed.rank


_ROLE_RANK = {Role.READ: 1, Role.EDIT: 2, Role.MANAGE: 3, Role.OWNER: 4}


class RunStatus(str, Enum):
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    KILLED = "killed"


def iso(ts: datetime | None) -> str | None:
    return ts.isoformat().replace("+00:00", "Z") if ts else None


@dataclass
class User:
    name: str
    created_at: datetime | None = None


@dataclass
class Project:
    name: str
    owner: str
    description: str = ""
    visibility: Visibility = Visibility.PRIVATE
    created_at: datetime | None = None
    updated_at: datetime | None = None
    run_count: int = 0
    role: Role | None = None  # the caller's role, filled in by the registry service
    id: int | None = None     # the store's stable number (MLflow's experiment id); not in to_json
    tags: dict[str, str] = field(default_factory=dict)   # MLflow's experiment tags; not in to_json
    deleted_at: datetime | None = None   # MLflow's soft delete (lifecycle "deleted"); not in to_json

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "owner": self.owner,
            "description": self.description,
            "visibility": Visibility(self.visibility).value,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "run_count": self.run_count,
            "role": self.role.value if self.role else None,
        }


@dataclass
class Member:
    """A role on a shared resource: ``resource`` is the name of the ``kind`` (``"project"``,
    ``"dataset"`` or ``"model"``); ``user`` a user name or ``group:<hub group>``.

    JSON: ``{<kind>: resource, "user", "role"}``, e.g. ``{"dataset": "iris", "user": "bob", "role": "read"}``.
    """

    resource: str
    user: str
    role: Role
    kind: str = "project"

    @property
    def project(self) -> str:
        """The resource's name (the field's name before datasets and models had members too)."""
        return self.resource

    def to_json(self) -> dict[str, Any]:
        return {self.kind: self.resource, "user": self.user, "role": Role(self.role).value}


@dataclass
class Run:
    id: str
    project: str
    owner: str
    name: str
    status: RunStatus = RunStatus.RUNNING
    params: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    notes: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    finished_at: datetime | None = None
    latest_metrics: dict[str, float] = field(default_factory=dict)
    last_seq: int = 0
    status_reason: str = ""      # what ended the run: "kernel shut down", "ValueError: ...", ...
    stop_requested: bool = False  # POST /runs/{id}/stop was called; the SDK ends the loop

    def to_json(self) -> dict[str, Any]:
        from .numbers import encode_value

        # Built by hand: dataclasses.asdict deep-copies every value, which dominated
        # the time to list a thousand runs.
        return {
            "id": self.id, "project": self.project, "owner": self.owner, "name": self.name,
            "status": self.status.value if isinstance(self.status, RunStatus) else RunStatus(self.status).value,
            "params": self.params, "tags": self.tags, "summary": self.summary, "provenance": self.provenance,
            "notes": self.notes, "created_at": iso(self.created_at), "updated_at": iso(self.updated_at),
            "finished_at": iso(self.finished_at),
            "latest_metrics": {k: encode_value(v) for k, v in self.latest_metrics.items()},
            "last_seq": self.last_seq, "status_reason": self.status_reason,
            "stop_requested": self.stop_requested,
        }


@dataclass
class MetricInfo:
    key: str
    count: int
    last_step: int
    last_value: float
    min: float
    max: float

    def to_json(self) -> dict[str, Any]:
        from .numbers import encode_value

        return {
            "key": self.key,
            "count": self.count,
            "last_step": self.last_step,
            "last_value": encode_value(self.last_value),
            "min": encode_value(self.min),
            "max": encode_value(self.max),
        }


class TokenScope(str, Enum):
    """What an API token may do: ``read`` (GET only) or ``write`` (everything its user may)."""

    READ = "read"
    WRITE = "write"


@dataclass
class ApiToken:
    """An ML Hub API token as stored: never its value, only a hash and the first characters.

    ``note`` is the token's name (shown in listings); ``scope`` is read or write.
    """

    id: int
    user: str
    prefix: str
    note: str
    created_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None = None
    scope: TokenScope = TokenScope.WRITE
    last_used_at: datetime | None = None

    @property
    def name(self) -> str:
        return self.note

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user": self.user,
            "name": self.note,
            "prefix": self.prefix,
            "scope": TokenScope(self.scope).value,
            "created_at": iso(self.created_at),
            "expires_at": iso(self.expires_at),
            "last_used_at": iso(self.last_used_at),
            "revoked_at": iso(self.revoked_at),
        }


@dataclass
class Holding:
    """A project, dataset or model as the profile lists it: what the caller owns or was given.

    ``count`` is runs (project) or versions (dataset, model); ``size`` the bytes stored for
    it (run artifacts, dataset version files, model artifacts). For something shared,
    ``role`` is the caller's best role and ``via`` the member name that grants it (the
    caller's own name or ``group:<g>``).
    """

    kind: str
    name: str
    owner: str
    visibility: Visibility
    count: int = 0
    size: int = 0
    updated_at: datetime | None = None
    role: Role = Role.OWNER
    via: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "owner": self.owner,
                "visibility": Visibility(self.visibility).value, "count": self.count, "size": self.size,
                "updated_at": iso(self.updated_at), "role": Role(self.role).value, "via": self.via}


@dataclass
class Artifact:
    run_id: str
    name: str
    sha256: str
    size: int
    created_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "name": self.name, "sha256": self.sha256, "size": self.size,
                "created_at": iso(self.created_at)}
