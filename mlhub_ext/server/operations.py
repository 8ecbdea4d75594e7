"""Every operation of the REST API: its summary, parameters, body and answer models and the
statuses it may give. :mod:`.openapi` turns this table into the document's ``paths``; a test
checks it against the tornado route table (:data:`mlhub_ext.server.routes.API_TABLE`)."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ..core.models import JOB_KINDS, JOB_STATES
from .schemas import datasets as ds
from .schemas import home, me
from .schemas import models as md
from .schemas import projects as pj
from .schemas import run_table as rt
from .schemas import runs as rn
from .schemas.base import Error, Handshake, Sha256
from .schemas.oas30 import field_schema

Schema = dict[str, Any]
Model = type[BaseModel]

ERRORS = {"400": "malformed request", "401": "not authenticated", "403": "not allowed",
          "404": "not found (or not visible to the caller)", "409": "conflict", "413": "too large",
          "422": "invalid", "429": "too many write requests (see Retry-After)",
          "507": "the server's artifact storage is full or read-only (insufficient_storage)"}
PUBLIC_PATHS = frozenset({"/openapi.json", "/docs", "/stream"})
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
DEFAULT_ERRORS = ("400", "401", "403", "404", "422")
ALL_ERRORS = ("400", "401", "403", "404", "409", "422")
BINARY = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}


def ref(model: Model) -> Schema:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def error_answer(description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": ref(Error)}}}


def param(name: str, where: str = "path", schema: Schema | None = None, desc: str = "",
          required: bool | None = None) -> Schema:
    return {"name": name, "in": where, "required": where == "path" if required is None else required,
            "schema": schema or {"type": "string"}, "description": desc}


def paging(default: int = 50) -> list[Schema]:
    return [param("limit", "query", {"type": "integer", "default": default}),
            param("offset", "query", {"type": "integer", "default": 0})]


class Operations:
    """Builds the paths, noting every model they name (the document's components)."""

    def __init__(self) -> None:
        self.models: set[Model] = {Error}

    def op(self, summary: str, response: Model | None, body: Model | None = None, status: str = "200",
           params: list[Schema] | None = None, errors: tuple[str, ...] = DEFAULT_ERRORS) -> Schema:
        op: Schema = {"summary": summary, "responses": {}}
        if params:
            op["parameters"] = params
        if body is not None:
            self.models.add(body)
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(body)}}}
        if response is not None:
            self.models.add(response)
            op["responses"][status] = {"description": "OK", "content": {"application/json": {"schema": ref(response)}}}
        else:
            op["responses"][status] = {"description": "done"}
        for code in errors:
            op["responses"][code] = error_answer(ERRORS[code])
        return op

    def raw(self, summary: str, params: list[Schema], ok: Schema, errors: tuple[str, ...]) -> Schema:
        """An operation whose 200 is not JSON (a file)."""
        return {"summary": summary, "parameters": params,
                "responses": {"200": ok, **{c: error_answer(ERRORS[c]) for c in errors}}}

    def paths(self) -> dict[str, Schema]:
        return {**self.meta(), **self.projects(), **self.runs(), **self.run_table(), **self.datasets(), **self.uploads(),
                **self.models_(), **self.jobs(), **self.me(), **self.home(), **self.public()}

    def meta(self) -> dict[str, Schema]:
        return {"/": {"get": self.op("Handshake: server version, mode and the acting user", Handshake,
                                     errors=("401",))}}

    def projects(self) -> dict[str, Schema]:
        op, name = self.op, [param("name", desc="project name")]
        user = name + [param("user")]
        return {
            "/projects": {
                "get": op("List projects the caller may read", pj.ProjectList,
                          params=paging() + [param("q", "query", desc="substring of name or description")]),
                "post": op("Create a project owned by the caller", pj.Project, pj.NewProject, "201",
                           errors=("400", "401", "409", "422")),
            },
            "/projects/{name}": {
                "get": op("Get a project", pj.Project, params=name),
                "patch": op("Change description or visibility", pj.Project, pj.ProjectPatch, params=name),
            },
            "/projects/{name}/members": {"get": op("List members with their roles", pj.MemberList, params=name)},
            "/projects/{name}/members/{user}": {
                "put": op("Share the project with a user", pj.Member, pj.MemberRole, params=user),
                "delete": op("Revoke a user's access", None, status="204", params=user),
            },
        }

    def runs(self) -> dict[str, Schema]:
        op, run = self.op, [param("run_id", desc="32 hex digits")]
        json_errors = {c: error_answer(ERRORS[c]) for c in ("401", "404", "422")}
        return {
            "/runs": {
                "get": op("List, search and sort runs (the runs table); ids_only=true: every matching id", rn.RunList,
                          params=paging() + [
                    param("project", "query"),
                    param("order_by", "query", {"type": "string", "pattern": rt.ORDER_PATTERN},
                          "created_at (or created), updated_at, finished_at, name, status, owner, duration, tags, "
                          "params.<key>, metrics.<key> (latest value) or summary.<key>; runs without a value last"),
                    param("desc", "query", {"type": "boolean", "default": True}),
                    param("filter", "query", desc="e.g. metrics.acc > 0.9 and params.lr < 0.01 and tags = baseline"),
                    param("q", "query", {"type": "string", "maxLength": 256},
                          "text searched (case-insensitive) in run names and tags"),
                    param("ids", "query", {"type": "string"},
                          f"comma-separated run ids (at most {rt.MAX_FILTER_IDS:,}): only these runs, e.g. the ones a "
                          "compare view shows, listed in one request; ids not found or not readable are left out"),
                    param("group_by", "query", {"type": "string", "pattern": rt.GROUP_PATTERN},
                          "with group or group_missing: only one group's runs (see /projects/{name}/runs/groups)"),
                    param("group", "query", desc="a group's key (JSON text of its value) from the groups answer"),
                    param("group_missing", "query", {"type": "boolean"}, "the runs that lack a group_by value"),
                    param("ids_only", "query", {"type": "boolean", "default": False},
                          f"answer ids (every match, up to {rt.MAX_IDS:,}, in order) instead of runs: select all "
                          "matching")]),
                "post": op("Start a run (creates the project if needed)", rn.Run, rn.NewRun, "201"),
            },
            "/runs/{run_id}": {
                "get": op("Get a run", rn.Run, params=run),
                "patch": op("Update a run", rn.Run, rn.RunPatch, params=run),
                "delete": op("Delete a run with its params, metrics and artifact names (manage role)",
                             None, status="204", params=run, errors=("401", "403", "404"))},
            "/runs/{run_id}/stop": {"post": op(
                "Ask the process logging a running run to stop (edit role): its next run.log raises "
                "mlhub_ext.RunStopped and the run ends killed, 'stopped from the lab'",
                rn.Run, params=run, errors=("401", "403", "404", "409"))},
            "/runs/{run_id}/links": {"get": op(
                "Model versions trained in the run, jobs that tracked their work in it, and the datasets they used",
                rn.RunLinks, params=run, errors=("401", "404"))},
            "/runs/{run_id}/params": {"get": op("Get params", rn.Params, params=run),
                                      "post": op("Merge params", rn.Params, rn.Params, params=run)},
            "/runs/{run_id}/metrics": {
                "get": op("List metric series with aggregates", rn.MetricList, params=run),
                "post": op("Append a batch of points, exactly once per seq", rn.MetricBatchResult, rn.MetricBatch,
                           params=run),
            },
            "/runs/{run_id}/metrics/{key}": {"get": op(
                "Read a series, optionally downsampled keeping minima and maxima", rn.MetricSeries,
                params=run + [param("key"), param("max_points", "query", {"type": "integer", "minimum": 2}),
                              param("after_step", "query", {"type": "integer", "minimum": -1},
                                    "only the points after this step (a live cursor); with min_step/max_step the "
                                    "answer has last_step and band"),
                              param("min_step", "query", {"type": "integer", "minimum": 0}),
                              param("max_step", "query", {"type": "integer", "minimum": 0})])},
            "/runs/{run_id}/export": {"get": {
                "summary": "All points of all series of a run (key, step, value, timestamp)",
                "parameters": run + [param("format", "query", {"type": "string", "enum": ["csv", "parquet"]})],
                "responses": {"200": {"description": "CSV or Parquet file", "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}}}},
                    **json_errors}}},
            "/runs/{run_id}/artifacts": {"get": op("List a run's artifacts", rn.ArtifactList, params=run)},
            "/runs/{run_id}/artifacts/{name}": {
                "put": {**op("Store a file with the run (raw body; stored once per content)", rn.Artifact,
                             status="201", params=run + [param("name", desc="relative path"),
                                                         param("sha256", "query", desc="expected sha256 of the body")]),
                        "requestBody": {"required": True, "content": BINARY}},
                "get": self.raw("Download an artifact", run + [param("name")],
                                {"description": "the file", "content": BINARY}, ("404",)),
            },
        }

    def run_table(self) -> dict[str, Schema]:
        """Groups, batched series and parameter importance (docs/api.md "Runs table")."""
        op, name = self.op, [param("name", desc="project name")]
        selection = [param("filter", "query", desc="the run filter language"),
                     param("q", "query", {"type": "string", "maxLength": 256}, "text in run names and tags")]
        return {
            "/projects/{name}/runs/groups": {"get": op(
                "Group the project's runs by a param, tag, status or owner: per group the count and the mean, "
                "min and max of a metric's latest values", rt.RunGroups, params=name + [
                    param("by", "query", {"type": "string", "pattern": rt.GROUP_PATTERN}, required=True,
                          desc="params.<key>, tags (a run is in a group per tag), status or owner"),
                    param("metric", "query", {"type": "string", "minLength": 1, "maxLength": 256}),
                    *selection])},
            "/projects/{name}/insights": {
                "get": op("Parameter importance for a metric over the project's runs matching filter/q: "
                          "random-forest importance and Pearson correlation per param", rt.Insights,
                          params=name + [param("metric", "query", {"type": "string", "minLength": 1,
                                                                    "maxLength": 256}, required=True), *selection]),
                "post": op("Parameter importance for a metric over the given runs (or those matching filter/q); "
                           "reads only", rt.Insights, rt.InsightsRequest, params=name)},
            "/metrics/query": {"post": op(
                "Series of many runs in one request, each downsampled to max_points (first, last, min and max per "
                "bucket) with the bucket's min/max band; runs the caller may not read are listed in missing; "
                "reads only", rt.SeriesQueryResult, rt.SeriesQuery, errors=("400", "401", "422"))},
        }

    def datasets(self) -> dict[str, Schema]:
        op, name = self.op, [param("name", desc="dataset name")]
        ver = name + [param("version", desc="a version number or 'latest'")]
        return {
            "/datasets": {
                "get": op("List and search datasets the caller may read", ds.DatasetList, params=[
                    param("q", "query", desc="substring of name, description or a tag"), param("tag", "query"),
                    param("owner", "query"), *paging()]),
                "post": op("Register a completed upload as a dataset (version 1) or, with new_version, its next "
                           "version; bad input registers nothing", ds.Registered, ds.Registration, "201",
                           params=[param("sheet", "query", desc="the sheet of an Excel workbook to read (as the "
                                         "body's sheet); a name that does not exist is a 422 naming the sheets")],
                           errors=ALL_ERRORS),
            },
            "/datasets/{name}": {"get": op("Get a dataset with its latest version", ds.Dataset, params=name),
                                 "patch": op("Change description, tags or visibility", ds.Dataset, ds.DatasetPatch,
                                             params=name)},
            "/datasets/{name}/versions": {"get": op("Versions, newest first", ds.DatasetVersionList, params=name)},
            "/datasets/{name}/versions/{version}": {"get": op("A version with its manifest", ds.DatasetVersion,
                                                              params=ver)},
            "/datasets/{name}/versions/{version}/preview": {"get": op(
                "First rows and column types (images: classes and first images)", ds.Preview,
                params=ver + [param("rows", "query", {"type": "integer", "default": 20})])},
            "/datasets/{name}/versions/{version}/stats": {"get": op(
                "Statistics computed once at registration", ds.DatasetStats, params=ver)},
            "/datasets/{name}/versions/{version}/files": {"get": self.raw(
                "Download the original file or the Parquet copy",
                ver + [param("file", "query", {"type": "string", "enum": ["original", "parquet"]})],
                {"description": "the file", "content": BINARY}, ("401", "404", "422"))},
            "/datasets/{name}/versions/{version}/diff": {"get": op(
                "Differences (schema, rows, statistics) from version `other` to this one", ds.DatasetDiff,
                params=ver + [param("other", "query", {"type": "string"}, "the older version", required=True)])},
            "/datasets/{name}/versions/{version}/thumbnails": {"get": op(
                "Thumbnails per class of an image collection", ds.Thumbnails, params=ver + [
                    param("per_class", "query", {"type": "integer", "minimum": 1, "maximum": 32, "default": 4}),
                    param("size", "query", {"type": "integer", "minimum": 8, "maximum": 256, "default": 64})])},
            "/datasets/{name}/rollback": {"post": op("Make a new version equal in content to an older one",
                                                     ds.DatasetVersion, ds.Rollback, "201", params=name)},
            "/datasets/{name}/members": {"get": op("Members with their roles", ds.DatasetMemberList, params=name)},
            "/datasets/{name}/members/{user}": {
                "put": op("Share the dataset with a user", ds.DatasetMember, pj.MemberRole,
                          params=name + [param("user")]),
                "delete": op("Revoke a user's access", None, status="204", params=name + [param("user")]),
            },
        }

    def uploads(self) -> dict[str, Schema]:
        op, upload = self.op, [param("upload_id")]
        return {
            "/uploads": {"post": op("Start a resumable chunked upload", ds.Upload, ds.NewUpload, "201",
                                    errors=("400", "401", "413", "422"))},
            "/uploads/{upload_id}": {"get": op("An upload's received and missing byte ranges", ds.Upload,
                                               params=upload)},
            "/uploads/{upload_id}/chunks/{offset}": {"put": {
                **op("Send one chunk at a multiple of chunk_size (any order; a retry rewrites the same bytes)",
                     ds.ChunkReceived, params=upload + [
                         param("offset", desc="byte offset"),
                         param("X-Chunk-SHA256", "header", field_schema(Sha256), "sha256 of this chunk's bytes",
                               required=True)],
                     errors=("400", "401", "404", "409", "413", "422")),
                "requestBody": {"required": True, "content": BINARY}}},
            "/uploads/{upload_id}/complete": {"post": op(
                "Check every byte arrived and the whole file's sha256; then register it with POST /datasets",
                ds.Upload, ds.CompleteUpload, params=upload, errors=("400", "401", "404", "409", "422"))},
        }

    def models_(self) -> dict[str, Schema]:
        op, name = self.op, [param("name", desc="model name")]
        ver = name + [param("version", desc="a version number, 'latest' or a stage name")]
        stage = name + [param("stage")]
        inferences = op("Stored inference results, newest first; format=csv: the same rows as a CSV file",
                        md.InferenceList, params=ver + [
                            param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 10_000,
                                                     "default": 50}),
                            param("offset", "query", {"type": "integer", "default": 0}),
                            param("format", "query", {"type": "string", "enum": ["json", "csv"]})])
        inferences["responses"]["200"]["content"]["text/csv"] = {"schema": {"type": "string"}}
        artifact = self.raw("Download the stored model", ver, {"description": "model bytes", "content": BINARY},
                            ("401", "404", "422"))
        artifact["responses"]["409"] = error_answer("a version imported from a model card: no weights")
        predict = op("Predict with a stage or version; inputs checked against the input schema; stored as an "
                     "inference unless store is false; 409 for a version with no weights (imported from a card)",
                     md.Prediction, md.PredictionRequest, params=name, errors=ALL_ERRORS)
        predict["requestBody"]["content"]["multipart/form-data"] = {"schema": {"type": "object", "properties": {
            "file": {"type": "array", "items": {"type": "string", "format": "binary"}},
            "stage": {"type": "string"}, "version": {"type": "string"}, "store": {"type": "string"}}}}
        return {
            "/models": {
                "get": op("Catalogue: search and filter models, with dashboard counts", md.ModelList, params=[
                    param("q", "query", desc="substring of name, description, estimator or a tag"),
                    param("tag", "query"), param("stage", "query"),
                    param("type", "query", desc="sklearn, torch or custom"),
                    param("developer", "query"), param("owner", "query"), *paging()]),
                "post": op("Import a Hugging Face model card: a new model, or the next version of an existing "
                           "one, with no weights; a card that cannot be read is 422 and stores nothing",
                           md.CardImported, md.CardImport, "201", errors=("400", "401", "403", "404", "413", "422"))},
            "/models/{name}": {
                "get": op("A model with its stages and latest version", md.Model, params=name),
                "patch": op("Change description or tags (edit role), visibility or name (manage "
                            "role; a rename moves versions, stages, members and jobs with it)",
                            md.Model, md.ModelPatch, params=name, errors=ALL_ERRORS),
                "delete": op("Delete the model with its versions, stages and their history, members, "
                             "evaluations and inference records (manage role); 409 while one of its "
                             "jobs is queued or running. Files stay in the content-addressed store",
                             None, status="204", params=name, errors=("401", "403", "404", "409", "422"))},
            "/models/{name}/members": {"get": op("Members with their roles", md.ModelMemberList, params=name)},
            "/models/{name}/members/{user}": {
                "put": op("Share the model with a user", md.ModelMember, pj.MemberRole,
                          params=name + [param("user")]),
                "delete": op("Revoke a user's access", None, status="204", params=name + [param("user")])},
            "/models/{name}/versions": {"get": op(
                "Versions (without evaluations), newest first; a page of them with limit/offset", md.ModelVersionList,
                params=name + [
                    param("archived", "query", {"type": "boolean"}, "include archived versions"),
                    param("q", "query", {"type": "string", "maxLength": 256},
                          "text in tags, description, estimator, developer or status, or a version number "
                          "(12 or v12)"),
                    param("order", "query", {"type": "string", "enum": ["desc", "asc"], "default": "desc"},
                          "by version number"),
                    param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 1000},
                          "at most this many (default: all)"),
                    param("offset", "query", {"type": "integer", "minimum": 0, "default": 0}, "skip this many")])},
            "/models/{name}/versions/{version}": {
                "get": op("A version with its evaluation", md.ModelVersion, params=ver),
                "patch": op("Catalogue metadata, publish/unpublish, archive", md.ModelVersion, md.ModelVersionPatch,
                            params=ver, errors=ALL_ERRORS),
                "delete": op("Delete one version with its evaluations and inference records (manage role); the "
                             "stages on it are removed (recorded in the history) and its number is never reused; "
                             "422 for anything but a version number", None, status="204",
                             params=name + [param("version", desc="a version number")],
                             errors=("401", "403", "404", "422"))},
            "/models/{name}/versions/{version}/evaluation": {"get": op(
                "The holdout evaluation and every evaluation on another dataset", md.ModelEvaluation, params=ver)},
            "/models/{name}/versions/{version}/evaluations": {"post": op(
                "Evaluate the version on another dataset (a job on Dask); 409 for a version with no weights",
                md.Job, md.NewEvaluation, "202", params=ver, errors=ALL_ERRORS)},
            "/models/{name}/versions/{version}/artifact": {"get": artifact},
            "/models/{name}/versions/{version}/inferences": {"get": inferences},
            "/models/{name}/versions/{version}/report": {"get": op(
                "Requests, latency p50/p95 and the evaluation", md.ModelReport, params=ver)},
            "/models/{name}/aliases": {"get": op("Stages and the history of every move", md.Aliases,
                                                 params=name + paging(100)[:1])},
            "/models/{name}/aliases/{stage}": {
                "put": op("Point a stage at a version (promote or roll back); recorded in the history", md.Promoted,
                          md.Promotion, params=stage, errors=ALL_ERRORS),
                "delete": op("Remove a stage (recorded in the history)", None, status="204", params=stage)},
            "/models/{name}/predictions": {"post": predict},
        }

    def jobs(self) -> dict[str, Schema]:
        op, job = self.op, [param("job_id")]
        return {
            "/jobs": {
                "get": op("Jobs the caller owns or whose model they may read", md.JobList, params=[
                    param("state", "query", {"type": "string", "enum": list(JOB_STATES)}),
                    param("kind", "query", {"type": "string", "enum": list(JOB_KINDS)}), param("model", "query"),
                    param("parent", "query", desc="a sweep's id: its trials"), *paging()]),
                "post": op("Train a model on Dask; validated before anything is queued", md.Job, md.TrainRequest,
                           "202")},
            "/jobs/{job_id}": {"get": op("A job's state, progress and result", md.Job, params=job)},
            "/jobs/{job_id}/abort": {"post": op("Abort a queued or running job", md.Job, params=job,
                                                errors=ALL_ERRORS)},
            "/sweeps": {"post": op("Grid sweep: trials run in parallel, each a job with a run; the best is "
                                   "registered", md.Job, md.SweepRequest, "202")},
        }

    def me(self) -> dict[str, Schema]:
        op = self.op
        return {
            "/me": {"get": op("Who the caller is, what they own (with sizes) and what was shared with them",
                              me.Me, errors=("401",))},
            "/me/tokens": {
                "get": op("The caller's ML Hub API tokens that are not revoked (never their values)",
                          me.ApiTokenList, errors=("401",)),
                "post": op("Create an API token for the caller; its value is in this answer only",
                           me.CreatedApiToken, me.NewApiToken, "201", errors=("400", "401", "403", "422")),
            },
            "/me/tokens/{token_id}": {
                "delete": op("Revoke one of the caller's tokens: it is refused (401) from now on", None,
                             status="204", params=[param("token_id", desc="the token's id (from GET /me/tokens)")],
                             errors=("401", "403", "404")),
            },
        }

    def home(self) -> dict[str, Schema]:
        return {"/home": {"get": self.op(
            "The caller's home: counts, runs per day, storage, running runs and jobs, recent activity, "
            "shared with me", home.Home, errors=("401", "422"), params=[
                param("days", "query", {"type": "integer", "minimum": 1, "maximum": 366, "default": 14},
                      "days covered by runs_per_day, today (UTC) included"),
                param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                      "the most running runs, jobs and activity lines listed")])}}

    def public(self) -> dict[str, Schema]:
        return {
            "/stream": {"get": {
                "summary": "WebSocket: subscribe to runs or projects; receive new points and run changes",
                "description": 'Send {"subscribe": {"runs": [...], "projects": [...]}}; receive '
                               '{"type": "metrics", "run", "project", "metrics"} and {"type": "run", "run"}. '
                               'With "encoding": "delta-base64" in the subscribe object, each series of a '
                               "metrics message comes compact (steps: the first, then differences; values and "
                               "timestamps: base64 of little-endian float64) and the message says "
                               '"encoding"; "json" (the default) goes back to JSON lists. '
                               "Authenticated like REST; cross-origin browser connections are refused.",
                "responses": {"101": {"description": "switching protocols"},
                              **{code: error_answer(text) for code, text in (
                                  ("400", "not a WebSocket request (no Upgrade: websocket)"),
                                  ("401", ERRORS["401"]), ("403", "cross-origin"))}}}},
            "/openapi.json": {"get": {"summary": "This document", "security": [],
                                      "responses": {"200": {"description": "OpenAPI 3 document"}}}},
            "/docs": {"get": {"summary": "Interactive API page", "security": [],
                              "responses": {"200": {"description": "HTML page"}}}},
        }
