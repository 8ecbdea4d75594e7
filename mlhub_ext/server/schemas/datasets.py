"""Datasets, their versions and members, and the chunked uploads they are made from."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, SkipValidation, StrictBool

from ...core.uploads import MAX_CHUNK, MIN_CHUNK
from .base import (Integer, Name, Object, Request, Response, Role, Sha256, StrictRequest, Tags, Timestamp, Version,
                   Visibility, optional)


class DatasetVersion(Response):
    dataset: str
    version: int
    created_by: str
    created_at: Timestamp | None
    message: str
    parent_version: int | None
    kind: Literal["table", "images"]
    format: str
    size: int = Field(description="bytes of the original file")
    num_rows: int | None
    content_sha256: str
    lineage: Object = Field(description="source (upload, rollback...), parent_version, ops")
    manifest: Object = optional("files (role, name, sha256, size), schema, stats, preview, reading (see Reading) "
                                "or images; only on a single version")


class RenamedColumn(Response):
    position: int = optional("1-based")
    original: str = optional()
    name: str = optional()


class Reading(Response):
    """what reading the file changed or chose; keys only where they apply"""

    renamed_columns: list[RenamedColumn] = optional("blank header cells and their generated names")
    text_columns: list[str] = optional("columns of mixed types read as text")
    sheet: str = optional("the workbook sheet read")
    sheets: list[str] = optional("every sheet of the workbook, in order")


class DatasetVersionList(Response):
    versions: list[DatasetVersion]


class Dataset(Response):
    name: str
    owner: str
    description: str
    visibility: Visibility
    kind: str
    tags: list[str]
    latest_version: int
    created_at: Timestamp | None
    updated_at: Timestamp | None
    latest: DatasetVersion | None
    role: Role | None = Field(description="the caller's role; null where the item is only public to them")


class DatasetList(Response):
    datasets: list[Dataset]
    total: int


class Registration(StrictRequest):
    what = "a registration"
    upload_id: str
    name: Name = optional("default: the file name, normalised (My Data.csv -> my_data)")
    description: str = optional()
    tags: Tags = optional()
    visibility: Visibility = optional()
    new_version: StrictBool = optional("add a version to an existing dataset instead of 409")
    message: str = optional()
    format: Literal["csv", "tsv", "json", "jsonl", "xlsx", "parquet", "images"] = optional()
    lineage: Object = optional("e.g. {source: process, ops: [...]} from the SDK")
    parent_version: Version = optional()
    # Checked by the core, which names the workbook's sheets: the model only documents it.
    sheet: SkipValidation[str] = optional("the sheet of an Excel workbook to read (also ?sheet=); default: the "
                                          "first sheet that holds rows")


class Registered(Response):
    dataset: Dataset = optional()
    version: DatasetVersion = optional()


class DatasetPatch(StrictRequest):
    what = "a dataset update"
    description: str = optional()
    visibility: Visibility = optional()
    tags: Tags = optional()


class Rollback(Request):
    what = "a rollback"
    version: Version
    message: str = optional()


class Preview(Response):
    version: int = optional()
    kind: str = optional()
    columns: list[Object] = optional()
    rows: list[list[Any]] = optional()
    total_rows: int | None = optional()
    reading: Reading = optional()
    classes: Object = optional()
    images: list[Object] = optional()


class DatasetStats(Response):
    """tables: num_rows, num_columns and per column count, missing, unique, mean, std, min, p25, p50, p75, max,
    histogram, top (text and boolean: the 5 most frequent values with counts) and top_exact; images: classes,
    formats, size_distribution"""

    version: int = optional()
    kind: str = optional()
    columns: list[Object] = optional()


class DatasetDiff(Response):
    dataset: str = optional()
    old: int = optional()
    new: int = optional()
    schema_: Object = optional(alias="schema")
    rows: Object = optional()
    stats: list[Object] = optional()


class Thumbnail(Response):
    path: str = optional()
    png_base64: str = optional()


class Thumbnails(Response):
    version: int = optional()
    thumbnails: dict[str, list[Thumbnail]] = optional()


class DatasetMember(Response):
    dataset: str = optional()
    user: str = optional()
    role: str = optional()


class DatasetMemberList(Response):
    members: list[DatasetMember] = optional()


class NewUpload(Request):
    what = "a new upload"
    # Sizes are domain rules the core states in its own words ("an empty file cannot be
    # uploaded", "chunk_size must be ..."): the document states them, the model checks types.
    filename: str = Field(json_schema_extra={"minLength": 1, "maxLength": 512})
    size: Integer = Field(description="bytes; must match what is sent", json_schema_extra={"minimum": 1})
    sha256: Sha256 = optional("the whole file's, if known in advance")
    chunk_size: Integer = optional("64 KiB to 8 MiB; default 8 MiB",
                                   json_schema_extra={"minimum": MIN_CHUNK, "maximum": MAX_CHUNK})


class Upload(Response):
    id: str
    filename: str
    size: int
    chunk_size: int
    sha256: str | None
    status: Literal["open", "complete", "failed", "registered"]
    received_bytes: int
    received: list[list[int]] = Field(description="[start, end) byte ranges received")
    missing: list[list[int]]
    created_at: Timestamp | None
    completed_at: Timestamp | None


class ChunkReceived(Response):
    id: str = optional()
    offset: int = optional()
    received_bytes: int = optional()
    size: int = optional()


class CompleteUpload(Request):
    what = "an upload completion"
    sha256: Sha256
