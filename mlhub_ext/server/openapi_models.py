"""The models and jobs part of the OpenAPI document (merged by :mod:`.openapi`); the prose
contract with examples is docs/models-api.md."""
from __future__ import annotations

from typing import Any, Callable

from ..core.models import JOB_KINDS, JOB_STATES
from .openapi_rules import NAME, TAGS, VERSION

Schema = dict[str, Any]
TS = {"type": "string", "format": "date-time", "nullable": True}
VIS = {"type": "string", "enum": ["private", "public"]}
STR_LIST = {"type": "array", "items": {"type": "string"}}
OBJ = {"type": "object"}
# null where a version has none: an imported model card is never evaluated
NOBJ = {"type": "object", "nullable": True}
INT = {"type": "integer"}
NINT = {"type": "integer", "nullable": True}
STR = {"type": "string"}
NSTR = {"type": "string", "nullable": True}
DATASET_REF = {"type": "object", "nullable": True, "properties": {"name": STR, "version": NINT}}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _list(item: str, key: str, **extra: Schema) -> Schema:
    return {"type": "object", "properties": {key: {"type": "array", "items": _ref(item)}, **extra}}


SPEC_PROPS: Schema = {
    "estimator": {"type": "string", "description": "scikit-learn dotted path, e.g. sklearn.ensemble.RandomForestClassifier"},
    "kind": {"type": "string", "enum": ["sklearn", "torch_mlp", "torch_cnn", "custom"]},
    "params": OBJ, "steps": {"type": "array", "items": {}}, "task": {"type": "string", "enum": ["classification", "regression"]},
    "encode": {"type": "string", "enum": ["onehot"]},
    "impute": {"type": "string", "enum": ["mean", "median", "most_frequent"], "nullable": True,
               "description": "fill missing numeric features (a SimpleImputer step the model keeps)"},
    "features": {"type": "array", "items": STR, "nullable": True,
                 "description": "feature columns to train on; default all but the target"},
    "epochs": INT, "batch_size": INT, "lr": {"type": "number"},
    "optimizer": {"type": "string", "enum": ["adam", "sgd", "adamw"]}, "weight_decay": {"type": "number"},
    "seed": INT, "test_size": {"type": "number"}, "image_column": STR,
}
TRAIN_PROPS: Schema = {
    "dataset": NAME, "version": {**VERSION, "description": "dataset version; default latest"}, "target": STR,
    "name": {**NAME, "description": "the model to register the result as"},
    "project": {**NAME, "description": "project of the tracked run; default models-<name>"},
    "description": STR, "tags": TAGS, "visibility": VIS, **SPEC_PROPS,
}

SCHEMAS: dict[str, Schema] = {
    "ModelVersion": {"type": "object", "properties": {
        "model": STR, "version": INT, "created_by": STR, "created_at": TS,
        "model_type": {"type": "string", "enum": ["sklearn", "torch", "custom", "card"],
                       "description": "card: imported from a model card, no weights"}, "estimator": STR,
        "task": NSTR, "param_count": INT, "developer": STR, "tags": STR_LIST, "status": STR, "description": STR,
        "published": {"type": "boolean"}, "archived": {"type": "boolean"}, "stages": STR_LIST,
        "dataset": DATASET_REF, "target": NSTR, "run_id": NSTR, "project": NSTR, "job_id": NSTR, "spec": OBJ,
        "input_schema": {"type": "array", "items": OBJ}, "classes": {"type": "array", "items": {}, "nullable": True},
        "metrics": OBJ, "artifact": {"type": "object", "properties": {"sha256": STR, "size": INT}},
        "evaluation": {"type": "object", "description": "only on a single version"}}},
    "Model": {"type": "object", "properties": {
        "name": STR, "owner": STR, "visibility": VIS, "description": STR, "tags": STR_LIST, "task": NSTR,
        "model_type": STR, "estimator": STR, "developer": STR, "latest_version": INT, "version_count": INT,
        "aliases": {"type": "object", "additionalProperties": INT}, "latest": {**_ref("ModelVersion"), "nullable": True},
        "created_at": TS, "updated_at": TS, "role": NSTR}},
    "ModelList": _list("Model", "models", total=INT, counts=OBJ),
    "CardImport": {"type": "object", "required": ["card"], "additionalProperties": False, "properties": {
        "card": {"type": "string", "maxLength": 1_000_000,
                 "description": "the model card's text: a Hugging Face README.md, YAML front matter optional"},
        "name": {**NAME, "description": "the model to create or update; default the card's model-index name"}}},
    "CardImported": {"type": "object", "properties": {
        "model": _ref("Model"), "version": _ref("ModelVersion"),
        "created": {"type": "boolean", "description": "true: a new model; false: a new version of an existing one"}}},
    "ModelVersionList": _list("ModelVersion", "versions"),
    "ModelPatch": {"type": "object", "additionalProperties": False, "properties": {
        "description": STR, "visibility": VIS, "tags": TAGS,
        "name": {**NAME, "description": "rename the model (manage role): its versions, stages, members, inferences "
                                        "and jobs follow; 409 if a model of that name exists"}}},
    "ModelVersionPatch": {"type": "object", "additionalProperties": False, "properties": {
        "description": STR, "tags": TAGS, "status": STR, "developer": STR, "published": {"type": "boolean"},
        "archived": {"type": "boolean"}}},
    "ModelMember": {"type": "object", "properties": {"model": STR, "user": STR, "role": STR}},
    "ModelMemberList": _list("ModelMember", "members"),
    "ModelEvaluation": {"type": "object", "properties": {
        "model": STR, "version": INT, "evaluation": NOBJ, "evaluations": {"type": "array", "items": OBJ}}},
    "NewEvaluation": {"type": "object", "required": ["dataset"], "additionalProperties": False, "properties": {
        "dataset": NAME, "version": VERSION, "target": STR}},
    "AliasMove": {"type": "object", "properties": {
        "id": INT, "model": STR, "stage": STR, "version": NINT, "previous": NINT, "user": STR, "created_at": TS}},
    "Aliases": {"type": "object", "properties": {
        "aliases": {"type": "object", "additionalProperties": INT},
        "history": {"type": "array", "items": _ref("AliasMove")}}},
    "Promotion": {"type": "object", "required": ["version"], "properties": {"version": VERSION}},
    "Promoted": {"type": "object", "properties": {"stage": STR, "version": INT, "previous": NINT, "history_id": INT}},
    "PredictionRequest": {"type": "object", "required": ["inputs"], "properties": {
        "stage": STR, "version": {"oneOf": [INT, STR]},
        "inputs": {"type": "array", "items": {}, "description": "rows as lists or records; images as base64"},
        "store": {"type": "boolean", "default": True}}},
    "Prediction": {"type": "object", "properties": {
        "model": STR, "version": INT, "stage": NSTR, "outputs": {"type": "array", "items": OBJ},
        "latency_ms": {"type": "number"}, "inference_id": NINT}},
    "Inference": {"type": "object", "properties": {
        "id": INT, "model": STR, "version": INT, "stage": NSTR, "inputs": {}, "outputs": {},
        "latency_ms": {"type": "number"}, "user": STR, "created_at": TS}},
    "InferenceList": _list("Inference", "inferences", total=INT),
    "ModelReport": {"type": "object", "properties": {
        "model": STR, "version": INT, "requests": INT, "users": INT, "latency_ms": OBJ, "first_at": TS,
        "last_at": TS, "per_day": {"type": "array", "items": OBJ}, "metrics": OBJ, "evaluation": NOBJ}},
    "Job": {"type": "object", "properties": {
        "id": STR, "kind": {"type": "string", "enum": ["train", "evaluate", "sweep"]},
        "state": {"type": "string", "enum": ["queued", "running", "finished", "failed", "aborted"]},
        "progress": {"type": "number"}, "message": STR, "owner": STR, "model": NSTR, "version": NINT,
        "dataset": DATASET_REF, "target": NSTR, "run_id": NSTR, "project": NSTR, "spec": OBJ, "parent": NSTR,
        "result": {"type": "object", "nullable": True}, "error": NSTR, "created_at": TS, "updated_at": TS,
        "finished_at": TS}},
    "JobList": _list("Job", "jobs", total=INT),
    "TrainRequest": {"type": "object", "required": ["dataset", "target", "name"], "properties": TRAIN_PROPS},
    "SweepRequest": {"type": "object", "required": ["dataset", "target", "name", "space", "metric"], "properties": {
        **TRAIN_PROPS, "space": {"type": "object", "additionalProperties": {"type": "array", "items": {}}},
        "metric": STR}},
}


def _with_csv(operation: Schema) -> Schema:
    """``operation`` whose 200 may also be ``text/csv`` (its ``format=csv``)."""
    operation["responses"]["200"]["content"]["text/csv"] = {"schema": {"type": "string"}}
    return operation


def model_paths(op: Callable[..., Schema], param: Callable[..., Schema], errors: dict[str, str]) -> dict[str, Schema]:
    """The paths, built with the document's own ``_op`` and ``_param`` helpers."""
    name = [param("name", desc="model name")]
    ver = name + [param("version", desc="a version number, 'latest' or a stage name")]
    job = [param("job_id")]
    paging = [param("limit", "query", {"type": "integer", "default": 50}),
              param("offset", "query", {"type": "integer", "default": 0})]
    err = {c: {"description": errors[c], "content": {"application/json": {"schema": _ref("Error")}}}
           for c in ("401", "404", "422")}
    all_errors = ("400", "401", "403", "404", "409", "422")
    return {
        "/models": {"get": op("Catalogue: search and filter models, with dashboard counts", "ModelList", params=[
            param("q", "query", desc="substring of name, description, estimator or a tag"), param("tag", "query"),
            param("stage", "query"), param("type", "query", desc="sklearn, torch or custom"),
            param("developer", "query"), param("owner", "query"), *paging]),
                    "post": op("Import a Hugging Face model card: a new model, or the next version of an existing "
                               "one, with no weights; a card that cannot be read is 422 and stores nothing",
                               "CardImported", "CardImport", "201", errors=("400", "401", "403", "404", "413", "422"))},
        "/models/{name}": {"get": op("A model with its stages and latest version", "Model", params=name),
                           "patch": op("Change description or tags (edit role), visibility or name (manage "
                                       "role; a rename moves versions, stages, members and jobs with it)",
                                       "Model", "ModelPatch", params=name, errors=all_errors),
                           "delete": op("Delete the model with its versions, stages and their history, members, "
                                        "evaluations and inference records (manage role); 409 while one of its "
                                        "jobs is queued or running. Files stay in the content-addressed store",
                                        None, status="204", params=name, errors=("401", "403", "404", "409", "422"))},
        "/models/{name}/members": {"get": op("Members with their roles", "ModelMemberList", params=name)},
        "/models/{name}/members/{user}": {
            "put": op("Share the model with a user", "ModelMember", "MemberRole", params=name + [param("user")]),
            "delete": op("Revoke a user's access", None, status="204", params=name + [param("user")])},
        "/models/{name}/versions": {"get": op("Versions, newest first", "ModelVersionList", params=name + [
            param("archived", "query", {"type": "boolean"}, "include archived versions")])},
        "/models/{name}/versions/{version}": {
            "get": op("A version with its evaluation", "ModelVersion", params=ver),
            "patch": op("Catalogue metadata, publish/unpublish, archive", "ModelVersion", "ModelVersionPatch",
                        params=ver, errors=all_errors),
            "delete": op("Delete one version with its evaluations and inference records (manage role); the stages "
                         "on it are removed (recorded in the history) and its number is never reused; 422 for "
                         "anything but a version number", None, status="204",
                         params=name + [param("version", desc="a version number")],
                         errors=("401", "403", "404", "422"))},
        "/models/{name}/versions/{version}/evaluation": {"get": op(
            "The holdout evaluation and every evaluation on another dataset", "ModelEvaluation", params=ver)},
        "/models/{name}/versions/{version}/evaluations": {"post": op(
            "Evaluate the version on another dataset (a job on Dask); 409 for a version with no weights", "Job",
            "NewEvaluation", "202", params=ver, errors=all_errors)},
        "/models/{name}/versions/{version}/artifact": {"get": {
            "summary": "Download the stored model", "parameters": ver,
            "responses": {"200": {"description": "model bytes", "content": {"application/octet-stream": {
                "schema": {"type": "string", "format": "binary"}}}}, **err,
                "409": {"description": "a version imported from a model card: no weights",
                        "content": {"application/json": {"schema": _ref("Error")}}}}}},
        "/models/{name}/versions/{version}/inferences": {"get": _with_csv(
            op("Stored inference results, newest first; format=csv: the same rows as a CSV file",
               "InferenceList", params=ver + [
                   param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 10_000, "default": 50}),
                   param("offset", "query", {"type": "integer", "default": 0}),
                   param("format", "query", {"type": "string", "enum": ["json", "csv"]})]))},
        "/models/{name}/versions/{version}/report": {"get": op(
            "Requests, latency p50/p95 and the evaluation", "ModelReport", params=ver)},
        "/models/{name}/aliases": {"get": op("Stages and the history of every move", "Aliases", params=name + [
            param("limit", "query", {"type": "integer", "default": 100})])},
        "/models/{name}/aliases/{stage}": {
            "put": op("Point a stage at a version (promote or roll back); recorded in the history", "Promoted",
                      "Promotion", params=name + [param("stage")], errors=all_errors),
            "delete": op("Remove a stage (recorded in the history)", None, status="204",
                         params=name + [param("stage")])},
        "/models/{name}/predictions": {"post": {
            **op("Predict with a stage or version; inputs checked against the input schema; stored as an "
                 "inference unless store is false; 409 for a version with no weights (imported from a card)",
                 "Prediction", "PredictionRequest", params=name, errors=all_errors),
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": _ref("PredictionRequest")},
                "multipart/form-data": {"schema": {"type": "object", "properties": {
                    "file": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    "stage": STR, "version": STR, "store": STR}}}}}}},
        "/jobs": {
            "get": op("Jobs the caller owns or whose model they may read", "JobList", params=[
                param("state", "query", {"type": "string", "enum": list(JOB_STATES)}),
                param("kind", "query", {"type": "string", "enum": list(JOB_KINDS)}), param("model", "query"),
                param("parent", "query", desc="a sweep's id: its trials"), *paging]),
            "post": op("Train a model on Dask; validated before anything is queued", "Job", "TrainRequest", "202")},
        "/jobs/{job_id}": {"get": op("A job's state, progress and result", "Job", params=job)},
        "/jobs/{job_id}/abort": {"post": op("Abort a queued or running job", "Job", params=job,
                                            errors=all_errors)},
        "/sweeps": {"post": op("Grid sweep: trials run in parallel, each a job with a run; the best is registered",
                               "Job", "SweepRequest", "202")},
    }
