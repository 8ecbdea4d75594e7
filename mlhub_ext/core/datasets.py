"""Datasets: entities, the store contract and the data backend the service relies on.

A dataset has an owner, a visibility and members exactly like a project (the policy in
:mod:`.access` applies unchanged). Its versions are immutable manifests: the files
(blobs by sha256), schema, statistics, a preview, the parent version and the lineage
(operations or script) that produced it, who and when. An :class:`Upload` is a resumable,
chunked transfer of one file that a registration then turns into a version.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, Sequence

from .entities import Holding, Member, Role, Visibility, iso


class DatasetKind:
    TABLE = "table"
    IMAGES = "images"


@dataclass
class Dataset:
    name: str
    owner: str
    description: str = ""
    visibility: Visibility = Visibility.PRIVATE
    kind: str = DatasetKind.TABLE
    tags: list[str] = field(default_factory=list)
    latest_version: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    latest: "DatasetVersion | None" = None  # summary of the latest version (no manifest)
    role: Role | None = None  # the caller's role, filled in by the service

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "owner": self.owner, "description": self.description,
            "visibility": Visibility(self.visibility).value, "kind": self.kind, "tags": list(self.tags),
            "latest_version": self.latest_version, "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "latest": self.latest.to_json() if self.latest else None,
            "role": self.role.value if self.role else None,
        }


@dataclass
class DatasetVersion:
    """One version; ``manifest`` is None in listings (it can be large)."""

    dataset: str
    version: int
    created_by: str
    kind: str
    format: str
    size: int
    content_sha256: str
    num_rows: int | None = None
    message: str = ""
    parent_version: int | None = None
    lineage: dict[str, Any] = field(default_factory=dict)
    manifest: dict[str, Any] | None = None
    created_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        out = {
            "dataset": self.dataset, "version": self.version, "created_by": self.created_by,
            "created_at": iso(self.created_at), "message": self.message, "parent_version": self.parent_version,
            "kind": self.kind, "format": self.format, "size": self.size, "num_rows": self.num_rows,
            "content_sha256": self.content_sha256, "lineage": self.lineage,
        }
        if self.manifest is not None:
            out["manifest"] = self.manifest
        return out

    def file(self, role: str) -> dict[str, Any] | None:
        """The manifest entry of the file with ``role`` ("original" or "parquet")."""
        for f in (self.manifest or {}).get("files", []):
            if f.get("role") == role:
                return f
        return None


@dataclass
class Upload:
    id: str
    owner: str
    filename: str
    size: int
    chunk_size: int
    declared_sha256: str | None = None
    sha256: str | None = None
    status: str = "open"  # open -> complete -> registered
    received: list[tuple[int, int]] = field(default_factory=list)  # (offset, length) per chunk
    created_at: datetime | None = None
    completed_at: datetime | None = None

    def received_bytes(self) -> int:
        return sum(n for _, n in self.received)

    def ranges(self) -> list[list[int]]:
        """Received bytes as merged ``[start, end)`` ranges."""
        out: list[list[int]] = []
        for off, n in sorted(self.received):
            if out and out[-1][1] == off:
                out[-1][1] = off + n
            else:
                out.append([off, off + n])
        return out

    def missing(self) -> list[list[int]]:
        gaps, pos = [], 0
        for start, end in self.ranges():
            if start > pos:
                gaps.append([pos, start])
            pos = end
        if pos < self.size:
            gaps.append([pos, self.size])
        return gaps

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "filename": self.filename, "size": self.size, "chunk_size": self.chunk_size,
            "sha256": self.sha256 or self.declared_sha256, "status": self.status,
            "received_bytes": self.received_bytes(), "received": self.ranges(), "missing": self.missing(),
            "created_at": iso(self.created_at), "completed_at": iso(self.completed_at),
        }


@dataclass
class DatasetQuery:
    readable_by: str | None = None
    q: str | None = None
    tag: str | None = None
    owner: str | None = None
    limit: int = 50
    offset: int = 0


class DatasetStore(ABC):
    """Persistence of datasets, versions, members and uploads; one transaction per call."""

    @abstractmethod
    def get_dataset(self, name: str) -> Dataset | None: ...

    @abstractmethod
    def list_datasets(self, query: DatasetQuery) -> tuple[list[Dataset], int]: ...

    @abstractmethod
    def add_version(self, dataset: Dataset, version: DatasetVersion, create: bool) -> DatasetVersion:
        """Store ``version`` as the next version (its number is assigned here).

        ``create``: the dataset must not exist yet (CONFLICT if it does) and is created with
        the version in one transaction; otherwise it must exist.
        """

    @abstractmethod
    def update_dataset(self, name: str, fields: dict[str, Any]) -> Dataset: ...

    @abstractmethod
    def get_version(self, name: str, version: int, with_manifest: bool = True) -> DatasetVersion | None: ...

    @abstractmethod
    def list_versions(self, name: str) -> list[DatasetVersion]: ...

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
        """``(owned, shared)`` datasets of ``user`` with version counts and stored bytes."""

    @abstractmethod
    def create_upload(self, upload: Upload) -> Upload: ...

    @abstractmethod
    def get_upload(self, upload_id: str) -> Upload | None: ...

    @abstractmethod
    def add_chunk(self, upload_id: str, offset: int, length: int, sha256: str) -> bool:
        """Record a received chunk; False if that offset was already recorded (a retry)."""

    @abstractmethod
    def update_upload(self, upload_id: str, fields: dict[str, Any]) -> Upload: ...

    @abstractmethod
    def blob_in_use(self, sha256: str) -> bool:
        """Whether any dataset version lists a file with this digest."""


class DataBackend(Protocol):
    """Format work the registry delegates (to a worker process in the server).

    ``ingest`` returns ``{"kind": "table", "format", "num_rows", "bytes", "schema", "stats",
    "preview", "reading"}`` or ``{"kind": "images", "format": "images", "manifest"}`` and
    writes the Parquet copy of a table to ``parquet_dest``; ``sheet`` names the sheet of an
    Excel workbook; ``reading`` says what reading changed or chose (``renamed_columns``,
    ``text_columns``, ``sheet``, ``sheets``). It raises MLHubError for bad input.
    """

    def normalize_name(self, filename: str) -> str: ...

    def ingest(self, path: Path, parquet_dest: Path, fmt: str | None, sheet: str | None = None) -> dict[str, Any]: ...

    def diff(self, old_parquet: Path, new_parquet: Path, old_stats: dict[str, Any] | None,
             new_stats: dict[str, Any] | None) -> dict[str, Any]: ...

    def thumbnails(self, manifest: dict[str, Any], source: Path, per_class: int, size: int) -> dict[str, Any]: ...
