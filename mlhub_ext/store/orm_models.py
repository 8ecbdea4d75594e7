"""SQLAlchemy tables of the model registry (created by migration 0005)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .orm import Base, UTCDateTime, utcnow


class ModelRow(Base):
    __tablename__ = "models"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    owner: Mapped[str] = mapped_column(ForeignKey("users.name"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(16), default="private")
    task: Mapped[Optional[str]] = mapped_column(String(32), nullable=True)
    model_type: Mapped[str] = mapped_column(String(32), default="")
    estimator: Mapped[str] = mapped_column(String(256), default="")
    developer: Mapped[str] = mapped_column(String(128), default="")
    latest_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModelMemberRow(Base):
    __tablename__ = "model_members"
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), primary_key=True)
    user: Mapped[str] = mapped_column(ForeignKey("users.name", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    # When the role was last granted or changed, and by whom (migration 0010); NULL on rows
    # granted before the migration.
    granted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)
    granted_by: Mapped[Optional[str]] = mapped_column(String(128), nullable=True)


class ModelTagRow(Base):
    __tablename__ = "model_tags"
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ModelVersionRow(Base):
    __tablename__ = "model_versions"
    __table_args__ = (UniqueConstraint("model_id", "version", name="uq_model_versions_model_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.name"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    model_type: Mapped[str] = mapped_column(String(32))
    estimator: Mapped[str] = mapped_column(String(256), default="")
    task: Mapped[Optional[str]] = mapped_column(String(32), nullable=True)
    param_count: Mapped[int] = mapped_column(BigInteger, default=0)
    developer: Mapped[str] = mapped_column(String(128), default="")
    tags: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(32), default="ready")
    description: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    dataset_name: Mapped[Optional[str]] = mapped_column(String(128), nullable=True, index=True)
    dataset_version: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    target: Mapped[Optional[str]] = mapped_column(String(256), nullable=True)
    run_id: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    project: Mapped[Optional[str]] = mapped_column(String(128), nullable=True)
    job_id: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    input_schema: Mapped[list[Any]] = mapped_column(JSON)
    classes: Mapped[Optional[list[Any]]] = mapped_column(JSON, nullable=True)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    evaluation: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON, nullable=True)
    artifact_sha256: Mapped[str] = mapped_column(String(64), index=True)
    artifact_size: Mapped[int] = mapped_column(BigInteger, default=0)


class ModelAliasRow(Base):
    __tablename__ = "model_aliases"
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(128), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AliasHistoryRow(Base):
    __tablename__ = "alias_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(128))
    version: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    previous: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    user: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModelEvaluationRow(Base):
    __tablename__ = "model_evaluations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    dataset_name: Mapped[str] = mapped_column(String(128))
    dataset_version: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    job_id: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    evaluation: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_model_evaluations_model_version", "model_id", "version"),)


class JobRow(Base):
    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(ForeignKey("users.name"), index=True)
    model: Mapped[Optional[str]] = mapped_column(String(128), nullable=True, index=True)
    version: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    dataset_name: Mapped[Optional[str]] = mapped_column(String(128), nullable=True)
    dataset_version: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    target: Mapped[Optional[str]] = mapped_column(String(256), nullable=True)
    run_id: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    project: Mapped[Optional[str]] = mapped_column(String(128), nullable=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    parent: Mapped[Optional[str]] = mapped_column(String(64), nullable=True, index=True)
    result: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON, nullable=True)
    error: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)
    lease_owner: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)  # the replica following it
    lease_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)


class InferenceRow(Base):
    __tablename__ = "inferences"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    stage: Mapped[Optional[str]] = mapped_column(String(128), nullable=True)
    user: Mapped[str] = mapped_column(String(128))
    inputs: Mapped[Any] = mapped_column(JSON)
    outputs: Mapped[Any] = mapped_column(JSON)
    latency_ms: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_inferences_model_version", "model_id", "version", "id"),)
