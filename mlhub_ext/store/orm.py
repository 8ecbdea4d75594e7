"""SQLAlchemy tables of the registry. Alembic migrations in ``migrations/`` create them."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import (JSON, BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String, Text,
                        TypeDecorator, UniqueConstraint)
from sqlalchemy.sql.expression import false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        return value.replace(tzinfo=timezone.utc) if value is not None else None


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class UserRow(Base):
    __tablename__ = "users"
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TokenRow(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user: Mapped[str] = mapped_column(ForeignKey("users.name", ondelete="CASCADE"), index=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)
    scope: Mapped[str] = mapped_column(String(16), default="write", server_default="write")  # "read" | "write"
    last_used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)


class ProjectRow(Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    owner: Mapped[str] = mapped_column(ForeignKey("users.name"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(16), default="private")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    tags: Mapped[Optional[dict[str, str]]] = mapped_column(JSON, nullable=True)   # MLflow experiment tags
    deleted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)   # soft delete


class MemberRow(Base):
    __tablename__ = "project_members"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    user: Mapped[str] = mapped_column(ForeignKey("users.name", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    # When the role was last granted or changed, and by whom (migration 0010); NULL on rows
    # granted before the migration.
    granted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)
    granted_by: Mapped[Optional[str]] = mapped_column(String(128), nullable=True)


class RunRow(Base):
    __tablename__ = "runs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    owner: Mapped[str] = mapped_column(ForeignKey("users.name"))
    name: Mapped[str] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(16), default="running")
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    provenance: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    status_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    stop_requested: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    __table_args__ = (Index("ix_runs_project_created", "project_id", "created_at"),
                      # The home's newest started / ended runs and a user's running runs (migration 0008).
                      Index("ix_runs_created_at", "created_at"), Index("ix_runs_finished_at", "finished_at"),
                      Index("ix_runs_owner_status", "owner", "status"))


class ParamRow(Base):
    """One param; ``value_num``/``value_text`` hold a comparable form for search."""

    __tablename__ = "run_params"
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(256), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    value_num: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    value_text: Mapped[Optional[str]] = mapped_column(Text, nullable=True)


class TagRow(Base):
    __tablename__ = "run_tags"
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class SeriesRow(Base):
    """A metric series of a run with its running aggregates (for listings and sorting)."""

    __tablename__ = "metric_series"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(256))
    count: Mapped[int] = mapped_column(Integer, default=0)
    last_step: Mapped[int] = mapped_column(BigInteger, default=0)
    last_value: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    min_value: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    max_value: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    # The first point (lowest step) and the last point's time (migration 0012), so that a
    # summary read knows the ends of a series exactly; NULL until its summary is built.
    first_step: Mapped[Optional[int]] = mapped_column(BigInteger, nullable=True)
    first_value: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    first_ts: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    last_ts: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    __table_args__ = (
        UniqueConstraint("run_id", "key", name="uq_metric_series_run_key"),
        # Filtering and sorting thousands of runs by a metric reads this index only.
        Index("ix_metric_series_key_value", "key", "last_value"),
    )


class ChunkRow(Base):
    """Points of one series appended in one batch, packed as little-endian arrays.

    Packing keeps a million-point series to a few hundred rows: appends are one insert
    per key and batch, and reads decode with numpy instead of building row objects.
    ``first_step``/``last_step`` (the lowest and highest step in the chunk, migration 0012)
    let a range read skip the chunks outside it.
    """

    __tablename__ = "metric_chunks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("metric_series.id", ondelete="CASCADE"), index=True)
    n: Mapped[int] = mapped_column(Integer)
    steps: Mapped[bytes] = mapped_column(LargeBinary)
    values: Mapped[bytes] = mapped_column(LargeBinary)
    timestamps: Mapped[bytes] = mapped_column(LargeBinary)
    first_step: Mapped[Optional[int]] = mapped_column(BigInteger, nullable=True)
    last_step: Mapped[Optional[int]] = mapped_column(BigInteger, nullable=True)
    __table_args__ = (Index("ix_metric_chunks_series_steps", "series_id", "first_step", "last_step"),)


class SummaryRow(Base):
    """One page of a series' stored summary: up to 64 buckets of one level (store/series_summary.py).

    ``data`` and ``stamps`` are packed little-endian records (``series_summary.DATA`` and
    ``STAMPS``), sorted by bucket; ``n`` is how many.
    """

    __tablename__ = "metric_summaries"
    series_id: Mapped[int] = mapped_column(ForeignKey("metric_series.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    page: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    stamps: Mapped[bytes] = mapped_column(LargeBinary)


class BatchRow(Base):
    """Sequence numbers of applied batches: the key to exactly-once appends."""

    __tablename__ = "run_batches"
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)


class ArtifactRow(Base):
    """A file logged with a run: a name pointing at a blob in the content-addressed store."""

    __tablename__ = "run_artifacts"
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(512), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StreamInterestRow(Base):
    """The runs and projects a registry replica's stream subscribers follow, until when
    (services/fanout.py sends metric points to the other replicas only for these)."""

    __tablename__ = "stream_interest"
    origin: Mapped[str] = mapped_column(String(32), primary_key=True)   # the replica's random id
    runs: Mapped[list[str]] = mapped_column(JSON)
    projects: Mapped[list[str]] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
