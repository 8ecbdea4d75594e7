"""The OpenAPI 3 document of the REST API (``GET /mlhub/api/v1/openapi.json``)."""
from __future__ import annotations

from typing import Any

from .. import __version__
from ..core.validation import MAX_INT
from .openapi_datasets import SCHEMAS as DATASET_SCHEMAS
from .openapi_datasets import dataset_paths
from .openapi_models import SCHEMAS as MODEL_SCHEMAS
from .openapi_models import model_paths
from .openapi_me import SCHEMAS as ME_SCHEMAS
from .openapi_me import me_paths
from .openapi_home import SCHEMAS as HOME_SCHEMAS
from .openapi_home import home_paths
from .openapi_rules import NAME, TAGS, USER

Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


NUMBER_OR_NONFINITE: Schema = {"oneOf": [{"type": "number"}, {"type": "string", "enum": ["NaN", "Infinity", "-Infinity"]}]}
TS = {"type": "string", "format": "date-time", "nullable": True}
RUN_NAME = {"type": "string", "minLength": 1, "maxLength": 256}

SCHEMAS: dict[str, Schema] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}}}}},
    "Handshake": {"type": "object", "properties": {"version": {"type": "string"}, "mode": {"type": "string"},
                                                   "user": {"type": "string"}}},
    "Project": {"type": "object", "properties": {
        "name": {"type": "string"}, "owner": {"type": "string"}, "description": {"type": "string"},
        "visibility": {"type": "string", "enum": ["private", "public"]}, "created_at": TS, "updated_at": TS,
        "run_count": {"type": "integer"}, "role": {"type": "string", "nullable": True}}},
    "ProjectList": {"type": "object", "properties": {"projects": {"type": "array", "items": _ref("Project")},
                                                     "total": {"type": "integer"}}},
    "NewProject": {"type": "object", "required": ["name"], "properties": {
        "name": NAME, "description": {"type": "string"},
        "visibility": {"type": "string", "enum": ["private", "public"]}}},
    "ProjectPatch": {"type": "object", "additionalProperties": False, "properties": {
        "description": {"type": "string"}, "visibility": {"type": "string", "enum": ["private", "public"]}}},
    "Member": {"type": "object", "properties": {"project": {"type": "string"}, "user": {"type": "string"},
                                                "role": {"type": "string", "enum": ["read", "edit", "manage", "owner"]}}},
    "MemberList": {"type": "object", "properties": {"members": {"type": "array", "items": _ref("Member")}}},
    "MemberRole": {"type": "object", "required": ["role"], "properties": {
        "role": {"type": "string", "enum": ["read", "edit", "manage"]}}},
    "Run": {"type": "object", "properties": {
        "id": {"type": "string"}, "project": {"type": "string"}, "owner": {"type": "string"}, "name": {"type": "string"},
        "status": {"type": "string", "enum": ["running", "finished", "failed", "killed"]},
        "params": {"type": "object"}, "tags": {"type": "array", "items": {"type": "string"}},
        "summary": {"type": "object"}, "provenance": {"type": "object"}, "notes": {"type": "string"},
        "created_at": TS, "updated_at": TS, "finished_at": TS,
        "latest_metrics": {"type": "object", "additionalProperties": NUMBER_OR_NONFINITE},
        "last_seq": {"type": "integer"},
        "status_reason": {"type": "string", "description":
                          "what ended the run, e.g. 'kernel shut down', 'stopped from the lab', "
                          "'ValueError: bad input'; '' while running"},
        "stop_requested": {"type": "boolean", "description":
                           "POST /runs/{run_id}/stop was called; the logging process ends at its next log"}}},
    "RunLinks": {"type": "object", "properties": {
        "model_versions": {"type": "array", "items": _ref("ModelVersion")},
        "jobs": {"type": "array", "items": _ref("Job")},
        "datasets": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "version": {"type": "integer", "nullable": True},
            "via": {"type": "string", "description": "the model version or job that used it"}}}}}},
    "RunList": {"type": "object", "properties": {"runs": {"type": "array", "items": _ref("Run")},
                                                 "total": {"type": "integer"}}},
    "NewRun": {"type": "object", "required": ["project"], "additionalProperties": False, "properties": {
        "project": NAME, "name": RUN_NAME, "config": {"type": "object"},
        "tags": TAGS, "provenance": {"type": "object"},
        "notes": {"type": "string"}}},
    "RunPatch": {"type": "object", "additionalProperties": False, "properties": {
        "name": RUN_NAME, "status": {"type": "string", "enum": ["running", "finished", "failed", "killed"]},
        "status_reason": {"type": "string", "maxLength": 2000, "description":
                          "why the run has its status; a status change without one clears it"},
        "tags": TAGS, "summary": {"type": "object"}, "notes": {"type": "string"}}},
    "Params": {"type": "object", "required": ["params"], "additionalProperties": False,
               "properties": {"params": {"type": "object"}}},
    "MetricColumns": {"type": "object", "required": ["steps", "values"], "properties": {
        "steps": {"oneOf": [{"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 0,
                                                                       "maximum": MAX_INT}},
                            {"type": "string", "format": "byte"}]},
        "values": {"oneOf": [{"type": "array", "items": NUMBER_OR_NONFINITE}, {"type": "string", "format": "byte"}]},
        "timestamps": {"oneOf": [{"type": "array", "items": {"type": "number"}},
                                 {"type": "string", "format": "byte"}]}}},
    "MetricBatch": {"type": "object", "required": ["metrics"], "additionalProperties": False, "properties": {
        "seq": {"type": "integer", "minimum": 0, "maximum": MAX_INT,
                "description": "run-scoped sequence number; a repeated seq is applied once"},
        "encoding": {"type": "string", "enum": ["base64-le"], "description":
                     "compact form: each column is base64 of a little-endian array (int64 steps, float64 values "
                     "and timestamps)"},
        "metrics": {"type": "object", "minProperties": 1, "additionalProperties": _ref("MetricColumns")}}},
    "MetricBatchResult": {"type": "object", "properties": {
        "accepted": {"type": "integer"}, "duplicate": {"type": "boolean"}, "last_seq": {"type": "integer"},
        "stop_requested": {"type": "boolean", "description": "the run was asked to stop: end the logging loop"}}},
    "MetricInfo": {"type": "object", "properties": {
        "key": {"type": "string"}, "count": {"type": "integer"}, "last_step": {"type": "integer"},
        "last_value": NUMBER_OR_NONFINITE, "min": NUMBER_OR_NONFINITE, "max": NUMBER_OR_NONFINITE}},
    "MetricList": {"type": "object", "properties": {"metrics": {"type": "array", "items": _ref("MetricInfo")}}},
    "Artifact": {"type": "object", "properties": {
        "run_id": {"type": "string"}, "name": {"type": "string"}, "sha256": {"type": "string"},
        "size": {"type": "integer"}, "created_at": TS}},
    "ArtifactList": {"type": "object", "properties": {"artifacts": {"type": "array", "items": _ref("Artifact")}}},
    "MetricSeries": {"type": "object", "properties": {
        "key": {"type": "string"}, "steps": {"type": "array", "items": {"type": "integer"}},
        "values": {"type": "array", "items": NUMBER_OR_NONFINITE},
        "timestamps": {"type": "array", "items": {"type": "number"}},
        "downsampled": {"type": "boolean"}, "total": {"type": "integer"}}},
}

SCHEMAS.update(DATASET_SCHEMAS)
SCHEMAS.update(MODEL_SCHEMAS)
SCHEMAS.update(ME_SCHEMAS)
SCHEMAS.update(HOME_SCHEMAS)

ERRORS = {"400": "malformed request", "401": "not authenticated", "403": "not allowed",
          "404": "not found (or not visible to the caller)", "409": "conflict", "413": "too large",
          "422": "invalid", "429": "too many write requests (see Retry-After)",
          "507": "the server's artifact storage is full or read-only (insufficient_storage)"}
PUBLIC_PATHS = frozenset({"/openapi.json", "/docs", "/stream"})
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})


def _param(name: str, where: str = "path", schema: Schema | None = None, desc: str = "") -> Schema:
    return {"name": name, "in": where, "required": where == "path", "schema": schema or {"type": "string"},
            "description": desc}


def _op(summary: str, response: str | None, body: str | None = None, status: str = "200",
        params: list[Schema] | None = None, errors: tuple[str, ...] = ("400", "401", "403", "404", "422")) -> Schema:
    op: Schema = {"summary": summary, "responses": {}}
    if params:
        op["parameters"] = params
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(body)}}}
    op["responses"][status] = ({"description": "OK", "content": {"application/json": {"schema": _ref(response)}}}
                               if response else {"description": "done"})
    for code in errors:
        op["responses"][code] = {"description": ERRORS[code],
                                 "content": {"application/json": {"schema": _ref("Error")}}}
    return op


PAGING = [_param("limit", "query", {"type": "integer", "default": 50}),
          _param("offset", "query", {"type": "integer", "default": 0})]
RUN = [_param("run_id", desc="32 hex digits")]
PROJECT = [_param("name", desc="project name")]


def paths() -> dict[str, Schema]:
    return {
        "/": {"get": _op("Handshake: server version, mode and the acting user", "Handshake", errors=("401",))},
        "/projects": {
            "get": _op("List projects the caller may read", "ProjectList",
                       params=PAGING + [_param("q", "query", desc="substring of name or description")]),
            "post": _op("Create a project owned by the caller", "Project", "NewProject", "201",
                        errors=("400", "401", "409", "422")),
        },
        "/projects/{name}": {
            "get": _op("Get a project", "Project", params=PROJECT),
            "patch": _op("Change description or visibility", "Project", "ProjectPatch", params=PROJECT),
        },
        "/projects/{name}/members": {"get": _op("List members with their roles", "MemberList", params=PROJECT)},
        "/projects/{name}/members/{user}": {
            "put": _op("Share the project with a user", "Member", "MemberRole", params=PROJECT + [_param("user")]),
            "delete": _op("Revoke a user's access", None, status="204", params=PROJECT + [_param("user")]),
        },
        "/runs": {
            "get": _op("List and search runs", "RunList", params=PAGING + [
                _param("project", "query"),
                _param("order_by", "query", {"type": "string",
                                             "pattern": r"^(created_at|updated_at|name|status|(metrics|params)\..+)$"},
                       "created_at, updated_at, name, status, metrics.<key> or params.<key>"),
                _param("desc", "query", {"type": "boolean", "default": True}),
                _param("filter", "query", desc="e.g. metrics.acc > 0.9 and params.lr < 0.01 and tags = baseline")]),
            "post": _op("Start a run (creates the project if needed)", "Run", "NewRun", "201"),
        },
        "/runs/{run_id}": {"get": _op("Get a run", "Run", params=RUN),
                           "patch": _op("Update a run", "Run", "RunPatch", params=RUN),
                           "delete": _op("Delete a run with its params, metrics and artifact names (manage role)",
                                         None, status="204", params=RUN, errors=("401", "403", "404"))},
        "/runs/{run_id}/stop": {"post": _op(
            "Ask the process logging a running run to stop (edit role): its next run.log raises "
            "mlhub_ext.RunStopped and the run ends killed, 'stopped from the lab'",
            "Run", params=RUN, errors=("401", "403", "404", "409"))},
        "/runs/{run_id}/links": {"get": _op(
            "Model versions trained in the run, jobs that tracked their work in it, and the datasets they used",
            "RunLinks", params=RUN, errors=("401", "404"))},
        "/runs/{run_id}/params": {"get": _op("Get params", "Params", params=RUN),
                                  "post": _op("Merge params", "Params", "Params", params=RUN)},
        "/runs/{run_id}/metrics": {
            "get": _op("List metric series with aggregates", "MetricList", params=RUN),
            "post": _op("Append a batch of points, exactly once per seq", "MetricBatchResult", "MetricBatch", params=RUN),
        },
        "/runs/{run_id}/metrics/{key}": {"get": _op(
            "Read a series, optionally downsampled keeping minima and maxima", "MetricSeries",
            params=RUN + [_param("key"), _param("max_points", "query", {"type": "integer", "minimum": 2})])},
        "/runs/{run_id}/export": {"get": {
            "summary": "All points of all series of a run (key, step, value, timestamp)",
            "parameters": RUN + [_param("format", "query", {"type": "string", "enum": ["csv", "parquet"]})],
            "responses": {"200": {"description": "CSV or Parquet file", "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}}}},
                **{c: {"description": ERRORS[c], "content": {"application/json": {"schema": _ref("Error")}}}
                   for c in ("401", "404", "422")}}}},
        "/runs/{run_id}/artifacts": {"get": _op("List a run's artifacts", "ArtifactList", params=RUN)},
        "/runs/{run_id}/artifacts/{name}": {
            "put": {**_op("Store a file with the run (raw body; stored once per content)", "Artifact", status="201",
                          params=RUN + [_param("name", desc="relative path"),
                                        _param("sha256", "query", desc="expected sha256 of the body")]),
                    "requestBody": {"required": True, "content": {"application/octet-stream": {
                        "schema": {"type": "string", "format": "binary"}}}}},
            "get": {"summary": "Download an artifact", "parameters": RUN + [_param("name")],
                    "responses": {"200": {"description": "the file", "content": {"application/octet-stream": {
                        "schema": {"type": "string", "format": "binary"}}}},
                        "404": {"description": ERRORS["404"],
                                "content": {"application/json": {"schema": _ref("Error")}}}}},
        },
        **dataset_paths(_op, _param, ERRORS),
        **model_paths(_op, _param, ERRORS),
        **me_paths(_op, _param),
        **home_paths(_op, _param),
        "/stream": {"get": {
            "summary": "WebSocket: subscribe to runs or projects; receive new points and run changes",
            "description": 'Send {"subscribe": {"runs": [...], "projects": [...]}}; receive '
                           '{"type": "metrics", "run", "project", "metrics"} and {"type": "run", "run"}. '
                           "Authenticated like REST; cross-origin browser connections are refused.",
            "responses": {"101": {"description": "switching protocols"},
                          **{code: {"description": text, "content": {"application/json": {"schema": _ref("Error")}}}
                             for code, text in (("400", "not a WebSocket request (no Upgrade: websocket)"),
                                                ("401", ERRORS["401"]), ("403", "cross-origin"))}}}},
        "/openapi.json": {"get": {"summary": "This document", "security": [],
                                  "responses": {"200": {"description": "OpenAPI 3 document"}}}},
        "/docs": {"get": {"summary": "Interactive API page", "security": [],
                          "responses": {"200": {"description": "HTML page"}}}},
    }


def with_common_answers(all_paths: dict[str, Schema]) -> dict[str, Schema]:
    """Add the answers the shared handler wrapper can give to any operation, so no operation
    leaves them out: 401 on every authenticated one, 403, 429 and 507 on every write (a
    read-only API token; the per-user rate limit; a full or read-only artifact storage) and
    400 and 413 on every one that takes a JSON body (not JSON, not an object, nested too
    deep; too large: docs/api.md "Limits")."""
    for path, ops in all_paths.items():
        if path in PUBLIC_PATHS:
            continue
        for method, op in ops.items():
            codes = {"401"}
            if method in WRITE_METHODS:
                codes |= {"403", "429", "507"}
            if "application/json" in op.get("requestBody", {}).get("content", {}):
                codes |= {"400", "413"}   # also: nested deeper than 64 levels; above 32 MiB
            for code in sorted(codes - set(op["responses"])):
                op["responses"][code] = {"description": ERRORS[code],
                                         "content": {"application/json": {"schema": _ref("Error")}}}
    return all_paths


_PARAM_RULES: dict[tuple[str, str], Schema] = {
    ("query", "limit"): {"minimum": 1, "maximum": 1000},
    ("query", "offset"): {"minimum": 0, "maximum": MAX_INT},
    ("path", "user"): USER,
    ("path", "stage"): NAME,
}


def with_parameter_rules(all_paths: dict[str, Schema]) -> dict[str, Schema]:
    """State every paging bound and name pattern on the parameters that carry them, in one
    place: ``limit`` 1-1000 (unless an operation says otherwise), ``offset`` 0 to 2**63-1,
    and project, dataset and model names, stages and users as the core checks them."""
    for path, ops in all_paths.items():
        for op in ops.values():
            for p in op.get("parameters", []):
                rule = _PARAM_RULES.get((p["in"], p["name"]))
                if p["in"] == "path" and p["name"] == "name" and "/artifacts/" not in path:
                    rule = NAME
                if rule:
                    p["schema"] = {**rule, **p["schema"]}   # an operation's own bound wins
    return all_paths


def openapi_document(server_url: str = "/mlhub/api/v1") -> Schema:
    """The whole document; ``server_url`` is where the API is mounted."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "ML Hub API", "version": __version__,
                 "description": "Projects, runs, params and metrics of the ML Hub registry. "
                                "Errors are {\"error\": {\"code\", \"message\"}}. Non-finite floats are "
                                "the strings \"NaN\", \"Infinity\" and \"-Infinity\"."},
        "servers": [{"url": server_url}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"token": {"type": "apiKey", "in": "header", "name": "Authorization",
                                          "description": "`token <API token>`"}},
        },
        "security": [{"token": []}],
        "paths": with_parameter_rules(with_common_answers(paths())),
    }
