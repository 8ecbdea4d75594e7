"""MLflow experiments as ML Hub projects.

A project has a name, a description, a visibility, an owner, free-form tags and a soft-delete
mark; an experiment's ``mlflow.note.content`` tag is the project's description, other tags are
the project's tags, and ``mlhub.owner`` / ``mlhub.visibility`` are read-only tags telling ML
Hub's access facts. Renaming keeps the experiment id (the project's stable number) and its
runs; delete is MLflow's soft delete (``lifecycle_stage "deleted"``, restorable) and removes
nothing (docs/mlflow.md).
"""
from __future__ import annotations

import base64
from typing import Any

import orjson

from ...core.entities import Project, Role
from ...core.errors import ErrorCode, MLHubError
from ...core.service import Registry
from ...core.store import RunQuery
from . import search
from .errors import MlflowError, invalid, not_found
from .ids import arg_int, arg_list, arg_str, experiment_id, millis, project_for

NOTE_TAG = "mlflow.note.content"
READ_ONLY_TAGS = ("mlhub.owner", "mlhub.visibility")
VIEW_TYPES = ("ACTIVE_ONLY", "DELETED_ONLY", "ALL")
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
    tags.extend({"key": k, "value": v} for k, v in sorted(project.tags.items()))
    return {"experiment_id": exp_id, "name": project.name, "artifact_location": f"mlflow-artifacts:/{exp_id}",
            "lifecycle_stage": lifecycle(project), "creation_time": millis(project.created_at),
            "last_update_time": millis(project.updated_at), "tags": tags}


def lifecycle(project: Project) -> str:
    """MLflow's ``lifecycle_stage`` of the experiment: ``"deleted"`` once soft-deleted, else ``"active"``."""
    return "deleted" if project.deleted_at is not None else "active"


def _tags(req: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag in arg_list(req, "tags"):
        if not isinstance(tag, dict) or not isinstance(tag.get("key"), str):
            raise invalid(f"each tag must be an object with a string 'key', not {tag!r}")
        out[tag["key"]] = str(tag.get("value", ""))
    return out


def _check_tag_keys(tags: dict[str, str]) -> None:
    for key, value in tags.items():
        if not 0 < len(key) <= 250 or len(value) > 5000:
            raise invalid(f"Experiment tag {key[:100]!r}: keys are 1-250 characters, values at most 5000")
    fixed = sorted(k for k in tags if k in READ_ONLY_TAGS)
    if fixed:
        raise invalid(f"Experiment tag {fixed[0]!r} is read-only: it tells ML Hub's access facts (change the "
                      "project's owner or visibility in ML Hub instead)")


def _set_tags(registry: Registry, user: str, project: Project, tags: dict[str, str]) -> None:
    """Store ``tags``: ``mlflow.note.content`` as the description, the others as project tags."""
    if NOTE_TAG in tags:
        registry.update_project(user, project.name, {"description": tags[NOTE_TAG]})
    other = {k: v for k, v in tags.items() if k != NOTE_TAG}
    if other:
        registry.set_project_tags(user, project.name, other)


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
    _set_tags(registry, user, project, {k: v for k, v in tags.items() if k != NOTE_TAG})
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
    ``tags.<key>``; ``order_by`` over the same; ``view_type`` (``ACTIVE_ONLY`` by default,
    ``DELETED_ONLY``, ``ALL``); ``max_results`` (default 1000) and page tokens."""
    max_results = arg_int(req, "max_results", 1000, low=1, high=MAX_RESULTS)
    assert max_results is not None
    view = str(arg_str(req, "view_type", default="ACTIVE_ONLY") or "ACTIVE_ONLY").upper()
    if view not in VIEW_TYPES:
        raise invalid(f"Invalid view_type {view!r}: use one of {', '.join(VIEW_TYPES)}")
    clauses = search.parse(arg_str(req, "filter", default="") or "")
    order = search.parse_order_by([str(o) for o in arg_list(req, "order_by")], experiments=True)
    offset = decode_page_token(arg_str(req, "page_token"))
    projects: list[Project] = []
    while True:   # every readable project: the filter and order run on their MLflow view
        page, total = registry.list_projects(user, None, 1000, len(projects))
        projects.extend(page)
        if not page or len(projects) >= total:
            break
    if view != "ALL":
        projects = [p for p in projects if lifecycle(p) == ("deleted" if view == "DELETED_ONLY" else "active")]
    views = [experiment_json(p) for p in projects]
    views = [v for v in views if search.matches_experiment(v, clauses)]
    views = search.sort_experiments(views, order)
    chunk = views[offset:offset + max_results]
    answer: dict[str, Any] = {"experiments": chunk}
    if offset + max_results < len(views):
        answer["next_page_token"] = encode_page_token(offset + max_results)
    return answer


def _by_id(registry: Registry, user: str, req: dict[str, Any], needed: Role) -> Project:
    return project_for(registry, user, arg_str(req, "experiment_id", required=True), needed)


def update_experiment(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """Rename (``new_name``; manage role): the experiment id, runs and members stay.
    RESOURCE_ALREADY_EXISTS when the name is taken; a deleted experiment cannot be renamed."""
    new_name = arg_str(req, "new_name")
    if not new_name:
        _by_id(registry, user, req, Role.READ)
        return {}
    project = _by_id(registry, user, req, Role.MANAGE)
    if lifecycle(project) == "deleted":
        raise invalid(f"Cannot rename a non-active experiment: {project.name!r} is deleted (restore it first)")
    try:
        registry.rename_project(user, project.name, new_name)
    except MLHubError as e:
        if e.code == ErrorCode.CONFLICT:
            raise MlflowError("RESOURCE_ALREADY_EXISTS", f"Experiment(name={new_name}) already exists.") from None
        raise
    return {}


def delete_experiment(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """MLflow's soft delete (manage role): the experiment leaves ``search_experiments``' default view
    and takes no new runs; nothing is removed and ``experiments/restore`` brings it back."""
    project = _by_id(registry, user, req, Role.MANAGE)
    if lifecycle(project) == "deleted":
        raise invalid(f"Cannot delete an already deleted experiment: {project.name!r} (id {experiment_id(project)})")
    registry.set_project_deleted(user, project.name, True)
    _cascade_lifecycle(registry, user, project, "deleted")
    return {}


# A run deleted along with its experiment carries this mark, so a restore brings back only
# those: a run the user deleted on its own before stays deleted.
WITH_EXPERIMENT = "deleted_with_experiment"


def _cascade_lifecycle(registry: Registry, user: str, project: Project, stage: str) -> None:
    """Mark the experiment's runs ``stage`` as MLflow's store does on experiment delete/restore
    (``runs/search`` with ``DELETED_ONLY`` then lists them; ``runs/get`` says ``deleted``)."""
    runs, _ = registry.store.list_runs(RunQuery(project=project.name, readable_by=user, limit=2 ** 31))
    for run in runs:
        state = run.provenance.get("mlflow")
        state = dict(state) if isinstance(state, dict) else {}
        if stage == "deleted" and state.get("lifecycle_stage") != "deleted":
            state.update(lifecycle_stage="deleted", **{WITH_EXPERIMENT: True})
        elif stage == "active" and state.pop(WITH_EXPERIMENT, False):
            state["lifecycle_stage"] = "active"
        else:
            continue
        registry.set_run_provenance(user, run.id, "mlflow", state)


def restore_experiment(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    project = _by_id(registry, user, req, Role.MANAGE)
    if lifecycle(project) != "deleted":
        raise invalid(f"Cannot restore an active experiment: {project.name!r} is not deleted")
    registry.set_project_deleted(user, project.name, False)
    _cascade_lifecycle(registry, user, project, "active")
    return {}


def set_experiment_tag(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """Any tag (edit role); ``mlflow.note.content`` is the project's description."""
    project = _by_id(registry, user, req, Role.EDIT)
    key = arg_str(req, "key", required=True)
    assert key is not None
    value = req.get("value")
    if value is not None and not isinstance(value, str):
        raise invalid(f"Tag {key!r}'s value must be a string, not {value!r}")
    _check_tag_keys({key: ""})
    _set_tags(registry, user, project, {key: value or ""})
    return {}


def delete_experiment_tag(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    project = _by_id(registry, user, req, Role.EDIT)
    key = arg_str(req, "key", required=True)
    assert key is not None
    _check_tag_keys({key: ""})
    if key == NOTE_TAG:
        registry.update_project(user, project.name, {"description": ""})
    elif key in project.tags:
        registry.set_project_tags(user, project.name, delete=[key])
    else:
        raise not_found(f"No tag with name: {key} in experiment with id {experiment_id(project)}")
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
