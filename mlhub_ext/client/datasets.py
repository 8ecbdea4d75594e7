"""``mh.datasets``: upload, find, load, process and version datasets from a kernel.

>>> ds = mh.datasets.upload("data/My DataSet.csv")          # DatasetVersion: "my_dataset", version 1
>>> df = mh.datasets.get("my_dataset").to_pandas()
>>> v2 = ds.process([mh.data.ops.dropna(subset=["b"])], message="clean")
>>> mh.datasets.get("my_dataset").rollback(1)               # version 3, equal to version 1
>>> [(v.version, v.message) for v in ds.versions()]         # DatasetVersion objects, newest first
>>> mh.datasets.list().to_pandas()                          # the catalogue (Dataset objects) as a table

Processing runs here, in the caller's process (the registry never runs user code): the
version's Parquet copy is downloaded, the operations applied with pandas, and the result
uploaded as the next version with its lineage. Downloads are cached by content digest.
"""
from __future__ import annotations

import builtins
import os
import tempfile
import zipfile
from dataclasses import dataclass
from dataclasses import field as _field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence
from urllib.parse import quote

from ..core.errors import ErrorCode, MLHubError
from . import config
from .http import HTTPClient
from .records import NotADict, Records, ts
from .uploads import Progress, upload_file

if TYPE_CHECKING:
    import pandas as pd

STAT_FIELDS = ("type", "count", "missing", "unique", "mean", "std", "min", "p25", "p50", "p75", "max")


def _client() -> HTTPClient:
    return HTTPClient(config.resolve(), timeout=120)


def cache_dir() -> Path:
    """Where downloaded dataset files are kept, by digest (``MLHUB_CACHE_DIR`` or ~/.cache/mlhub)."""
    root = os.environ.get("MLHUB_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "mlhub")
    path = Path(root) / "datasets"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _q(name: str) -> str:
    return quote(name, safe="")


VERSION_COLUMNS = ("version", "message", "created_by", "created_at", "parent_version", "kind", "format", "size",
                   "num_rows", "content_sha256")


class DatasetVersion(NotADict):
    """One version of a dataset: what ``mh.datasets.get``/``upload``, ``.versions()``,
    ``.process()`` and ``.rollback()`` return.

    Attributes: ``name``, ``version`` (1, 2, ...), ``kind`` (``"table"`` or ``"images"``),
    ``format``, ``size`` (bytes of the original file), ``num_rows`` (None for images),
    ``message``, ``created_by``, ``created_at`` (UTC), ``parent_version``,
    ``content_sha256``, ``lineage``; ``info`` is the version's JSON as the server sent it
    (``raw`` too). The data: ``to_pandas()``, ``preview()``, ``stats()``, ``download()``.
    """

    def __init__(self, http: HTTPClient, info: dict[str, Any]) -> None:
        self._http = http
        self.info = info
        self.name: str = info["dataset"]
        self.version: int = info["version"]
        self.kind: str = info["kind"]

    def __repr__(self) -> str:
        rows = f", {self.info['num_rows']} rows" if self.info.get("num_rows") is not None else ""
        return f"<DatasetVersion {self.name!r} version {self.version} ({self.info['format']}{rows})>"

    @property
    def raw(self) -> dict[str, Any]:
        return self.info

    @property
    def format(self) -> str:
        return self.info["format"]

    @property
    def size(self) -> int:
        return int(self.info.get("size") or 0)

    @property
    def num_rows(self) -> int | None:
        return self.info.get("num_rows")

    @property
    def message(self) -> str:
        return self.info.get("message") or ""

    @property
    def created_by(self) -> str:
        return self.info.get("created_by") or ""

    @property
    def created_at(self) -> datetime | None:
        return ts(self.info.get("created_at"))

    @property
    def parent_version(self) -> int | None:
        return self.info.get("parent_version")

    @property
    def content_sha256(self) -> str:
        return self.info.get("content_sha256") or ""

    def _row(self) -> dict[str, Any]:
        return {"version": self.version, "message": self.message, "created_by": self.created_by,
                "created_at": self.created_at, "parent_version": self.parent_version, "kind": self.kind,
                "format": self.format, "size": self.size, "num_rows": self.num_rows,
                "content_sha256": self.content_sha256}

    def _path(self, *parts: str) -> str:
        return "/".join(["datasets", _q(self.name), "versions", str(self.version), *parts])

    @property
    def manifest(self) -> dict[str, Any]:
        if "manifest" not in self.info:
            self.info = self._http.get(self._path())
        return self.info["manifest"]

    @property
    def schema(self) -> list[dict[str, str]]:
        return [dict(c) for c in self.manifest.get("schema", [])]

    @property
    def lineage(self) -> dict[str, Any]:
        return dict(self.info.get("lineage") or {})

    def download(self, dest: str | os.PathLike[str] | None = None, file: str = "original") -> Path:
        """The original file (or ``file="parquet"``, the typed copy) on local disk."""
        entry = next((f for f in self.manifest["files"] if f["role"] == file), None)
        if entry is None:
            raise MLHubError(ErrorCode.NOT_FOUND, f"{self!r} has no {file} file")
        cached = cache_dir() / entry["sha256"]
        if not cached.exists():
            import requests

            url = self._http.conn.api + self._path("files")
            tmp = cached.with_name(f".{cached.name}.{os.getpid()}.part")
            try:
                with self._http.session.get(url, params={"file": file}, stream=True, timeout=600) as resp:
                    if resp.status_code >= 400:
                        from .http import error_from_response

                        raise error_from_response(resp.status_code, resp.content, url)
                    with open(tmp, "wb") as out:
                        for block in resp.iter_content(1 << 20):
                            out.write(block)
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
                tmp.unlink(missing_ok=True)
                raise MLHubError(ErrorCode.UNAVAILABLE, f"downloading {self!r} from ML Hub at "
                                                        f"{self._http.conn.url} failed: {exc}") from None
            os.replace(tmp, cached)
        if dest is None:
            return cached
        import shutil

        dest = Path(dest)
        target = dest / entry["name"] if dest.is_dir() else dest
        shutil.copyfile(cached, target)
        return target

    def to_pandas(self, columns: Sequence[str] | None = None) -> "pd.DataFrame":
        """The data as a DataFrame (an image collection gives one row per image: path, class, size...).

        Integers stay exact: an integer column with missing values is a nullable pandas
        ``Int64``/``UInt64``... column (not float64, which rounds beyond 2**53); one
        without is plain ``int64``/``uint64``. Raises ``MLHubError`` for a column name that
        does not exist or a damaged downloaded copy (which is then removed).
        """
        import pandas as pd

        if self.kind == "images":
            return pd.DataFrame(self.manifest["images"]["images"])
        return _read_exact(self.download(file="parquet"), [*columns] if columns else None, repr(self))

    def preview(self, rows: int = 20) -> "pd.DataFrame":
        """The first rows, from the preview stored at registration."""
        import pandas as pd

        body = self._http.get(self._path("preview"), params={"rows": rows})
        if self.kind == "images":
            return pd.DataFrame(body["images"])
        return pd.DataFrame(body["rows"], columns=[c["name"] for c in body["columns"]])

    def stats(self) -> Any:
        """Per-column statistics as a DataFrame (image collections: a dict of counts and sizes)."""
        import pandas as pd

        body = self._http.get(self._path("stats"))
        if self.kind == "images":
            return body
        frame = pd.DataFrame(body["columns"]).set_index("name")
        return frame[[c for c in STAT_FIELDS if c in frame.columns]]

    def versions(self) -> Records["DatasetVersion"]:
        """Every version of this dataset, newest first, as :class:`DatasetVersion` objects
        (``.to_pandas()``: one row per version: version, message, created_by, created_at,
        parent_version, kind, format, size, num_rows, content_sha256)."""
        got = self._http.get(f"datasets/{_q(self.name)}/versions")["versions"]
        return Records((DatasetVersion(self._http, v) for v in got), VERSION_COLUMNS)

    def rollback(self, version: int, message: str | None = None) -> "DatasetVersion":
        """Make a new version equal in content to ``version``; returns it."""
        body: dict[str, Any] = {"version": version}
        if message is not None:
            body["message"] = message
        info = self._http.post(f"datasets/{_q(self.name)}/rollback", json=body)
        return DatasetVersion(self._http, info)

    def diff(self, a: int | None = None, b: int | None = None) -> dict[str, Any]:
        """Schema, row and statistics differences from version ``a`` to ``b`` (default: this one)."""
        old = a if a is not None else (self.info.get("parent_version") or self.version)
        new = b if b is not None else self.version
        return self._http.get(f"datasets/{_q(self.name)}/versions/{new}/diff", params={"other": old})

    def process(self, ops: Sequence[dict[str, Any]], message: str = "", dask: Any = None,
                progress: Progress | None = None) -> "DatasetVersion":
        """Apply operations (``mh.data.ops.*``) here and register the result as the next version.

        ``dask``: a ``distributed.Client`` to run them on a worker instead of this process.
        """
        from ..data.ops import apply_ops, lineage, validate_op

        if self.kind != "table":
            raise MLHubError(ErrorCode.INVALID, "processing operations apply to tables, not image collections")
        specs = [validate_op(op) for op in ops]
        df = self.to_pandas()
        out = dask.submit(apply_ops, df, specs).result() if dask is not None else apply_ops(df, specs)
        with tempfile.TemporaryDirectory(prefix="mlhub-") as tmp:
            path = Path(tmp) / f"{self.name}.parquet"
            reading = _write_frame(out, path, f"the result of processing {self.name!r}")
            up = upload_file(self._http, path, progress=progress)
        extra = {"reading": reading} if reading else {}
        reg = self._http.post("datasets", json={
            "upload_id": up["id"], "name": self.name, "new_version": True, "message": message,
            "parent_version": self.version, "lineage": {"source": "process", "ops": lineage(specs), **extra}})
        return DatasetVersion(self._http, reg["version"])


LISTING_COLUMNS = ("name", "owner", "kind", "version", "rows", "size", "format", "tags", "description",
                   "updated_at")


@dataclass(frozen=True)
class Dataset(NotADict):
    """A dataset in the catalogue, as ``mh.datasets.list()`` gives it.

    ``latest_version``: its newest version's number; ``latest``: that version (a
    :class:`DatasetVersion`, without its manifest until needed) or None; ``role``: your
    role (``owner``, ``manage``, ``edit``, ``read``); times are UTC. ``version(n)`` loads one.
    """

    name: str
    owner: str
    kind: str
    latest_version: int
    description: str
    visibility: str
    tags: builtins.list[str]
    role: str | None
    created_at: datetime | None
    updated_at: datetime | None
    latest: DatasetVersion | None = _field(default=None, repr=False, compare=False)
    raw: dict[str, Any] = _field(default_factory=dict, repr=False, compare=False)
    _http: HTTPClient | None = _field(default=None, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict[str, Any], http: HTTPClient | None = None) -> "Dataset":
        latest = DatasetVersion(http, d["latest"]) if d.get("latest") and http is not None else None
        return cls(d["name"], d["owner"], d.get("kind", "table"), int(d.get("latest_version") or 0),
                   d.get("description") or "", d.get("visibility", "private"), builtins.list(d.get("tags") or []),
                   d.get("role"), ts(d.get("created_at")), ts(d.get("updated_at")), latest, d, http)

    def version(self, version: int | str | None = None) -> DatasetVersion:
        """A version of this dataset (the latest unless ``version`` is given)."""
        return get(self.name, version, _http=self._http)

    def _row(self) -> dict[str, Any]:
        latest = self.raw.get("latest") or {}
        return {"name": self.name, "owner": self.owner, "kind": self.kind, "version": self.latest_version,
                "rows": latest.get("num_rows"), "size": latest.get("size"), "format": latest.get("format"),
                "tags": self.tags, "description": self.description, "updated_at": self.updated_at}


def _write_frame(df: "pd.DataFrame", path: Path, source: str) -> dict[str, Any]:
    """Write ``df`` as Parquet by the registry's rules for files (mixed-type columns as text,
    blank column names generated, repeated ones refused); returns what was changed."""
    import pyarrow.parquet as pq

    from ..data.frames import ReadReport, frame_to_table

    report = ReadReport()
    table = frame_to_table(df, source, report)
    try:
        pq.write_table(table, path)
    except OSError as exc:
        raise MLHubError(ErrorCode.INVALID, f"cannot write {source} to a temporary file: {exc}") from exc
    return report.to_json()


def _read_exact(path: Path, columns: list[str] | None, what: str) -> "pd.DataFrame":
    """The Parquet copy as a DataFrame, integer columns with missing values as nullable ints."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    if columns:
        try:
            names = pq.read_schema(path).names
        except (pa.ArrowInvalid, OSError):
            names = None  # damaged: reported below
        unknown = [c for c in columns if names is not None and c not in names]
        if unknown:
            raise MLHubError(ErrorCode.INVALID, f"{what} has no column{'s' if len(unknown) > 1 else ''} "
                             f"{', '.join(map(repr, unknown))}; its columns are {', '.join(names or [])}",
                             columns=unknown)
    try:
        table = pq.read_table(path, columns=columns)
    except (pa.ArrowInvalid, OSError) as exc:
        path.unlink(missing_ok=True)  # a damaged copy in the cache: the next call downloads it again
        raise MLHubError(ErrorCode.UNAVAILABLE, f"the downloaded copy of {what} was damaged ({exc}); "
                                                "it was removed: call again to download it anew") from exc
    frame = table.to_pandas()
    nullable = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
                pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(),
                pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype()}
    for i, field in enumerate(table.schema):
        column = table.column(i)
        if field.type in nullable and column.null_count and field.name in frame.columns:
            exact = column.to_pandas(types_mapper=nullable.get)
            frame[field.name] = pd.Series(exact.array, index=frame.index, name=field.name)
    return frame


def _zip_folder(folder: Path, dest: Path) -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_STORED) as zf:  # images are compressed already
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                zf.write(path, path.relative_to(folder.parent).as_posix())
    return dest


def upload(path_or_dataframe: Any, name: str | None = None, description: str = "", tags: list[str] | None = None,
           visibility: str = "private", new_version: bool = False, message: str = "", format: str | None = None,
           progress: Progress | Callable[[int, int], None] | None = None,
           sheet: str | None = None) -> DatasetVersion:
    """Register a file, folder (image collection), zip or DataFrame; returns its new version.

    The name defaults to the file name, normalised (``"My DataSet.csv"`` -> ``my_dataset``);
    a DataFrame needs ``name``. An existing name is a conflict unless ``new_version=True``.
    ``sheet`` names the sheet of an Excel workbook to read (default: the first sheet that
    holds rows; ``version.manifest["reading"]`` says which was read and lists all).
    A DataFrame is stored by the rules for files: a column of mixed types (``[1, "A7"]``)
    becomes text, a blank column name becomes ``column_<position>``, a repeated one is an
    error; such changes are recorded in the version's ``lineage["reading"]``. Errors are
    ``MLHubError`` (``invalid``, ``conflict``, ``not_found``...), never a library's own.
    """
    http = _client()
    extra: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="mlhub-") as tmp:
        if hasattr(path_or_dataframe, "to_parquet") and hasattr(path_or_dataframe, "columns"):
            if not name:
                raise MLHubError(ErrorCode.INVALID, "uploading a DataFrame needs name=")
            path = Path(tmp) / f"{name}.parquet"
            reading = _write_frame(path_or_dataframe, path, f"the DataFrame for {name!r}")
            if reading:
                extra["lineage"] = {"source": "dataframe", "reading": reading}
        else:
            if not isinstance(path_or_dataframe, (str, os.PathLike)):
                raise MLHubError(ErrorCode.INVALID, "mh.datasets.upload takes the path of a file, folder or zip, "
                                                    "or a pandas DataFrame; not a "
                                                    f"{type(path_or_dataframe).__name__}")
            path = Path(path_or_dataframe)
            if not path.exists():
                raise MLHubError(ErrorCode.NOT_FOUND, f"{path} does not exist")
            if path.is_dir():
                path = _zip_folder(path.resolve(), Path(tmp) / f"{path.resolve().name}.zip")
        up = upload_file(http, path, progress=progress)
        body: dict[str, Any] = {"upload_id": up["id"], "description": description, "tags": tags or [],
                                "visibility": visibility, "new_version": new_version, "message": message}
        if name:
            body["name"] = name
        if format:
            body["format"] = format
        if sheet is not None:
            body["sheet"] = sheet
        body.update(extra)
        reg = http.post("datasets", json=body, timeout=3600)
    return DatasetVersion(http, reg["version"])


def get(name: str, version: int | str | None = None, *, _http: HTTPClient | None = None) -> DatasetVersion:
    """A version of a dataset (the latest unless ``version`` is given)."""
    http = _http or _client()
    ref = version if version is not None else "latest"
    return DatasetVersion(http, http.get(f"datasets/{_q(name)}/versions/{_q(str(ref))}"))


def list(q: str | None = None, tag: str | None = None, owner: str | None = None,  # noqa: A001
         limit: int = 100) -> Records[Dataset]:
    """Datasets you may read, as :class:`Dataset` objects, most recently updated first.

    ``.to_pandas()`` gives the table: name, owner, kind, version (the latest), rows, size,
    format, tags, description, updated_at.
    """
    http = _client()
    params = {k: v for k, v in {"q": q, "tag": tag, "owner": owner, "limit": limit}.items() if v is not None}
    return Records((Dataset.from_json(d, http) for d in http.get("datasets", params=params)["datasets"]),
                   LISTING_COLUMNS)
