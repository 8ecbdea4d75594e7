"""The store contract: what the registry needs from persistence.

Implementations return entities from :mod:`.entities`, never ORM rows, and use one
transaction per public call. Access is not checked here: the registry service does it.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Awaitable, BinaryIO, Callable, Iterable, Protocol, Sequence

from .entities import ApiToken, Artifact, Holding, Member, MetricInfo, Project, Role, Run, TokenScope


@dataclass
class SeriesData:
    """One metric series (or a downsampled view of it) as parallel sequences.

    The SQL store returns numpy arrays here (no per-point Python objects on the read path).
    """

    key: str
    steps: Sequence[int]
    values: Sequence[float]
    timestamps: Sequence[float]
    downsampled: bool = False
    total: int = 0


@dataclass
class MetricBatch:
    """Points for one key in one batch, as parallel lists."""

    key: str
    steps: Sequence[int]
    values: Sequence[float]
    timestamps: Sequence[float]


@dataclass(frozen=True)
class RunAccess:
    """What an access check on a run reads, in one lookup: its project's name, owner and
    visibility (what :func:`~.access.effective_role` needs) and the caller's best member role."""

    name: str
    owner: str
    visibility: Any
    member_role: Role | None


#: Checks a caller's access to a run from what the store read in its write's transaction
#: (None: no such run); raises :class:`~.errors.MLHubError` (not_found, forbidden) to refuse.
Authorize = Callable[[RunAccess | None], None]


@dataclass(frozen=True)
class ProjectAccess(RunAccess):
    """What an access check on a project reads, in one lookup (as :class:`RunAccess`), with
    its store number (MLflow's experiment id) and soft-delete time."""

    id: int = 0
    deleted_at: datetime | None = None


@dataclass
class RunQuery:
    """What a run listing asks for; ``filter`` is parsed by :mod:`.search`."""

    project: str | None = None
    readable_by: str | None = None
    limit: int = 50
    offset: int = 0
    order_by: str = "created_at"
    descending: bool = True
    filter: Any = None  # a parsed search.Expression or None
    ids: Sequence[str] | None = None


class BlobStoreLike(Protocol):
    """What the registry needs of a content-addressed blob store."""

    def put_stream(self, chunks: Iterable[bytes], expected_sha256: str | None = None) -> str: ...

    def size(self, digest: str) -> int: ...

    def open(self, digest: str) -> BinaryIO: ...


class AbstractStore(ABC):
    """Persistence for users, tokens, projects, members, runs, params and metrics."""

    # users and tokens
    @abstractmethod
    def ensure_user(self, name: str) -> None: ...

    @abstractmethod
    def add_token(self, user: str, token_hash: str, prefix: str, note: str, expires_at: datetime | None,
                  scope: TokenScope = TokenScope.WRITE) -> ApiToken: ...

    @abstractmethod
    def touch_token(self, token_id: int, at: datetime) -> None:
        """Record that token ``token_id`` authenticated a request at ``at``. A store may write
        it a moment later, without the caller waiting; its :meth:`list_tokens` reads it."""

    @abstractmethod
    def find_token(self, token_hash: str) -> ApiToken | None: ...

    @abstractmethod
    def holdings(self, user: str) -> tuple[list[Holding], list[Holding]]:
        """``(owned, shared)`` projects of ``user`` (shared: through ``principals(user)``)."""

    @abstractmethod
    def list_tokens(self, user: str) -> list[ApiToken]: ...

    @abstractmethod
    def revoke_token(self, token_id: int, user: str | None = None) -> bool: ...

    # projects and members
    @abstractmethod
    def create_project(self, project: Project) -> Project: ...

    @abstractmethod
    def get_project(self, name: str) -> Project | None: ...

    @abstractmethod
    def get_project_by_id(self, project_id: int) -> Project | None:
        """The project with the store's number ``project_id`` (``Project.id``), or None."""

    @abstractmethod
    def list_projects(self, readable_by: str | None, q: str | None, limit: int, offset: int) -> tuple[list[Project], int]:
        """Projects the user owns, is a member of, or that are public (all if ``readable_by`` is None)."""

    @abstractmethod
    def update_project(self, name: str, fields: dict[str, Any]) -> Project: ...

    def rename_project(self, name: str, new_name: str) -> Project: ...

    @abstractmethod
    def get_member_role(self, project: str, user: str) -> Role | None: ...

    @abstractmethod
    def member_roles(self, projects: Sequence[str], user: str) -> dict[str, Role]: ...

    @abstractmethod
    def set_member(self, project: str, user: str, role: Role, granted_by: str | None = None) -> Member:
        """Grant ``role`` to ``user`` (a user or ``group:<name>``); a new or changed role records
        the time (UTC) and ``granted_by``, the same role again keeps the first grant's."""

    @abstractmethod
    def remove_member(self, project: str, user: str) -> bool: ...

    @abstractmethod
    def list_members(self, project: str) -> list[Member]: ...

    # runs
    @abstractmethod
    def create_run(self, run: Run) -> Run: ...

    @abstractmethod
    def get_run(self, run_id: str) -> Run | None: ...

    @abstractmethod
    def run_project(self, run_id: str) -> str | None:
        """The project a run belongs to (a cheap lookup for access checks)."""

    def run_access(self, run_id: str, user: str) -> RunAccess | None:
        """The run's project and ``user``'s member role on it (None: no such run).

        Built here on three lookups; a store that can answer in one query (the SQL store:
        one round trip per logged batch instead of three) overrides it."""
        name = self.run_project(run_id)
        project = self.get_project(name) if name is not None else None
        if name is None or project is None:
            return None
        return RunAccess(name, project.owner, project.visibility, self.get_member_role(name, user))

    def project_access(self, project: str | int, user: str) -> ProjectAccess | None:
        """The project named ``project`` (a str) or numbered ``project`` (an int) and ``user``'s
        member role on it (None: no such project).

        Built here on two lookups; the SQL store answers in one query."""
        found = self.get_project(project) if isinstance(project, str) else self.get_project_by_id(project)
        if found is None:
            return None
        return ProjectAccess(found.name, found.owner, found.visibility, self.get_member_role(found.name, user),
                             int(found.id or 0), found.deleted_at)

    @abstractmethod
    def list_runs(self, query: RunQuery) -> tuple[list[Run], int]: ...

    @abstractmethod
    def update_run(self, run_id: str, fields: dict[str, Any]) -> Run: ...

    @abstractmethod
    def merge_params(self, run_id: str, params: dict[str, Any]) -> dict[str, Any]: ...

    @abstractmethod
    def delete_run(self, run_id: str) -> bool:
        """Remove a run with its params, tags, metrics and artifact names; False if it was not there.

        Artifact contents stay in the blob store: they are stored once per content and
        may be named by other runs.
        """

    # metrics
    @abstractmethod
    def append_metrics(self, run_id: str, seq: int | None, batches: Sequence[MetricBatch],
                       user: str | None = None, authorize: Authorize | None = None) -> tuple[int, bool, int, bool]:
        """Store the points; returns ``(accepted, duplicate, last_seq, stop_requested)``.

        ``stop_requested`` is the run's flag (read in the same transaction, so the logging
        process learns of a stop from the answer to its next batch).

        A batch whose ``seq`` was already applied to the run is not stored again.

        ``authorize`` (with ``user``): called with :meth:`run_access` of ``user`` on the run,
        read with the write; what it raises is raised and nothing is stored.
        """

    async def append_metrics_async(self, run_id: str, seq: int | None, batches: Sequence[MetricBatch],
                                   user: str | None = None, authorize: Authorize | None = None
                                   ) -> tuple[int, bool, int, bool]:
        """:meth:`append_metrics` for a caller on an event loop. Here on a thread of the loop's
        default executor; the SQL store waits holding no thread (its group commit)."""
        import asyncio

        return await asyncio.get_running_loop().run_in_executor(
            None, lambda: self.append_metrics(run_id, seq, batches, user, authorize))

    @abstractmethod
    def list_metrics(self, run_id: str) -> list[MetricInfo]: ...

    @abstractmethod
    def get_series(self, run_id: str, key: str, max_points: int | None = None) -> SeriesData | None: ...

    # artifacts
    @abstractmethod
    def add_artifact(self, artifact: Artifact) -> Artifact: ...

    @abstractmethod
    def list_artifacts(self, run_id: str) -> list[Artifact]: ...

    @abstractmethod
    def get_artifact(self, run_id: str, name: str) -> Artifact | None: ...
