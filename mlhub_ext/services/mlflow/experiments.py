"""MLflow experiments as ML Hub projects.

A project has a name, a description, a visibility and an owner; an experiment's
``mlflow.note.content`` tag is the project's description, and ``mlhub.owner`` /
``mlhub.visibility`` are read-only tags telling ML Hub's access facts. ML Hub keeps no other
experiment tags, never renames a project and has no project deletion: those calls answer a
clear error (docs/mlflow.md).
"""
from __future__ import annotations

import base64
from typing import Any

import orjson

from ...core.entities import Project, Role
from ...core.errors import ErrorCode, MLHubError
from ...core.service import Registry
from . import search
from .errors import MlflowError, invalid, not_found
from .ids import arg_int, arg_list, arg_str, experiment_id, millis, project_for

NOTE_TAG = "mlflow.note.content"
MAX_RESULTS = 50_000


def reads(fn: Any) -> Any:
    """Mark a route function as a read (GET allowed, read-only tokens allowed)."""
    fn.reads = True
    return fn


def experiment_json(project: Project) -> dict[str, Any]:
    exp_id = experiment_id(project)
    tags = [{"key": "mlhub.owner", "value": project.owner},
            {"key": "mlhub.visibility", "value": str(getattr(project.visibility, "value", project.visibility))}]
    if project.description:
        tags.append({"key": NOTE_TAG, "value": project.description})
    return {"experiment_id": exp_id, "name": project.name, "artifact_location": f"mlflow-artifacts:/{exp_id}",
            "lifecycle_stage": "active", "creation_time": millis(project.created_at),
            "last_update_time": millis(project.updated_at), "tags": tags}


def _tags(req: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag in arg_list(req, "tags"):
        if not isinstance(tag, dict) or not isinstance(tag.get("key"), str):
            raise invalid(f"each tag must be an object with a string 'key', not {tag!r}")
        out[tag["key"]] = str(tag.get("value", ""))
    return out


def _check_tag_keys(tags: dict[str, str]) -> None:
    other = sorted(k for k in tags if k != NOTE_TAG)
    if other:
        raise MlflowError("NOT_IMPLEMENTED", f"ML Hub keeps no experiment tags but {NOTE_TAG!r} (the project's "
                          f"description): cannot set {', '.join(map(repr, other))}; tag runs instead")


def create_experiment(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    name = arg_str(req, "name", required=True)
    tags = _tags(req)
    _check_tag_keys(tags)
    try:
        project = registry.create_project(user, name, tags.get(NOTE_TAG, ""))
    except MLHubError as e:
        if e.code == ErrorCode.CONFLICT:
            raise MlflowError("RESOURCE_ALREADY_EXISTS", f"Experiment(name={name}) already exists.") from None
        raise
    return {"experiment_id": experiment_id(project)}


@reads
def get_experiment(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    project = project_for(registry, user, arg_str(req, "experiment_id", required=True), create_default=True)
    return {"experiment": experiment_json(project)}


@reads
def get_experiment_by_name(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    name = arg_str(req, "experiment_name", required=True)
    try:
        project = registry.get_project(user, name)
    except MLHubError as e:
        if e.code == ErrorCode.NOT_FOUND:
            raise not_found(f"Could not find experiment with name '{name}'") from None
        raise
    return {"experiment": experiment_json(project)}


@reads
def search_experiments(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """``filter`` over ``name``/``attributes.name``, ``creation_time``, ``last_update_time`` and
    ``tags.<key>``; ``order_by`` over the same; ``max_results`` (default 1000) and page tokens."""
    max_results = arg_int(req, "max_results", 1000, low=1, high=MAX_RESULTS)
    assert max_results is not None
    view = str(arg_str(req, "view_type", default="ACTIVE_ONLY")).upper()
    if view == "DELETED_ONLY":
        return {"experiments": []}
    clauses = search.parse(arg_str(req, "filter", default="") or "")
    order = search.parse_order_by([str(o) for o in arg_list(req, "order_by")], experiments=True)
    offset = decode_page_token(arg_str(req, "page_token"))
    projects: list[Project] = []
    while True:   # every readable project: the filter and order run on their MLflow view
        page, total = registry.list_projects(user, None, 1000, len(projects))
        projects.extend(page)
        if not page or len(projects) >= total:
            break
    views = [experiment_json(p) for p in projects]
    views = [v for v in views if search.matches_experiment(v, clauses)]
    views = search.sort_experiments(views, order)
    chunk = views[offset:offset + max_results]
    answer: dict[str, Any] = {"experiments": chunk}
    if offset + max_results < len(views):
        answer["next_page_token"] = encode_page_token(offset + max_results)
    return answer


def update_experiment(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    project = project_for(registry, user, arg_str(req, "experiment_id", required=True), Role.EDIT)
    new_name = arg_str(req, "new_name")
    if new_name is not None and new_name != project.name:
        raise MlflowError("NOT_IMPLEMENTED", f"ML Hub projects keep their name: cannot rename {project.name!r} "
                          f"to {new_name!r} (create a new experiment instead)")
    return {}


def delete_experiment(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    project = project_for(registry, user, arg_str(req, "experiment_id", required=True), Role.MANAGE)
    raise MlflowError("NOT_IMPLEMENTED", f"ML Hub does not delete projects: experiment {project.name!r} stays; "
                      "delete its runs (runs/delete) or make it private instead")


def restore_experiment(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    project = project_for(registry, user, arg_str(req, "experiment_id", required=True), Role.MANAGE)
    raise invalid(f"Cannot restore an active experiment: {project.name!r} is not deleted")


def set_experiment_tag(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    project = project_for(registry, user, arg_str(req, "experiment_id", required=True), Role.EDIT)
    key = arg_str(req, "key", required=True)
    assert key is not None
    _check_tag_keys({key: ""})
    registry.update_project(user, project.name, {"description": str(req.get("value") or "")})
    return {}


def delete_experiment_tag(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    project = project_for(registry, user, arg_str(req, "experiment_id", required=True), Role.EDIT)
    key = arg_str(req, "key", required=True)
    assert key is not None
    _check_tag_keys({key: ""})
    registry.update_project(user, project.name, {"description": ""})
    return {}


def encode_page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"offset": offset})).decode()


def decode_page_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        offset = orjson.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise ValueError
        return offset
    except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        raise invalid(f"Invalid page token {token[:100]!r}: pass back a next_page_token as it was given") from None
