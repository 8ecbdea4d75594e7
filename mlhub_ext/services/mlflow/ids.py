"""Experiment ids ↔ projects, and MLflow's other identifiers and times.

An experiment id is the decimal form of the project's stable number in the store
(``Project.id``): it never changes, and names stay free for ML Hub's rules. MLflow's
"Default" experiment ``"0"`` (what the fluent API logs to when no experiment is set) is the
caller's own project ``Default-<user>``, created on first use: on a shared hub every user
has their own.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ...core.entities import Project, Role
from ...core.errors import ErrorCode, MLHubError
from ...core.service import Registry
from .errors import invalid, not_found

DEFAULT_EXPERIMENT_ID = "0"
_ID_RE = re.compile(r"^[0-9]{1,18}$")


def experiment_id(project: Project) -> str:
    return str(project.id)


def default_project_name(user: str) -> str:
    """The project behind experiment ``"0"`` for ``user`` (characters a project name cannot hold become '-')."""
    return "Default-" + re.sub(r"[^A-Za-z0-9_.-]", "-", str(user))[:100]


def project_for(registry: Registry, user: str, exp_id: Any, needed: Role = Role.READ,
                create_default: bool = False) -> Project:
    """The project of experiment ``exp_id`` as ``user`` may use it.

    A stranger's private project answers RESOURCE_DOES_NOT_EXIST (404), as a missing one does.
    """
    if isinstance(exp_id, int) and not isinstance(exp_id, bool):
        exp_id = str(exp_id)
    if not isinstance(exp_id, str) or not exp_id:
        raise invalid(f"experiment_id must be a non-empty string, not {exp_id!r}")
    if exp_id == DEFAULT_EXPERIMENT_ID:
        name = default_project_name(user)
        try:
            project = registry.get_project(user, name)
        except MLHubError as e:
            if e.code != ErrorCode.NOT_FOUND or not create_default:
                raise
            try:
                project = registry.create_project(user, name, "MLflow's Default experiment")
            except MLHubError as again:   # created meanwhile by a concurrent request
                if again.code != ErrorCode.CONFLICT:
                    raise
                project = registry.get_project(user, name)
        if needed != Role.READ:
            return registry.get_project_by_id(user, int(project.id or 0), needed)
        return project
    if not _ID_RE.match(exp_id):
        raise not_found(f"No Experiment with id={exp_id} exists")
    try:
        return registry.get_project_by_id(user, int(exp_id), needed)
    except MLHubError as e:
        if e.code == ErrorCode.NOT_FOUND:
            raise not_found(f"No Experiment with id={exp_id} exists") from None
        raise


def artifact_uri(exp_id: str, run_id: str) -> str:
    """Where MLflow's client puts a run's artifacts: ML Hub's artifact proxy (``mlflow-artifacts:``)."""
    return f"mlflow-artifacts:/{exp_id}/{run_id}/artifacts"


def millis(ts: datetime | None) -> int | None:
    return int(round(ts.timestamp() * 1000)) if ts is not None else None


# -- request arguments: JSON bodies carry int64 as strings (protobuf's JSON), GET queries everything --
def arg_str(req: dict[str, Any], name: str, required: bool = False, default: str | None = None) -> str | None:
    value = req.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None or value == "":
        if required:
            raise invalid(f"Missing value for required parameter '{name}'. See the API docs for more information "
                          "about request parameters.")
        return default
    if not isinstance(value, str):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise invalid(f"Invalid value {value!r} for parameter '{name}' supplied: expected a string")
    return value


def arg_int(req: dict[str, Any], name: str, default: int | None = None, required: bool = False,
            low: int = -(2 ** 63), high: int = 2 ** 63 - 1) -> int | None:
    value = req.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None or value == "":
        if required:
            raise invalid(f"Missing value for required parameter '{name}'.")
        return default
    try:
        if isinstance(value, bool):
            raise ValueError
        number = int(value) if not isinstance(value, float) or value.is_integer() else None
        if number is None:
            raise ValueError
    except (TypeError, ValueError):
        raise invalid(f"Invalid value {value!r} for parameter '{name}' supplied: expected an integer") from None
    if not low <= number <= high:
        raise invalid(f"Invalid value {number} for parameter '{name}' supplied: it must be from {low} to {high}")
    return number


def arg_list(req: dict[str, Any], name: str) -> list[Any]:
    value = req.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        return [value]
    return value
