"""The datasets and uploads part of the OpenAPI document (merged by :mod:`.openapi`)."""
from __future__ import annotations

from typing import Any, Callable

from ..core.uploads import MAX_CHUNK, MIN_CHUNK
from .openapi_rules import NAME, SHA256, TAGS, VERSION

Schema = dict[str, Any]
TS = {"type": "string", "format": "date-time", "nullable": True}
VIS = {"type": "string", "enum": ["private", "public"]}
STR_LIST = {"type": "array", "items": {"type": "string"}}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: dict[str, Schema] = {
    "DatasetVersion": {"type": "object", "properties": {
        "dataset": {"type": "string"}, "version": {"type": "integer"}, "created_by": {"type": "string"},
        "created_at": TS, "message": {"type": "string"}, "parent_version": {"type": "integer", "nullable": True},
        "kind": {"type": "string", "enum": ["table", "images"]}, "format": {"type": "string"},
        "size": {"type": "integer", "description": "bytes of the original file"},
        "num_rows": {"type": "integer", "nullable": True}, "content_sha256": {"type": "string"},
        "lineage": {"type": "object", "description": "source (upload, rollback...), parent_version, ops"},
        "manifest": {"type": "object", "description": "files (role, name, sha256, size), schema, stats, preview, "
                                                      "reading (see Reading) or images; only on a single version"}}},
    "Reading": {"type": "object", "description": "what reading the file changed or chose; keys only where "
                "they apply", "properties": {
                    "renamed_columns": {"type": "array", "description": "blank header cells and their generated "
                                        "names", "items": {"type": "object", "properties": {
                                            "position": {"type": "integer", "description": "1-based"},
                                            "original": {"type": "string"}, "name": {"type": "string"}}}},
                    "text_columns": {**STR_LIST, "description": "columns of mixed types read as text"},
                    "sheet": {"type": "string", "description": "the workbook sheet read"},
                    "sheets": {**STR_LIST, "description": "every sheet of the workbook, in order"}}},
    "DatasetVersionList": {"type": "object", "properties": {"versions": {"type": "array",
                                                                         "items": _ref("DatasetVersion")}}},
    "Dataset": {"type": "object", "properties": {
        "name": {"type": "string"}, "owner": {"type": "string"}, "description": {"type": "string"},
        "visibility": VIS, "kind": {"type": "string"}, "tags": STR_LIST, "latest_version": {"type": "integer"},
        "created_at": TS, "updated_at": TS, "latest": {**_ref("DatasetVersion"), "nullable": True},
        "role": {"type": "string", "nullable": True}}},
    "DatasetList": {"type": "object", "properties": {"datasets": {"type": "array", "items": _ref("Dataset")},
                                                     "total": {"type": "integer"}}},
    "Registration": {"type": "object", "required": ["upload_id"], "additionalProperties": False, "properties": {
        "upload_id": {"type": "string"},
        "name": {**NAME, "description": "default: the file name, normalised (My Data.csv -> my_data)"},
        "description": {"type": "string"}, "tags": TAGS, "visibility": VIS,
        "new_version": {"type": "boolean", "description": "add a version to an existing dataset instead of 409"},
        "message": {"type": "string"}, "format": {"type": "string", "enum": [
            "csv", "tsv", "json", "jsonl", "xlsx", "parquet", "images"]},
        "lineage": {"type": "object", "description": "e.g. {source: process, ops: [...]} from the SDK"},
        "parent_version": VERSION,
        "sheet": {"type": "string", "description": "the sheet of an Excel workbook to read (also ?sheet=); "
                                                   "default: the first sheet that holds rows"}}},
    "Registered": {"type": "object", "properties": {"dataset": _ref("Dataset"), "version": _ref("DatasetVersion")}},
    "DatasetPatch": {"type": "object", "additionalProperties": False, "properties": {
        "description": {"type": "string"}, "visibility": VIS, "tags": TAGS}},
    "Rollback": {"type": "object", "required": ["version"], "properties": {
        "version": VERSION, "message": {"type": "string"}}},
    "Preview": {"type": "object", "properties": {
        "version": {"type": "integer"}, "kind": {"type": "string"},
        "columns": {"type": "array", "items": {"type": "object"}}, "rows": {"type": "array", "items": {
            "type": "array", "items": {}}}, "total_rows": {"type": "integer", "nullable": True},
        "reading": _ref("Reading"),
        "classes": {"type": "object"}, "images": {"type": "array", "items": {"type": "object"}}}},
    "DatasetStats": {"type": "object", "description": "tables: num_rows, num_columns and per column count, "
                     "missing, unique, mean, std, min, p25, p50, p75, max, histogram, top (text and boolean: the 5 most "
                     "frequent values with counts) and top_exact; images: classes, formats, "
                     "size_distribution", "properties": {"version": {"type": "integer"}, "kind": {"type": "string"},
                                                         "columns": {"type": "array", "items": {"type": "object"}}}},
    "DatasetDiff": {"type": "object", "properties": {
        "dataset": {"type": "string"}, "old": {"type": "integer"}, "new": {"type": "integer"},
        "schema": {"type": "object"}, "rows": {"type": "object"}, "stats": {"type": "array", "items": {"type": "object"}}}},
    "Thumbnails": {"type": "object", "properties": {"version": {"type": "integer"}, "thumbnails": {
        "type": "object", "additionalProperties": {"type": "array", "items": {"type": "object", "properties": {
            "path": {"type": "string"}, "png_base64": {"type": "string"}}}}}}},
    "DatasetMember": {"type": "object", "properties": {"dataset": {"type": "string"}, "user": {"type": "string"},
                                                       "role": {"type": "string"}}},
    "DatasetMemberList": {"type": "object", "properties": {"members": {"type": "array",
                                                                       "items": _ref("DatasetMember")}}},
    "NewUpload": {"type": "object", "required": ["filename", "size"], "properties": {
        "filename": {"type": "string", "minLength": 1, "maxLength": 512},
        "size": {"type": "integer", "minimum": 1, "description": "bytes; must match what is sent"},
        "sha256": {**SHA256, "description": "the whole file's, if known in advance"},
        "chunk_size": {"type": "integer", "minimum": MIN_CHUNK, "maximum": MAX_CHUNK,
                       "description": "64 KiB to 8 MiB; default 8 MiB"}}},
    "Upload": {"type": "object", "properties": {
        "id": {"type": "string"}, "filename": {"type": "string"}, "size": {"type": "integer"},
        "chunk_size": {"type": "integer"}, "sha256": {"type": "string", "nullable": True},
        "status": {"type": "string", "enum": ["open", "complete", "failed", "registered"]},
        "received_bytes": {"type": "integer"},
        "received": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}},
                     "description": "[start, end) byte ranges received"},
        "missing": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
        "created_at": TS, "completed_at": TS}},
    "ChunkReceived": {"type": "object", "properties": {"id": {"type": "string"}, "offset": {"type": "integer"},
                                                       "received_bytes": {"type": "integer"},
                                                       "size": {"type": "integer"}}},
    "CompleteUpload": {"type": "object", "required": ["sha256"], "properties": {"sha256": SHA256}},
}


def dataset_paths(op: Callable[..., Schema], param: Callable[..., Schema], errors: dict[str, str]) -> dict[str, Schema]:
    """The paths, built with the document's own ``_op`` and ``_param`` helpers."""
    name = [param("name", desc="dataset name")]
    ver = name + [param("version", desc="a version number or 'latest'")]
    upload = [param("upload_id")]
    err = {c: {"description": errors[c], "content": {"application/json": {"schema": _ref("Error")}}}
           for c in ("401", "404", "422")}
    binary = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
    return {
        "/datasets": {
            "get": op("List and search datasets the caller may read", "DatasetList", params=[
                param("q", "query", desc="substring of name, description or a tag"), param("tag", "query"),
                param("owner", "query"), param("limit", "query", {"type": "integer", "default": 50}),
                param("offset", "query", {"type": "integer", "default": 0})]),
            "post": op("Register a completed upload as a dataset (version 1) or, with new_version, its next "
                       "version; bad input registers nothing", "Registered", "Registration", "201",
                       params=[param("sheet", "query", desc="the sheet of an Excel workbook to read (as the "
                                     "body's sheet); a name that does not exist is a 422 naming the sheets")],
                       errors=("400", "401", "403", "404", "409", "422")),
        },
        "/datasets/{name}": {"get": op("Get a dataset with its latest version", "Dataset", params=name),
                             "patch": op("Change description, tags or visibility", "Dataset", "DatasetPatch",
                                         params=name)},
        "/datasets/{name}/versions": {"get": op("Versions, newest first", "DatasetVersionList", params=name)},
        "/datasets/{name}/versions/{version}": {"get": op("A version with its manifest", "DatasetVersion",
                                                          params=ver)},
        "/datasets/{name}/versions/{version}/preview": {"get": op(
            "First rows and column types (images: classes and first images)", "Preview",
            params=ver + [param("rows", "query", {"type": "integer", "default": 20})])},
        "/datasets/{name}/versions/{version}/stats": {"get": op(
            "Statistics computed once at registration", "DatasetStats", params=ver)},
        "/datasets/{name}/versions/{version}/files": {"get": {
            "summary": "Download the original file or the Parquet copy",
            "parameters": ver + [param("file", "query", {"type": "string", "enum": ["original", "parquet"]})],
            "responses": {"200": {"description": "the file", "content": binary}, **err}}},
        "/datasets/{name}/versions/{version}/diff": {"get": op(
            "Differences (schema, rows, statistics) from version `other` to this one", "DatasetDiff",
            params=ver + [{**param("other", "query", {"type": "string"}, "the older version"), "required": True}])},
        "/datasets/{name}/versions/{version}/thumbnails": {"get": op(
            "Thumbnails per class of an image collection", "Thumbnails", params=ver + [
                param("per_class", "query", {"type": "integer", "minimum": 1, "maximum": 32, "default": 4}),
                param("size", "query", {"type": "integer", "minimum": 8, "maximum": 256, "default": 64})])},
        "/datasets/{name}/rollback": {"post": op("Make a new version equal in content to an older one",
                                                 "DatasetVersion", "Rollback", "201", params=name)},
        "/datasets/{name}/members": {"get": op("Members with their roles", "DatasetMemberList", params=name)},
        "/datasets/{name}/members/{user}": {
            "put": op("Share the dataset with a user", "DatasetMember", "MemberRole", params=name + [param("user")]),
            "delete": op("Revoke a user's access", None, status="204", params=name + [param("user")]),
        },
        "/uploads": {"post": op("Start a resumable chunked upload", "Upload", "NewUpload", "201",
                                errors=("400", "401", "413", "422"))},
        "/uploads/{upload_id}": {"get": op("An upload's received and missing byte ranges", "Upload", params=upload)},
        "/uploads/{upload_id}/chunks/{offset}": {"put": {
            **op("Send one chunk at a multiple of chunk_size (any order; a retry rewrites the same bytes)",
                 "ChunkReceived", params=upload + [
                     param("offset", desc="byte offset"),
                     {**param("X-Chunk-SHA256", "header", SHA256, "sha256 of this chunk's bytes"), "required": True}],
                 errors=("400", "401", "404", "409", "413", "422")),
            "requestBody": {"required": True, "content": binary}}},
        "/uploads/{upload_id}/complete": {"post": op(
            "Check every byte arrived and the whole file's sha256; then register it with POST /datasets",
            "Upload", "CompleteUpload", params=upload, errors=("400", "401", "404", "409", "422"))},
    }
