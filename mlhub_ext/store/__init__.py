"""Persistence: the SQLAlchemy store, Alembic migrations, the blob store, metric series."""
from __future__ import annotations

from typing import Any, Mapping

from ..core.service import Registry
from .blobs import DEFAULT_CACHE_BYTES, BlobStore, FsspecBlobStore, LocalBlobStore, open_blob_store
from .schema import prepare_database
from .sqlstore import SqlStore


def open_registry(db_url: str, auto_upgrade: bool = False, artifact_root: str | None = None,
                  storage_options: Mapping[str, Any] | None = None, artifact_cache: str | None = None,
                  artifact_cache_size: int | None = None, token_cache_ttl: float | None = None,
                  metric_writer: str = "thread") -> Registry:
    """Check (and where allowed, create or upgrade) the schema, then return a Registry on it.

    ``artifact_root``: a folder or an fsspec URL such as ``s3://bucket/prefix`` (see
    :func:`~mlhub_ext.store.blobs.open_blob_store`; a URL no installed backend reads is
    refused here, before the database is touched); ``storage_options``: the fsspec
    filesystem's options; ``artifact_cache``, ``artifact_cache_size``: the local cache folder
    of a remote store and its bound in bytes; ``token_cache_ttl``: seconds a valid token's
    record is reused (None: :data:`~mlhub_ext.core.token_cache.TOKEN_CACHE_TTL_S`);
    ``metric_writer``: ``"thread"`` or ``"process"`` (:class:`SqlStore`)."""
    blobs = open_blob_store(artifact_root, storage_options, artifact_cache or None,
                            artifact_cache_size or DEFAULT_CACHE_BYTES) if artifact_root else None
    store = SqlStore(db_url, metric_writer)
    try:
        prepare_database(db_url, store.write_engine, auto_upgrade)
    except BaseException:
        store.close()
        raise
    if token_cache_ttl is None:
        return Registry(store, blobs)
    return Registry(store, blobs, token_cache_ttl=token_cache_ttl)


__all__ = ["BlobStore", "FsspecBlobStore", "LocalBlobStore", "SqlStore", "open_blob_store", "open_registry",
           "prepare_database"]
