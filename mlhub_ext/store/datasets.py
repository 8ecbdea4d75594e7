"""The SQLAlchemy implementation of :class:`~mlhub_ext.core.datasets.DatasetStore`.

It shares the engines of the registry's :class:`~.sqlstore.SqlStore` (so SQLite writes
begin IMMEDIATE) and uses one transaction per public call.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

from sqlalchemy import Connection, Text, cast, delete, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..core.dataset_service import DatasetService
from ..core.datasets import DataBackend, Dataset, DatasetQuery, DatasetStore, DatasetVersion, Upload
from ..core.entities import Visibility
from ..core.errors import conflict, not_found
from ..core.service import Registry
from .blobs import FsspecBlobStore
from .members import SqlMembersMixin
from .orm import utcnow
from .orm_datasets import (DatasetMemberRow, DatasetRow, DatasetTagRow, DatasetVersionRow, UploadChunkRow,
                           UploadRow)
from .sqlstore import SqlStore
from .uploads import ObjectUploadSpace

_ds, _members, _tags = DatasetRow.__table__, DatasetMemberRow.__table__, DatasetTagRow.__table__
_versions, _uploads, _chunks = DatasetVersionRow.__table__, UploadRow.__table__, UploadChunkRow.__table__
_SUMMARY = [c for c in _versions.c if c.name != "manifest"]


class SqlDatasetStore(SqlMembersMixin, DatasetStore):
    _resources, _member_rows, _member_fk = _ds, _members, "dataset_id"

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
    def _id(c: Connection, name: str) -> int:
        got = c.execute(select(_ds.c.id).where(_ds.c.name == name)).scalar()
        if got is None:
            raise not_found("dataset", name)
        return int(got)

    def _size_stats(self, c: Connection, ids: list[int]) -> dict[int, tuple[int, int]]:
        rows = c.execute(select(_versions.c.dataset_id, func.count(), func.sum(_versions.c.size))
                         .where(_versions.c.dataset_id.in_(ids)).group_by(_versions.c.dataset_id))
        return {r[0]: (r[1], r[2]) for r in rows}

    # datasets
    def _load(self, c: Connection, rows: Sequence[Any]) -> list[Dataset]:
        if not rows:
            return []
        ids = [r.id for r in rows]
        tags: dict[int, list[str]] = {}
        for t in c.execute(select(_tags).where(_tags.c.dataset_id.in_(ids)).order_by(_tags.c.position)):
            tags.setdefault(t.dataset_id, []).append(t.tag)
        latest: dict[int, DatasetVersion] = {}
        pairs = [(r.id, r.latest_version) for r in rows if r.latest_version]
        if pairs:
            names = {r.id: r.name for r in rows}
            cond = or_(*[(_versions.c.dataset_id == i) & (_versions.c.version == v) for i, v in pairs])
            for v in c.execute(select(*_SUMMARY).where(cond)):
                latest[v.dataset_id] = _version(v, names[v.dataset_id], with_manifest=False)
        return [Dataset(name=r.name, owner=r.owner, description=r.description or "",
                        visibility=Visibility(r.visibility), kind=r.kind, tags=tags.get(r.id, []),
                        latest_version=r.latest_version, created_at=r.created_at, updated_at=r.updated_at,
                        latest=latest.get(r.id)) for r in rows]

    def get_dataset(self, name: str) -> Dataset | None:
        with self._read() as c:
            row = c.execute(select(_ds).where(_ds.c.name == name)).first()
            return self._load(c, [row])[0] if row else None

    def list_datasets(self, query: DatasetQuery) -> tuple[list[Dataset], int]:
        conds = []
        if query.readable_by is not None:
            conds.append(self._readable(query.readable_by))
        if query.q:
            like = f"%{query.q.lower()}%"
            tagged = exists().where(_tags.c.dataset_id == _ds.c.id, func.lower(_tags.c.tag).like(like))
            conds.append(or_(func.lower(_ds.c.name).like(like), func.lower(_ds.c.description).like(like), tagged))
        if query.tag:
            conds.append(exists().where(_tags.c.dataset_id == _ds.c.id, _tags.c.tag == query.tag))
        if query.owner:
            conds.append(_ds.c.owner == query.owner)
        with self._read() as c:
            total = c.execute(select(func.count()).select_from(_ds).where(*conds)).scalar_one()
            rows = c.execute(select(_ds).where(*conds).order_by(_ds.c.updated_at.desc(), _ds.c.name)
                             .limit(query.limit).offset(query.offset)).all()
            return self._load(c, rows), int(total)

    def add_version(self, dataset: Dataset, version: DatasetVersion, create: bool) -> DatasetVersion:
        now = utcnow()
        try:
            with self._write() as c:
                if create:
                    did = c.execute(insert(_ds).values(
                        name=dataset.name, owner=dataset.owner, description=dataset.description,
                        visibility=Visibility(dataset.visibility).value, kind=dataset.kind, latest_version=0,
                        created_at=now, updated_at=now)).inserted_primary_key[0]
                    for i, tag in enumerate(dataset.tags):
                        c.execute(insert(_tags).values(dataset_id=did, tag=tag, position=i))
                    number = 1
                else:
                    # FOR UPDATE: concurrent versions of one dataset queue here on PostgreSQL
                    # (SQLite's IMMEDIATE transactions already serialise writers).
                    row = c.execute(select(_ds.c.id, _ds.c.latest_version).where(_ds.c.name == dataset.name)
                                    .with_for_update()).first()
                    if row is None:
                        raise not_found("dataset", dataset.name)
                    did, number = row.id, row.latest_version + 1
                c.execute(insert(_versions).values(
                    dataset_id=did, version=number, created_by=version.created_by, created_at=now,
                    message=version.message, parent_version=version.parent_version, kind=version.kind,
                    format=version.format, size=version.size, num_rows=version.num_rows,
                    content_sha256=version.content_sha256, manifest=version.manifest or {},
                    lineage=version.lineage))
                c.execute(update(_ds).where(_ds.c.id == did).values(latest_version=number, updated_at=now))
        except IntegrityError:
            raise conflict(f"dataset {dataset.name!r} already exists") from None
        got = self.get_version(dataset.name, number, with_manifest=False)
        assert got is not None
        return got

    def update_dataset(self, name: str, fields: dict[str, Any]) -> Dataset:
        values = {k: (Visibility(v).value if k == "visibility" else v) for k, v in fields.items() if k != "tags"}
        with self._write() as c:
            did = self._id(c, name)
            c.execute(update(_ds).where(_ds.c.id == did).values(updated_at=utcnow(), **values))
            if "tags" in fields:
                c.execute(delete(_tags).where(_tags.c.dataset_id == did))
                for i, tag in enumerate(fields["tags"]):
                    c.execute(insert(_tags).values(dataset_id=did, tag=tag, position=i))
        got = self.get_dataset(name)
        assert got is not None
        return got

    def get_version(self, name: str, version: int, with_manifest: bool = True) -> DatasetVersion | None:
        cols = list(_versions.c) if with_manifest else _SUMMARY
        with self._read() as c:
            row = c.execute(select(*cols).join(_ds, _ds.c.id == _versions.c.dataset_id)
                            .where(_ds.c.name == name, _versions.c.version == version)).first()
            return _version(row, name, with_manifest) if row else None

    def list_versions(self, name: str) -> list[DatasetVersion]:
        with self._read() as c:
            rows = c.execute(select(*_SUMMARY).join(_ds, _ds.c.id == _versions.c.dataset_id)
                             .where(_ds.c.name == name).order_by(_versions.c.version.desc()))
            return [_version(r, name, False) for r in rows]

    def blob_in_use(self, sha256: str) -> bool:
        # Manifests are JSON; a digest is 64 hex digits, so a substring match is exact enough.
        with self._read() as c:
            return c.execute(select(_versions.c.version).where(
                cast(_versions.c.manifest, Text).like(f"%{sha256}%")).limit(1)).first() \
                is not None

    # uploads
    def create_upload(self, upload: Upload) -> Upload:
        with self._write() as c:
            c.execute(insert(_uploads).values(
                id=upload.id, owner=upload.owner, filename=upload.filename, size=upload.size,
                chunk_size=upload.chunk_size, declared_sha256=upload.declared_sha256, status="open",
                created_at=utcnow()))
        got = self.get_upload(upload.id)
        assert got is not None
        return got

    def get_upload(self, upload_id: str) -> Upload | None:
        with self._read() as c:
            row = c.execute(select(_uploads).where(_uploads.c.id == upload_id)).first()
            if row is None:
                return None
            chunks = c.execute(select(_chunks.c.offset, _chunks.c.length).where(_chunks.c.upload_id == upload_id)
                               .order_by(_chunks.c.offset))
            return Upload(id=row.id, owner=row.owner, filename=row.filename, size=int(row.size),
                          chunk_size=row.chunk_size, declared_sha256=row.declared_sha256, sha256=row.sha256,
                          status=row.status, received=[(int(r.offset), int(r.length)) for r in chunks],
                          created_at=row.created_at, completed_at=row.completed_at)

    def add_chunk(self, upload_id: str, offset: int, length: int, sha256: str) -> bool:
        with self._write() as c:
            done = c.execute(update(_chunks).where(_chunks.c.upload_id == upload_id, _chunks.c.offset == offset)
                             .values(length=length, sha256=sha256)).rowcount
            if done:
                return False
            c.execute(insert(_chunks).values(upload_id=upload_id, offset=offset, length=length, sha256=sha256))
            return True

    def update_upload(self, upload_id: str, fields: dict[str, Any]) -> Upload:
        with self._write() as c:
            c.execute(update(_uploads).where(_uploads.c.id == upload_id).values(**fields))
        got = self.get_upload(upload_id)
        assert got is not None
        return got


def _version(row: Any, name: str, with_manifest: bool) -> DatasetVersion:
    return DatasetVersion(
        dataset=name, version=row.version, created_by=row.created_by, kind=row.kind, format=row.format,
        size=int(row.size), content_sha256=row.content_sha256,
        num_rows=int(row.num_rows) if row.num_rows is not None else None, message=row.message or "",
        parent_version=row.parent_version, lineage=row.lineage or {},
        manifest=row.manifest if with_manifest else None, created_at=row.created_at)


def open_datasets(registry: Registry, backend: DataBackend, upload_root: str | os.PathLike[str] | None = None,
                  max_upload_bytes: int | None = None) -> DatasetService:
    """The dataset service over a registry's database and blob store.

    Uploads are assembled under the blob root so that moving a finished one into the
    store is a rename, not a copy; on an object store (``s3://...``) their chunks are
    objects under ``<prefix>/uploads/`` (:class:`~mlhub_ext.store.uploads.ObjectUploadSpace`),
    unless ``upload_root`` names a local folder.
    """
    if registry.blobs is None:
        from ..core.errors import ErrorCode, MLHubError

        raise MLHubError(ErrorCode.UNAVAILABLE, "datasets need an artifact store (artifact_root)")
    store = registry.store
    assert isinstance(store, SqlStore)
    blobs: Any = registry.blobs
    root: Any
    if upload_root:
        root = Path(upload_root)
    elif isinstance(blobs, FsspecBlobStore):
        root = ObjectUploadSpace(blobs)
    else:
        root = Path(blobs.local_dir) / "uploads"
    return DatasetService(SqlDatasetStore(store), store, blobs, backend, root, max_upload_bytes)
