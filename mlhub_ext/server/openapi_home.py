"""OpenAPI entry of the home overview (``/home``)."""
from __future__ import annotations

from typing import Any, Callable

Schema = dict[str, Any]
TS = {"type": "string", "format": "date-time"}
INT = {"type": "integer"}
COUNTS = {"type": "object", "additionalProperties": INT}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: dict[str, Schema] = {
    "HomeRun": {"type": "object", "required": ["id", "name", "project", "status"], "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "project": {"type": "string"},
        "owner": {"type": "string"}, "status": {"type": "string"}, "created_at": TS,
        "finished_at": {**TS, "nullable": True},
        "last_step": {"type": "integer", "nullable": True, "description": "the highest step any metric reached"},
        "stop_requested": {"type": "boolean"}}},
    "HomeActivity": {"type": "object", "required": ["kind", "at", "user", "name"], "properties": {
        "kind": {"type": "string", "enum": ["run_started", "run_finished", "run_failed", "run_killed",
                                            "dataset_version", "model_version", "promotion", "share"]},
        "at": TS, "user": {"type": "string", "nullable": True,
                           "description": "who did it (for a share: who granted it, null when not recorded)"},
        "name": {"type": "string", "description": "the run, dataset, model or (share) shared item"},
        "version": {"type": "integer", "nullable": True,
                    "description": "dataset or model version; for a promotion the version the stage now names"},
        "stage": {"type": "string", "nullable": True}, "run_id": {"type": "string", "nullable": True},
        "project": {"type": "string", "nullable": True},
        "item": {"type": "string", "nullable": True,
                 "description": "share: the kind of item shared with the caller: project, dataset or model"},
        "role": {"type": "string", "nullable": True, "description": "share: the role granted (read, edit, manage)"},
        "via": {"type": "string", "nullable": True,
                "description": "share: the member granted, the caller's name or group:<hub group>"}}},
    "Home": {"type": "object", "required": ["user", "counts", "runs_per_day", "storage", "my_runs", "my_jobs",
                                            "activity", "shared_with_me"], "properties": {
        "user": {"type": "string"}, "generated_at": TS,
        "counts": {"type": "object", "description": "over everything the caller may read", "properties": {
            "projects": INT, "runs": {**COUNTS, "description": "total and per status"},
            "datasets": INT, "dataset_versions": INT, "models": INT, "model_versions": INT,
            "stages": {**COUNTS, "description": "models with each stage set"},
            "jobs": {**COUNTS, "description": "queued and running top-level jobs the caller may see"}}},
        "runs_per_day": {"type": "array", "description": "readable runs created per UTC day, oldest first",
                         "items": {"type": "object", "properties": {"date": {"type": "string", "format": "date"},
                                                                    "count": INT}}},
        "storage": {"type": "object", "description": "bytes of what the caller owns",
                    "properties": {k: INT for k in ("projects", "datasets", "models", "total")}},
        "my_runs": {"type": "array", "items": _ref("HomeRun"), "description": "the caller's running runs"},
        "my_jobs": {"type": "array", "items": _ref("Job"), "description": "the caller's queued and running jobs"},
        "activity": {"type": "array", "items": _ref("HomeActivity"), "description": "newest first"},
        "shared_with_me": {"type": "array", "items": _ref("Holding")}}},
}


def home_paths(op: Callable[..., Schema], param: Callable[..., Schema]) -> dict[str, Schema]:
    return {
        "/home": {"get": op(
            "The caller's home: counts, runs per day, storage, running runs and jobs, recent activity, "
            "shared with me", "Home", errors=("401", "422"), params=[
                param("days", "query", {"type": "integer", "minimum": 1, "maximum": 366, "default": 14},
                      "days covered by runs_per_day, today (UTC) included"),
                param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                      "the most running runs, jobs and activity lines listed")])},
    }
