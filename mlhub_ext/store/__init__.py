"""Persistence: the SQLAlchemy store, Alembic migrations, the blob store, metric series."""
from __future__ import annotations

from ..core.service import Registry
from .blobs import BlobStore
from .schema import prepare_database
from .sqlstore import SqlStore


def open_registry(db_url: str, auto_upgrade: bool = False, artifact_root: str | None = None) -> Registry:
    """Check (and where allowed, create or upgrade) the schema, then return a Registry on it."""
    store = SqlStore(db_url)
    try:
        prepare_database(db_url, store.write_engine, auto_upgrade)
    except BaseException:
        store.close()
        raise
    return Registry(store, BlobStore(artifact_root) if artifact_root else None)


__all__ = ["BlobStore", "SqlStore", "open_registry", "prepare_database"]
