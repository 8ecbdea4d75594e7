"""MLflow's artifact proxy (``mlflow-artifacts:``) over ML Hub's content-addressed blob store.

A run's ``artifact_uri`` is ``mlflow-artifacts:/<experiment id>/<run id>/artifacts``, which
MLflow's client turns into ``<tracking uri>/api/2.0/mlflow-artifacts/artifacts/<path>``.
Three kinds of path, each checked against ML Hub's access rules (a stranger's private run
or model answers RESOURCE_DOES_NOT_EXIST, as a missing one does):

- ``<exp>/<run id>/artifacts/<name>``: the run's artifact ``<name>`` (what ``mh`` and
  the lab list for the run); upload needs edit on the run's project.
- ``<exp>/models/<model id>/artifacts/<path>``: a logged model's files (MLflow 3), kept
  as the artifacts ``models/<model id>/<path>`` of the run that holds the model
  (:mod:`.logged_models`).
- ``registered-models/<name>/<version>/<path>``: the files of a registered model
  version (read only): the download URI :func:`.registry.get_download_uri` gives.

Listing answers MLflow's ``{"files": [{"path": <basename>, "is_dir", "file_size"}]}`` for
the direct children of the path; a path naming one file answers that file alone (the
client reads that as "not a directory"); a path with nothing under it answers no files.
Deleting artifacts is not offered: ML Hub keeps what a run logged.
"""
from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from typing import Any, BinaryIO, Iterable

from ...core.errors import ErrorCode, MLHubError
from ...core.model_service import ModelService
from ...core.service import Registry
from .errors import MlflowError, invalid, not_found

REGISTRY_ROOT = "registered-models"
LOGGED_MODEL_PREFIX = "models"
_RUN_ID = re.compile(r"^[0-9a-f]{32}$")
_MODEL_ID = re.compile(r"^m-([0-9a-f]{32})[0-9a-f]{8}$")
_models_of: "weakref.WeakKeyDictionary[Registry, ModelService]" = weakref.WeakKeyDictionary()


def models_of(registry: Registry) -> ModelService:
    """The model service over ``registry``'s database and blobs (built once per registry)."""
    svc = _models_of.get(registry)
    if svc is None:
        from ...store.models import open_models

        svc = _models_of.setdefault(registry, open_models(registry))
    return svc


def read_blob(blobs: Any, digest: str) -> bytes:
    with blobs.open(digest) as f:
        return f.read()


def run_of_model(model_id: str) -> str:
    """The id of the run that holds logged model ``model_id`` (``m-<run id><8 hex>``)."""
    m = _MODEL_ID.match(model_id or "")
    if m is None:
        raise not_found(f"Logged model with ID '{model_id}' not found.")
    return m.group(1)


@dataclass(frozen=True)
class Target:
    """What an artifact path names: ``kind`` run, model (logged) or version (registered)."""

    kind: str
    run_id: str = ""
    prefix: str = ""        # the run artifact names' prefix for this kind ("" or "models/<id>/")
    rest: str = ""          # the path below the kind's root ("" for the root)
    model: str = ""
    version: int = 0


def _clean(path: str) -> str:
    path = (path or "").strip("/")
    parts = path.split("/") if path else []
    if any(p in ("", ".", "..") for p in parts) or "\\" in path or "\x00" in path:
        raise invalid(f"Invalid artifact path {path[:300]!r}: it must be relative, without '..', '.' or empty "
                      "segments")
    return path


def resolve(path: str) -> Target:
    """The :class:`Target` of an artifact path relative to the proxy's root."""
    parts = _clean(path).split("/")
    if len(parts) >= 3 and parts[0] == REGISTRY_ROOT:
        if not parts[2].isdigit() or not 0 < int(parts[2]) < 2 ** 31:
            raise not_found(f"No artifacts at {path!r}")
        return Target("version", model=parts[1], version=int(parts[2]), rest="/".join(parts[3:]))
    if len(parts) >= 4 and parts[1] == LOGGED_MODEL_PREFIX and parts[3] == "artifacts":
        run_id = run_of_model(parts[2])
        return Target("model", run_id=run_id, prefix=f"{LOGGED_MODEL_PREFIX}/{parts[2]}/",
                      rest="/".join(parts[4:]))
    if len(parts) >= 3 and _RUN_ID.match(parts[1]) and parts[2] == "artifacts":
        return Target("run", run_id=parts[1], rest="/".join(parts[3:]))
    raise not_found(f"No artifacts at {path!r}: ML Hub's artifact paths are <experiment id>/<run id>/artifacts/..., "
                    "<experiment id>/models/<model id>/artifacts/... or registered-models/<name>/<version>/...")


def _translate(exc: MLHubError, what: str) -> Exception:
    if exc.code == ErrorCode.NOT_FOUND:
        return not_found(f"{what} not found")
    return exc


def files_of(registry: Registry, user: str, t: Target) -> dict[str, tuple[str, int]]:
    """Every file under the target's root: relative path → (sha256, size)."""
    if t.kind == "version":
        try:
            v = models_of(registry).get_version(user, t.model, t.version, with_evaluation=False)
        except MLHubError as e:
            raise _translate(e, f"Model version (name={t.model}, version={t.version})") from None
        files = (v.spec.get("mlflow") or {}).get("files") or {}
        if not files and v.model_type == "sklearn" and v.artifact_sha256 and registry.blobs is not None:
            return _native_sklearn_files(registry, v)
        return {str(k): (str(sha), int(size)) for k, (sha, size) in files.items()}
    try:
        arts = registry.list_artifacts(user, t.run_id)
    except MLHubError as e:
        raise _translate(e, f"Run with id={t.run_id}") from None
    out: dict[str, tuple[str, int]] = {}
    for a in arts:
        if t.prefix:
            if a.name.startswith(t.prefix):
                out[a.name[len(t.prefix):]] = (a.sha256, a.size)
        elif not a.name.startswith(LOGGED_MODEL_PREFIX + "/m-"):
            out[a.name] = (a.sha256, a.size)
    return out


_TO_MLFLOW_TYPE = {"float": "double", "int": "long", "bool": "boolean", "string": "string"}


def _native_sklearn_files(registry: Registry, v: Any) -> dict[str, tuple[str, int]]:
    """An ML Hub-trained scikit-learn version (a skops file) as an MLflow model: its skops file
    and an ``MLmodel`` written for it (the sklearn flavor, skops format, the types the file
    names as trusted ones, and a signature from the version's input schema), so that
    ``mlflow.pyfunc.load_model("models:/<name>/<version>")`` loads it in the user's kernel."""
    import platform

    import skops.io as sio
    import sklearn
    import yaml

    blobs = registry.blobs
    assert blobs is not None
    data = read_blob(blobs, v.artifact_sha256)
    sklearn_conf: dict[str, Any] = {"pickled_model": "model.skops", "serialization_format": "skops",
                                    "sklearn_version": sklearn.__version__, "code": None,
                                    "skops_trusted_types": sorted(sio.get_untrusted_types(data=data))}
    doc: dict[str, Any] = {
        "artifact_path": f"{REGISTRY_ROOT}/{v.model}/{v.version}",
        "flavors": {"python_function": {"loader_module": "mlflow.sklearn", "model_path": "model.skops",
                                        "predict_fn": "predict", "python_version": platform.python_version()},
                    "sklearn": sklearn_conf},
        "model_uuid": f"mlhub-{v.model}-{v.version}"}
    cols = v.input_schema or []
    if cols and all(c.get("dtype") in _TO_MLFLOW_TYPE for c in cols):
        import json

        doc["signature"] = {"inputs": json.dumps([{"type": _TO_MLFLOW_TYPE[c["dtype"]], "name": c["name"],
                                                   "required": not c.get("nullable")} for c in cols]),
                            "outputs": None, "params": None}
    mlmodel = yaml.safe_dump(doc, sort_keys=False).encode()
    return {"MLmodel": (blobs.put_stream([mlmodel]), len(mlmodel)), "model.skops": (v.artifact_sha256, len(data))}


def list_artifacts(registry: Registry, user: str, path: str) -> dict[str, Any]:
    """MLflow's ``GET mlflow-artifacts/artifacts?path=``: the direct children of ``path``."""
    t = resolve(path)
    files = files_of(registry, user, t)
    if t.rest in files:
        return {"files": [{"path": t.rest.rsplit("/", 1)[-1], "is_dir": False, "file_size": files[t.rest][1]}]}
    prefix = t.rest + "/" if t.rest else ""
    children: dict[str, dict[str, Any]] = {}
    for name, (_, size) in files.items():
        if not name.startswith(prefix):
            continue
        head, sep, _ = name[len(prefix):].partition("/")
        if sep:
            children.setdefault(head, {"path": head, "is_dir": True})
        else:
            children[head] = {"path": head, "is_dir": False, "file_size": size}
    return {"files": [children[k] for k in sorted(children)]}


def open_artifact(registry: Registry, user: str, path: str) -> tuple[str, int, BinaryIO]:
    """``(sha256, size, open file)`` of the file at ``path``; RESOURCE_DOES_NOT_EXIST if none."""
    t = resolve(path)
    files = files_of(registry, user, t)
    if t.rest not in files:
        raise not_found(f"No artifact at {path!r}")
    sha, size = files[t.rest]
    blobs = registry.blobs
    if blobs is None:
        raise MlflowError("TEMPORARILY_UNAVAILABLE", "this ML Hub has no artifact store configured")
    return sha, size, blobs.open(sha)


def upload_artifact(registry: Registry, user: str, path: str, chunks: Iterable[bytes]) -> dict[str, Any]:
    """MLflow's ``PUT mlflow-artifacts/artifacts/<path>``: store the bytes as a run artifact
    (a run's file, or a logged model's file on the run that holds it); a file uploaded
    again under the same name replaces the name's content."""
    t = resolve(path)
    if t.kind == "version":
        raise MlflowError("PERMISSION_DENIED", "A registered model version's files are read-only: log the model "
                          "again and register the new logged model")
    if not t.rest:
        raise invalid(f"Artifact path {path!r} names a directory, not a file")
    try:
        registry.log_artifact(user, t.run_id, t.prefix + t.rest, chunks)
    except MLHubError as e:
        raise _translate(e, f"Run with id={t.run_id}") from None
    return {}


def logged_model_files(registry: Registry, user: str, model_id: str) -> dict[str, tuple[str, int]]:
    """The files of logged model ``model_id``: path → (sha256, size)."""
    run_id = run_of_model(model_id)
    return files_of(registry, user, Target("model", run_id=run_id, prefix=f"{LOGGED_MODEL_PREFIX}/{model_id}/"))
