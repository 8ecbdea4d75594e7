"""MLflow 3's logged models (``mlflow.<flavor>.log_model``) kept on ML Hub runs.

A logged model belongs to the run that logged it (``source_run_id``); one logged outside a
run gets a run of its own in the experiment's project, named ``model <name>``, so every
logged model has a run that holds it and the run's access rules are the model's.

- ``model_id`` is ``m-<run id><8 hex>``: the holding run is read from the id, no index needed.
- The record (name, status, model type, tags, params, times, creator) lives in the run's
  ``provenance["mlflow_models"][<model id>]``; its files are the run's artifacts
  ``models/<model id>/<path>`` (the lab lists them on the run page), written through the
  artifact proxy at ``mlflow-artifacts:/<exp>/models/<model id>/artifacts``.
- search covers the given experiments' runs; its filter takes MLflow's grammar over
  ``name``, ``model_id``, ``status``, ``source_run_id``, ``model_type``, ``creation_timestamp``
  (and ``_ms``), ``params.*``, ``tags.*`` and ``metrics.*`` (the source run's latest values).
"""
from __future__ import annotations

import re
import secrets
import time
from typing import Any

from ...core.entities import Role, Run
from ...core.errors import ErrorCode, MLHubError
from ...core.service import Registry
from ...core.store import RunQuery
from . import search
from .artifacts import LOGGED_MODEL_PREFIX, run_of_model
from .errors import invalid, not_found
from .experiments import decode_page_token, encode_page_token, reads
from .ids import arg_int, arg_list, arg_str, experiment_id, project_for

PROVENANCE_KEY = "mlflow_models"
STATUSES = ("LOGGED_MODEL_PENDING", "LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED")
STATUS_NUMBERS = {"1": "LOGGED_MODEL_PENDING", "2": "LOGGED_MODEL_READY", "3": "LOGGED_MODEL_UPLOAD_FAILED"}
MAX_NAME = 256
MAX_RESULTS = 1000
_NAME_RE = re.compile(r"^[^/:@]{1,256}$")


def _now_ms() -> int:
    return int(time.time() * 1000)


def _records(run: Run) -> dict[str, dict[str, Any]]:
    value = run.provenance.get(PROVENANCE_KEY)
    return dict(value) if isinstance(value, dict) else {}


def _get(registry: Registry, user: str, model_id: str) -> tuple[Run, dict[str, Any]]:
    run_id = run_of_model(model_id)
    try:
        run = registry.get_run(user, run_id)
    except MLHubError as e:
        if e.code == ErrorCode.NOT_FOUND:
            raise not_found(f"Logged model with ID '{model_id}' not found.") from None
        raise
    record = _records(run).get(model_id)
    if not isinstance(record, dict):
        raise not_found(f"Logged model with ID '{model_id}' not found.")
    return run, record


def _save(registry: Registry, user: str, run_id: str, model_id: str, record: dict[str, Any]) -> None:
    run = registry.get_run(user, run_id)
    records = _records(run)
    records[model_id] = record
    registry.set_run_provenance(user, run_id, PROVENANCE_KEY, records)


def model_json(run: Run, model_id: str, record: dict[str, Any], exp_id: str) -> dict[str, Any]:
    """MLflow's LoggedModel: ``info`` and ``data`` (params; metrics are the source run's)."""
    info = {"model_id": model_id, "experiment_id": exp_id, "name": record["name"],
            "creation_timestamp_ms": record["created"], "last_updated_timestamp_ms": record["updated"],
            "artifact_uri": f"mlflow-artifacts:/{exp_id}/{LOGGED_MODEL_PREFIX}/{model_id}/artifacts",
            "status": record["status"], "model_type": record.get("model_type") or "",
            "source_run_id": record.get("source_run_id") or "",
            "tags": [{"key": k, "value": v} for k, v in sorted((record.get("tags") or {}).items())]}
    if record.get("status_message"):
        info["status_message"] = record["status_message"]
    params = [{"key": k, "value": v} for k, v in sorted((record.get("params") or {}).items())]
    return {"info": info, "data": {"params": params, "metrics": []}}


def _kv(items: Any, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str) or not item["key"]:
            raise invalid(f"each {what} must be an object with a non-empty string 'key', not {str(item)[:100]!r}")
        value = item.get("value", "")
        out[item["key"][:250]] = value if isinstance(value, str) else str(value)
    return out


def _exp(registry: Registry, user: str, run: Run) -> str:
    return experiment_id(registry.get_project(user, run.project))


def create_logged_model(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """``POST logged-models``: experiment_id, name, model_type, source_run_id, params, tags."""
    exp = arg_str(req, "experiment_id", required=True)
    project = project_for(registry, user, exp, Role.EDIT, create_default=True)
    exp_id = experiment_id(project)
    name = arg_str(req, "name") or f"model-{secrets.token_hex(3)}"
    if not _NAME_RE.match(name):
        raise invalid(f"Invalid logged model name {name[:300]!r}: 1-{MAX_NAME} characters without '/', ':' or '@'")
    source_run_id = arg_str(req, "source_run_id")
    if source_run_id:
        try:
            run = registry.get_run(user, source_run_id)
        except MLHubError as e:
            if e.code == ErrorCode.NOT_FOUND:
                raise not_found(f"Run with id={source_run_id} not found") from None
            raise
        if run.project != project.name:
            raise invalid(f"Run {source_run_id} belongs to experiment {_exp(registry, user, run)}, not {exp_id}")
    else:
        run = registry.create_run(user, project.name, name=f"model {name}"[:256],
                                  provenance={"mlflow": {"tags": {"mlhub.holds_logged_model": name}}})
        registry.update_run(user, run.id, {"status": "finished"})
    model_id = f"m-{run.id}{secrets.token_hex(4)}"
    now = _now_ms()
    record = {"name": name, "status": "LOGGED_MODEL_PENDING", "model_type": arg_str(req, "model_type") or "",
              "source_run_id": source_run_id or "", "created": now, "updated": now, "creator": str(user),
              "tags": _kv(arg_list(req, "tags"), "tag"), "params": _kv(arg_list(req, "params"), "param")}
    _save(registry, user, run.id, model_id, record)
    return {"model": model_json(run, model_id, record, exp_id)}


@reads
def get_logged_model(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    model_id = arg_str(req, "model_id", required=True) or ""
    run, record = _get(registry, user, model_id)
    return {"model": model_json(run, model_id, record, _exp(registry, user, run))}


def _update(registry: Registry, user: str, model_id: str, change: Any) -> dict[str, Any]:
    run, record = _get(registry, user, model_id)
    registry.get_project_by_id(user, int(_exp(registry, user, run)), Role.EDIT)
    record = dict(record)
    change(record)
    record["updated"] = _now_ms()
    _save(registry, user, run.id, model_id, record)
    return {"model": model_json(run, model_id, record, _exp(registry, user, run))}


def finalize_logged_model(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """``PATCH logged-models/<id>``: status READY or UPLOAD_FAILED."""
    model_id = arg_str(req, "model_id", required=True) or ""
    status = arg_str(req, "status", required=True) or ""
    status = STATUS_NUMBERS.get(status, status)
    if status not in STATUSES[1:]:
        raise invalid(f"Invalid logged model status {status!r}: use LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED")

    def change(record: dict[str, Any]) -> None:
        record["status"] = status

    return _update(registry, user, model_id, change)


def set_logged_model_tags(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """``PATCH logged-models/<id>/tags``."""
    model_id = arg_str(req, "model_id", required=True) or ""
    tags = _kv(arg_list(req, "tags"), "tag")

    def change(record: dict[str, Any]) -> None:
        record["tags"] = {**(record.get("tags") or {}), **tags}

    _update(registry, user, model_id, change)
    return {}


def delete_logged_model_tag(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """``DELETE logged-models/<id>/tags/<key>``."""
    model_id = arg_str(req, "model_id", required=True) or ""
    key = arg_str(req, "tag_key", required=True) or ""
    _, record = _get(registry, user, model_id)
    if key not in (record.get("tags") or {}):
        raise not_found(f"No tag with key {key!r} on logged model {model_id}")

    def change(record: dict[str, Any]) -> None:
        record["tags"] = {k: v for k, v in (record.get("tags") or {}).items() if k != key}

    _update(registry, user, model_id, change)
    return {}


def log_logged_model_params(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """``POST logged-models/<id>/params``."""
    model_id = arg_str(req, "model_id", required=True) or ""
    params = _kv(arg_list(req, "params"), "param")

    def change(record: dict[str, Any]) -> None:
        record["params"] = {**(record.get("params") or {}), **params}

    _update(registry, user, model_id, change)
    return {}


def delete_logged_model(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """``DELETE logged-models/<id>`` (edit role on the run's project, as any change to it): the
    record goes, so get and search no longer find it. Its files stay among the run's artifacts
    (as MLflow's server keeps them until garbage collection), and versions registered from it
    keep theirs (they hold their own content-addressed copies)."""
    model_id = arg_str(req, "model_id", required=True) or ""
    run, _ = _get(registry, user, model_id)
    registry.get_project_by_id(user, int(_exp(registry, user, run)), Role.EDIT)
    records = _records(registry.get_run(user, run.id))
    records.pop(model_id, None)
    registry.set_run_provenance(user, run.id, PROVENANCE_KEY, records)
    return {}


def log_outputs(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """``POST runs/outputs``: the run's model outputs (the logged models are on the run already)."""
    run_id = arg_str(req, "run_id", required=True) or ""
    for item in arg_list(req, "models"):
        if not isinstance(item, dict) or not isinstance(item.get("model_id"), str):
            raise invalid(f"each model output must be an object with a 'model_id', not {str(item)[:100]!r}")
        _get(registry, user, item["model_id"])
    try:
        registry.get_run(user, run_id)
    except MLHubError as e:
        if e.code == ErrorCode.NOT_FOUND:
            raise not_found(f"Run with id={run_id} not found") from None
        raise
    return {}


def _view(run: Run, model_id: str, record: dict[str, Any], exp_id: str) -> dict[str, Any]:
    attrs = {"name": record["name"], "model_id": model_id, "status": record["status"],
             "source_run_id": record.get("source_run_id") or "", "model_type": record.get("model_type") or "",
             "creation_timestamp": record["created"], "creation_time": record["created"],
             "last_updated_timestamp": record["updated"], "experiment_id": exp_id}
    return {"metrics": dict(run.latest_metrics) if record.get("source_run_id") else {},
            "params": dict(record.get("params") or {}), "tags": dict(record.get("tags") or {}),
            "attributes": attrs, "json": model_json(run, model_id, record, exp_id)}


def _matches(view: dict[str, Any], clauses: list[search.Clause]) -> bool:
    for c in clauses:
        if c.kind == "attribute":
            key = {"creation_timestamp_ms": "creation_timestamp", "created": "creation_timestamp",
                   "run_id": "source_run_id"}.get(c.key, c.key)
            if key not in view["attributes"]:
                raise invalid(f"Invalid logged model attribute {c.key!r}: use name, model_id, status, source_run_id, "
                              "model_type, creation_timestamp or last_updated_timestamp")
            if not search._test(view["attributes"][key], c):
                return False
        elif c.kind == "dataset":
            raise invalid("ML Hub does not filter logged models by dataset")
        elif not search.matches(view, [c]):
            return False
    return True


@reads
def search_logged_models(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """``POST logged-models/search``: experiment_ids, filter, order_by (field_name, ascending),
    max_results (default and at most 1000), page_token."""
    exp_ids = [str(e) for e in arg_list(req, "experiment_ids")]
    if not exp_ids:
        raise invalid("logged-models/search needs at least one experiment id in 'experiment_ids'")
    max_results = arg_int(req, "max_results", MAX_RESULTS, low=1, high=MAX_RESULTS) or MAX_RESULTS
    clauses = search.parse(arg_str(req, "filter", default="") or "")
    offset = decode_page_token(arg_str(req, "page_token"))
    views: list[dict[str, Any]] = []
    for exp in dict.fromkeys(exp_ids):
        project = project_for(registry, user, exp, create_default=exp == "0")
        runs, _ = registry.store.list_runs(RunQuery(project=project.name, readable_by=user, limit=2 ** 31, offset=0))
        for run in runs:
            for model_id, record in _records(run).items():
                view = _view(run, model_id, record, experiment_id(project))
                if _matches(view, clauses):
                    views.append(view)
    views.sort(key=lambda v: -v["attributes"]["creation_timestamp"])
    for order in reversed(arg_list(req, "order_by")):
        if not isinstance(order, dict) or not isinstance(order.get("field_name"), str):
            raise invalid(f"each order_by must be an object with 'field_name', not {str(order)[:100]!r}")
        field = order["field_name"]
        kind, _, key = field.partition(".")
        ascending = order.get("ascending", True) not in (False, "false")

        def sort_key(v: dict[str, Any], kind: str = kind, key: str = key, field: str = field) -> tuple[bool, Any]:
            if kind in ("metrics", "params", "tags") and key:
                value = v[kind].get(key)
            else:
                value = v["attributes"].get({"creation_timestamp_ms": "creation_timestamp"}.get(field, field))
            return value is None, value if value is not None else 0

        present = [v for v in views if not sort_key(v)[0]]
        missing = [v for v in views if sort_key(v)[0]]
        present.sort(key=lambda v: sort_key(v)[1], reverse=not ascending)
        views = present + missing
    page = views[offset:offset + max_results]
    answer: dict[str, Any] = {"models": [v["json"] for v in page]}
    if offset + max_results < len(views):
        answer["next_page_token"] = encode_page_token(offset + max_results)
    return answer


@reads
def list_logged_model_artifacts(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """``GET logged-models/<id>/artifacts/directories?artifact_directory_path=``."""
    from .artifacts import list_artifacts

    model_id = arg_str(req, "model_id", required=True) or ""
    run, _ = _get(registry, user, model_id)
    sub = (arg_str(req, "artifact_directory_path") or "").strip("/")
    path = f"{_exp(registry, user, run)}/{LOGGED_MODEL_PREFIX}/{model_id}/artifacts" + (f"/{sub}" if sub else "")
    return {**list_artifacts(registry, user, path), "root_uri": f"mlflow-artifacts:/{path}"}


# (method, path pattern under api/2.0/mlflow/, function): the routes with an id in the path.
PATTERNS: list[tuple[str, str, Any]] = [
    ("POST", r"logged-models/search", search_logged_models),
    ("POST", r"logged-models", create_logged_model),
    ("GET", r"logged-models/(?P<model_id>[^/]+)", get_logged_model),
    ("PATCH", r"logged-models/(?P<model_id>[^/]+)", finalize_logged_model),
    ("DELETE", r"logged-models/(?P<model_id>[^/]+)", delete_logged_model),
    ("PATCH", r"logged-models/(?P<model_id>[^/]+)/tags", set_logged_model_tags),
    ("DELETE", r"logged-models/(?P<model_id>[^/]+)/tags/(?P<tag_key>.+)", delete_logged_model_tag),
    ("POST", r"logged-models/(?P<model_id>[^/]+)/params", log_logged_model_params),
    ("GET", r"logged-models/(?P<model_id>[^/]+)/artifacts/directories", list_logged_model_artifacts),
]
_COMPILED = [(m, re.compile(p + r"\Z"), fn) for m, p, fn in PATTERNS]


def match(method: str, route: str) -> tuple[Any, dict[str, str]] | None:
    """The function and path arguments of ``method route`` (route under ``api/2.0/mlflow/``)."""
    for m, pattern, fn in _COMPILED:
        found = pattern.match(route)
        if found and m == method:
            return fn, found.groupdict()
    return None
