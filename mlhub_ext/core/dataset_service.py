"""The dataset registry service: every operation takes the acting user and checks access here.

Registration turns a completed upload into version n+1: the data backend checks and
describes the file (schema, statistics and preview computed once, here), the original
and its Parquet copy go into the content-addressed blob store (same bytes kept once),
then one transaction records the version. Any bad input stops before that transaction,
so nothing is half-registered. Processing never runs here: the SDK applies operations
in the user's kernel and registers the result with its lineage.
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from . import validation
from .datasets import DataBackend, Dataset, DatasetKind, DatasetQuery, DatasetStore, DatasetVersion, Upload
from .entities import Holding, Member, Role
from .errors import ErrorCode, MLHubError, conflict, invalid, not_found, quoted, storage_error
from .resources import Sharing, parse_visibility
from .resources import version_number as _version_number
from .uploads import Uploads, UploadSpace, safe_filename

PREVIEW_ROWS = 100
MAX_MESSAGE = 10_000
FILE_KINDS = ("original", "parquet")


class Blobs(Protocol):
    """What datasets need of the blob store (:class:`mlhub_ext.store.blobs.BlobStore`)."""

    def local_path(self, digest: str) -> Path: ...

    def exists(self, digest: str) -> bool: ...

    def put_file(self, path: str | os.PathLike[str]) -> str: ...

    def store_file(self, path: str | os.PathLike[str], digest: str, move: bool = False) -> bool: ...

    def move_out(self, digest: str, dest: str | os.PathLike[str]) -> None: ...

    def delete(self, digest: str) -> None: ...

    def open(self, digest: str) -> BinaryIO: ...


class Users(Protocol):
    def ensure_user(self, name: str) -> None: ...


class DatasetService:
    """Datasets, versions, members and uploads, seen as ``user``."""

    def __init__(self, store: DatasetStore, users: Users, blobs: Blobs, backend: DataBackend,
                 upload_root: str | os.PathLike[str] | UploadSpace, max_upload_bytes: int | None = None) -> None:
        self.store = store
        self.users = users
        self.blobs = blobs
        self.backend = backend
        self.uploads = Uploads(store, upload_root, **({"max_bytes": max_upload_bytes} if max_upload_bytes else {}))
        self.sharing: Sharing[Dataset] = Sharing("dataset", store.get_dataset, store, users)

    # access
    def _dataset_for(self, user: str, name: Any, needed: Role) -> Dataset:
        return self.sharing.get(user, name, needed)

    def _version_for(self, user: str, name: str, version: Any, with_manifest: bool = True) -> DatasetVersion:
        ds = self._dataset_for(user, name, Role.READ)
        v = _version_number(version) or ds.latest_version
        got = self.store.get_version(name, v, with_manifest)
        if got is None:
            raise not_found(f"version of dataset {quoted(name)}", v)
        return got

    # uploads
    def create_upload(self, user: str, filename: Any, size: Any, sha256: Any = None, chunk_size: Any = None) -> Upload:
        self.users.ensure_user(user)
        return self.uploads.create(user, filename, size, sha256, chunk_size)

    def get_upload(self, user: str, upload_id: str) -> Upload:
        return self.uploads.get(user, upload_id)

    def put_chunk(self, user: str, upload_id: str, offset: Any, data: bytes, chunk_sha256: Any) -> Upload:
        return self.uploads.put_chunk(user, upload_id, offset, data, chunk_sha256)

    def complete_upload(self, user: str, upload_id: str, sha256: Any = None) -> Upload:
        return self.uploads.complete(user, upload_id, sha256)

    # catalogue
    def list_datasets(self, user: str, q: str | None = None, tag: str | None = None, owner: str | None = None,
                      limit: Any = None, offset: Any = None) -> tuple[list[Dataset], int]:
        lim, off = validation.check_paging(limit, offset)
        found, total = self.store.list_datasets(DatasetQuery(user, q or None, tag or None, owner or None, lim, off))
        return self.sharing.with_roles(user, found), total

    def get_dataset(self, user: str, name: str) -> Dataset:
        return self._dataset_for(user, name, Role.READ)

    def update_dataset(self, user: str, name: str, patch: dict[str, Any]) -> Dataset:
        validation.only_keys(patch, {"description", "visibility", "tags"}, "a dataset update")
        ds = self._dataset_for(user, name, Role.MANAGE if "visibility" in patch else Role.EDIT)
        fields: dict[str, Any] = {}
        if "description" in patch:
            if not isinstance(patch["description"], str):
                raise invalid("description must be a string")
            fields["description"] = patch["description"]
        if "visibility" in patch:
            fields["visibility"] = parse_visibility(patch["visibility"])
        if "tags" in patch:
            fields["tags"] = validation.check_tags(patch["tags"])
        updated = self.store.update_dataset(name, fields)
        updated.role = ds.role
        return updated

    def list_versions(self, user: str, name: str) -> list[DatasetVersion]:
        self._dataset_for(user, name, Role.READ)
        return self.store.list_versions(name)

    def get_version(self, user: str, name: str, version: Any = None) -> DatasetVersion:
        return self._version_for(user, name, version)

    def preview(self, user: str, name: str, version: Any = None, rows: Any = None) -> dict[str, Any]:
        v = self._version_for(user, name, version)
        try:
            n = int(rows) if rows not in (None, "") else 20
        except (TypeError, ValueError):
            raise invalid(f"rows must be an integer, not {quoted(rows)}") from None
        n = max(1, min(n, PREVIEW_ROWS))
        m = v.manifest or {}
        if v.kind == DatasetKind.IMAGES:
            images = m.get("images", {})
            return {"version": v.version, "kind": v.kind, "classes": images.get("classes", {}),
                    "num_images": images.get("num_images"),
                    "images": images.get("images", [])[:n]}
        pv = m.get("preview") or {"columns": m.get("schema", []), "rows": []}
        return {"version": v.version, "kind": v.kind, "columns": pv["columns"], "rows": pv["rows"][:n],
                "total_rows": v.num_rows, "reading": m.get("reading") or {}}

    def stats(self, user: str, name: str, version: Any = None) -> dict[str, Any]:
        v = self._version_for(user, name, version)
        m = v.manifest or {}
        if v.kind == DatasetKind.IMAGES:
            images = m.get("images", {})
            return {"version": v.version, "kind": v.kind, "num_images": images.get("num_images"),
                    "classes": images.get("classes", {}), "formats": images.get("formats", {}),
                    "size_distribution": images.get("size_distribution", [])}
        return {"version": v.version, "kind": v.kind, **(m.get("stats") or {})}

    def open_file(self, user: str, name: str, version: Any = None, kind: str = "original") -> tuple[dict[str, Any], BinaryIO]:
        """A version's original file or Parquet copy: ``(manifest entry, open binary file)``."""
        if kind not in FILE_KINDS:
            raise invalid(f"file must be one of {', '.join(FILE_KINDS)}, not {quoted(kind)}")
        v = self._version_for(user, name, version)
        entry = v.file(kind)
        if entry is None:
            raise not_found(f"{kind} file of {quoted(name)} version", v.version)
        return entry, self.blobs.open(entry["sha256"])

    def diff(self, user: str, name: str, version: Any, other: Any) -> dict[str, Any]:
        a = self._version_for(user, name, version)
        b = self._version_for(user, name, other)
        if a.kind != DatasetKind.TABLE or b.kind != DatasetKind.TABLE:
            raise invalid("diff compares tabular versions; image collections have no table to compare")
        pa_, pb = a.file("parquet"), b.file("parquet")
        assert pa_ is not None and pb is not None
        result = self.backend.diff(self.blobs.local_path(pa_["sha256"]), self.blobs.local_path(pb["sha256"]),
                                   (a.manifest or {}).get("stats"), (b.manifest or {}).get("stats"))
        return {"dataset": name, "old": a.version, "new": b.version, **result}

    def thumbnails(self, user: str, name: str, version: Any = None, per_class: Any = 4, size: Any = 64) -> dict[str, Any]:
        v = self._version_for(user, name, version)
        if v.kind != DatasetKind.IMAGES:
            raise invalid(f"dataset {quoted(name)} is a table; thumbnails are for image collections")
        try:
            k, px = int(per_class), int(size)
        except (TypeError, ValueError):
            raise invalid("per_class and size must be integers") from None
        if not 1 <= k <= 32 or not 8 <= px <= 256:
            raise invalid("per_class must be 1-32 and size 8-256 pixels")
        original = v.file("original")
        assert original is not None
        return {"version": v.version, "thumbnails": self.backend.thumbnails(
            (v.manifest or {})["images"], self.blobs.local_path(original["sha256"]), k, px)}

    # members
    def holdings(self, user: str) -> tuple[list[Holding], list[Holding]]:
        """Datasets ``user`` owns, and those shared with them or one of their groups."""
        return self.sharing.holdings(user)

    def list_members(self, user: str, name: str) -> list[Member]:
        """The owner, then every member of dataset ``name`` (read role)."""
        return self.sharing.list_members(user, name)

    def set_member(self, user: str, name: str, member: str, role: Any) -> Member:
        """Grant ``member`` (a user or ``group:<g>``) a role on dataset ``name`` (manage role)."""
        return self.sharing.set_member(user, name, member, role)

    def remove_member(self, user: str, name: str, member: str) -> None:
        """Revoke ``member``'s role on dataset ``name`` (manage role); ``not_found`` if they hold none."""
        self.sharing.remove_member(user, name, member)

    # versions
    def register(self, user: str, upload_id: Any, name: Any = None, description: Any = "", tags: Any = None,
                 visibility: Any = "private", new_version: Any = False, message: Any = "", format: Any = None,
                 lineage: Any = None, parent_version: Any = None, sheet: Any = None) -> DatasetVersion:
        """Turn a completed upload into the next version of ``name`` (a new dataset if it has none).

        A dataset that exists already is a conflict unless ``new_version`` is true.
        ``sheet`` names the sheet of an Excel workbook to read (default: the first that
        holds rows); the version's manifest records in ``reading`` the sheet read and
        all sheets, and any renamed or text columns.
        """
        upload = self.uploads.get(user, upload_id)
        if upload.status != "complete":
            raise invalid(f"upload {upload.id} is {upload.status}; complete it (with its sha256) before registering")
        if name is not None and not isinstance(name, str):
            raise invalid("name must be a string")
        ds_name = self.backend.normalize_name(name or upload.filename)
        if not isinstance(description, str):
            raise invalid("description must be a string")
        if not isinstance(message, str) or len(message) > MAX_MESSAGE:
            raise invalid(f"message must be a string of at most {MAX_MESSAGE} characters")
        if format is not None and not isinstance(format, str):
            raise invalid("format must be a string such as 'csv' or 'parquet'")
        if sheet is not None and (not isinstance(sheet, str) or not sheet):
            raise invalid("sheet must be the name of a sheet of the workbook (a non-empty string)")
        tag_list = validation.check_tags(tags)
        vis = parse_visibility(visibility)
        extra = validation.check_mapping("lineage", lineage)
        existing = self.store.get_dataset(ds_name)
        if existing is not None:
            if not new_version:
                raise conflict(f"dataset {quoted(ds_name)} already exists; pass new_version=True to add a version")
            self._dataset_for(user, ds_name, Role.EDIT)
        parent = _version_number(parent_version) if parent_version is not None else None
        if parent is not None and (existing is None or self.store.get_version(ds_name, parent, False) is None):
            raise invalid(f"parent version {parent} of dataset {quoted(ds_name)} does not exist")

        src, named = self._upload_file(upload)
        parquet_tmp = self.uploads.scratch(upload) / f".{uuid.uuid4().hex}.parquet"
        try:
            info = self.backend.ingest(src, parquet_tmp, format, sheet)
            if existing is not None and existing.kind != info["kind"]:
                raise invalid(f"dataset {quoted(ds_name)} holds {existing.kind} data; this upload is {info['kind']}")
            manifest, num_rows = self._manifest(upload, info, parquet_tmp)
        except (OSError, MLHubError) as exc:
            # Full or read-only storage: nothing was kept, the upload can be registered again later.
            err = storage_error(exc, f"registering {upload.filename}")
            if err is None:
                raise
            raise err from exc
        finally:
            if parquet_tmp.exists():   # (unlink itself fails on a read-only disk, even for no file)
                parquet_tmp.unlink()
            if named is not None:
                shutil.rmtree(named, ignore_errors=True)
        version = DatasetVersion(
            dataset=ds_name, version=0, created_by=user, kind=info["kind"], format=info["format"], size=upload.size,
            content_sha256=upload.sha256 or "", num_rows=num_rows, message=message,
            parent_version=parent if parent is not None else (existing.latest_version if existing else None),
            lineage={"source": "upload", "filename": upload.filename, **extra}, manifest=manifest)
        dataset = Dataset(name=ds_name, owner=user, description=description, visibility=vis, kind=info["kind"],
                          tags=tag_list)
        self.users.ensure_user(user)
        try:
            try:
                stored = self.store.add_version(dataset, version, create=existing is None)
            except MLHubError as e:
                # Created by someone else since we looked: with new_version, add to it instead.
                if not (e.code == ErrorCode.CONFLICT and existing is None and new_version):
                    raise
                current = self._dataset_for(user, ds_name, Role.EDIT)
                version.parent_version = parent if parent is not None else current.latest_version
                stored = self.store.add_version(dataset, version, create=False)
        except MLHubError as e:
            self._forget_blobs(manifest, upload)
            if e.code == ErrorCode.CONFLICT and not new_version:
                raise conflict(f"dataset {quoted(ds_name)} already exists; pass new_version=True to add a version") from None
            raise
        except BaseException:
            self._forget_blobs(manifest, upload)
            raise
        self.uploads.finish(upload)
        return stored

    def _upload_file(self, upload: Upload) -> tuple[Path, Path | None]:
        """The completed upload's local file, and the temp folder to remove after reading it
        (or None). Where the upload's bytes are in the blob store (an object store keeps
        completed uploads there; or the upload folder lost them, content registered
        before), its local copy is linked under the upload's own name: readers go by the
        name's extension and quote it. Never a server path in the error."""
        src = self.uploads.file(upload)
        if src is not None:
            return src, None
        assert upload.sha256 is not None
        if self.blobs.exists(upload.sha256):
            blob = self.blobs.local_path(upload.sha256)
            folder = self.uploads.scratch(upload) / f".{uuid.uuid4().hex}"
            folder.mkdir(parents=True)
            named = folder / safe_filename(upload.filename)
            try:
                os.link(blob, named)
            except OSError:   # another file system, or no hard links: a copy
                shutil.copyfile(blob, named)
            return named, folder
        raise conflict(f"the file of upload {upload.id} ({upload.filename}) is no longer on the server; "
                       "upload it again")

    def _manifest(self, upload: Upload, info: dict[str, Any], parquet_tmp: Path) -> tuple[dict[str, Any], int | None]:
        """Move the original into the blob store (once per content), add the Parquet copy.

        If adding the copy fails, the original goes back to its upload (to register again)."""
        assert upload.sha256 is not None
        src = self.uploads.file(upload)
        # A local blob root takes the file by a rename (the upload folder lives in it); where
        # completed uploads wait in the blob store (src None) the original is there already.
        moved = src is not None and self.blobs.store_file(src, upload.sha256, move=True)
        try:
            return self._described(upload, info, parquet_tmp)
        except BaseException:
            if moved and src is not None and not src.exists() and not self.store.blob_in_use(upload.sha256):
                self.blobs.move_out(upload.sha256, src)
            raise

    def _described(self, upload: Upload, info: dict[str, Any], parquet_tmp: Path) -> tuple[dict[str, Any], int | None]:
        assert upload.sha256 is not None
        files = [{"role": "original", "name": upload.filename, "sha256": upload.sha256, "size": upload.size}]
        if info["kind"] == DatasetKind.IMAGES:
            return {"format": info["format"], "files": files, "images": info["manifest"]}, None
        size = parquet_tmp.stat().st_size
        digest = self.blobs.put_file(parquet_tmp)
        stem = upload.filename.rsplit(".", 1)[0] or "data"
        files.append({"role": "parquet", "name": f"{stem}.parquet", "sha256": digest, "size": size})
        preview = info.get("preview") or {}
        return {"format": info["format"], "files": files, "schema": info["schema"], "stats": info["stats"],
                "num_rows": info["num_rows"], "reading": info.get("reading") or {},
                "preview": {"columns": preview.get("columns", info["schema"]),
                            "rows": preview.get("rows", [])[:PREVIEW_ROWS]}}, info["num_rows"]

    def _forget_blobs(self, manifest: dict[str, Any], upload: Upload) -> None:
        """Undo what a failed registration put in the blob store that no version refers to:
        the Parquet copy is dropped, the original goes back to its upload (to retry)."""
        for f in manifest.get("files", []):
            if self.store.blob_in_use(f["sha256"]):
                continue
            if f["role"] != "original":
                self.blobs.delete(f["sha256"])
                continue
            # Where completed uploads wait in the blob store (home None), the original stays there.
            back = self.uploads.home(upload)
            if back is not None and not back.exists() and self.blobs.exists(f["sha256"]):
                self.blobs.move_out(f["sha256"], back)

    def rollback(self, user: str, name: str, version: Any, message: Any = None) -> DatasetVersion:
        """A new version whose content equals ``version``'s (history is never rewritten)."""
        ds = self._dataset_for(user, name, Role.EDIT)
        v = _version_number(version)
        if v is None:
            raise invalid("rollback needs the version number to go back to")
        src = self.store.get_version(name, v, True)
        if src is None:
            raise not_found(f"version of dataset {quoted(name)}", v)
        if message is not None and not isinstance(message, str):
            raise invalid("message must be a string")
        new = DatasetVersion(
            dataset=name, version=0, created_by=user, kind=src.kind, format=src.format, size=src.size,
            content_sha256=src.content_sha256, num_rows=src.num_rows,
            message=message or f"rollback to version {v}", parent_version=v,
            lineage={"source": "rollback", "rollback_of": v}, manifest=src.manifest)
        return self.store.add_version(ds, new, create=False)
