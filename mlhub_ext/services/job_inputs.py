"""What a job needs before it is queued: the request read into a spec, the dataset
version resolved to a file the workers can read, and the cheap checks that let bad input
fail here (missing target, empty dataset, text features without encoding) instead of on
a worker minutes later.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.dataset_service import DatasetService
from ..core.datasets import DatasetKind
from ..core.errors import invalid, malformed, quoted
from ..train.checks import check_evaluation_data, check_training_data
from ..train.specs import ModelSpec, TORCH_KINDS, validate_spec

SPEC_FIELDS = ("kind", "estimator", "params", "steps", "task", "encode", "impute", "features", "epochs", "batch_size", "lr",
               "optimizer", "weight_decay", "seed", "test_size", "image_column", "estimator_pickle")
TRAIN_FIELDS = ("dataset", "version", "target", "name", "project", "description", "tags", "visibility", "spec")
_NUMERIC_ARROW = ("int", "uint", "float", "double", "bool", "decimal", "halffloat")


@dataclass
class DataInput:
    """A dataset version as a training or evaluation input."""

    name: str
    version: int
    kind: str
    source: Any                  # a path (local cluster) or a DataFrame (remote cluster)
    columns: list[dict[str, Any]]
    num_rows: int | None
    stats: dict[str, Any] | None = None   # the version's statistics ({"num_rows", "columns": [...]})


def spec_from_body(body: dict[str, Any], allow_custom: bool, extra: tuple[str, ...] = ()) -> ModelSpec:
    """The ModelSpec a train (or sweep) request describes; unknown fields are refused."""
    unknown = sorted(set(body) - set(SPEC_FIELDS) - set(TRAIN_FIELDS) - set(extra))
    if unknown:
        raise invalid(f"unknown field(s) {unknown}; a training request takes {sorted(SPEC_FIELDS + TRAIN_FIELDS)}")
    raw = dict(body.get("spec") or {})
    if not isinstance(raw, dict):
        raise malformed("spec must be an object")
    raw.update({k: body[k] for k in SPEC_FIELDS if k in body})
    if "kind" not in raw:
        raw["kind"] = "sklearn"
    if raw["kind"] == "sklearn" and not raw.get("estimator") and not raw.get("steps"):
        raise invalid("training needs an 'estimator' (a scikit-learn dotted path such as "
                      "'sklearn.ensemble.RandomForestClassifier') or a 'kind' ('torch_mlp', 'torch_cnn')")
    return validate_spec(raw, allow_custom=allow_custom)


def resolve_dataset(datasets: DatasetService, user: str, name: Any, version: Any, blob_root: Path,
                    local_cluster: bool) -> DataInput:
    """The dataset version ``name``/``version`` (latest if None), readable by the workers."""
    if not isinstance(name, str) or not name:
        raise invalid("'dataset' must name a registered dataset")
    dv = datasets.get_version(user, name, version)
    manifest = dv.manifest or {}
    if dv.kind == DatasetKind.IMAGES:
        entry = dv.file("original")
        assert entry is not None
        blob = Path(datasets.blobs.local_path(entry["sha256"]))
        source = _image_source(blob, entry, blob_root, local_cluster)
        columns = [{"name": "image", "type": "binary"}, {"name": "label", "type": "string"}]
        n = (manifest.get("images") or {}).get("num_images")
        return DataInput(dv.dataset, dv.version, dv.kind, source, columns, n)
    entry = dv.file("parquet")
    if entry is None:
        raise invalid(f"dataset {quoted(name)} version {dv.version} has no table to train on")
    path = Path(datasets.blobs.local_path(entry["sha256"]))
    source: Any = str(path) if local_cluster else path.read_bytes()
    return DataInput(dv.dataset, dv.version, dv.kind, source, list(manifest.get("schema") or []), dv.num_rows,
                     manifest.get("stats"))


def _image_source(blob: Path, entry: dict[str, Any], blob_root: Path, local_cluster: bool) -> Any:
    # Workers read image collections by their suffix; blobs have none, so a linked name is made.
    if not local_cluster:
        from ..train.loading import image_zip_table

        return image_zip_table(_linked(blob, entry, blob_root))
    return str(_linked(blob, entry, blob_root))


def _linked(blob: Path, entry: dict[str, Any], blob_root: Path) -> Path:
    folder = blob_root / "job-inputs"
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / f"{entry['sha256']}.zip"
    if not link.exists():
        tmp = folder / f".{entry['sha256']}.{os.getpid()}.zip"
        tmp.unlink(missing_ok=True)
        try:
            os.link(blob, tmp)
        except OSError:
            os.symlink(blob, tmp)
        os.replace(tmp, link)
    return link


def check_table(data: DataInput, target: Any, spec: ModelSpec | None) -> None:
    """Refuse, before queuing, what training would refuse on a worker."""
    if not isinstance(target, str) or not target:
        raise invalid("'target' must name the column to predict")
    if data.num_rows == 0:
        raise invalid(f"dataset {quoted(data.name)} version {data.version} is empty: it has no rows to train on")
    names = [c["name"] for c in data.columns]
    if target not in names:
        raise invalid(f"target column {quoted(target)} not found in dataset {quoted(data.name)} version {data.version}; "
                      f"available columns: {names}")
    if data.kind == DatasetKind.IMAGES:
        if spec is not None and spec.kind != "torch_cnn" and spec.kind != "custom":
            raise invalid(f"dataset {quoted(data.name)} is an image collection; train it with kind 'torch_cnn'")
        return
    if len(names) < 2:
        raise invalid(f"dataset {quoted(data.name)} has no feature columns besides the target {quoted(target)}")
    # Missing values, a target the estimator cannot learn, too few rows: from the statistics.
    check_training_data(spec, target, data.stats, getattr(spec, "features", None),
                        f"dataset {quoted(data.name)} version {data.version}")
    features = spec.features if spec is not None else None
    if features is not None:
        missing = [f for f in features if f not in names]
        if missing:
            raise invalid(f"feature column(s) {missing} not found in dataset {quoted(data.name)} version {data.version}; "
                          f"available columns: {names}", columns=missing)
        if target in features:
            raise invalid(f"the target {quoted(target)} cannot also be a feature; remove it from features")
    if spec is None or spec.kind == "custom" or spec.encode == "onehot":
        return
    text = [c["name"] for c in data.columns if c["name"] != target and (features is None or c["name"] in features)
            and not str(c.get("type", "")).startswith(_NUMERIC_ARROW)]
    if text and (spec.kind in TORCH_KINDS or not spec.steps):
        raise invalid(f"non-numeric feature column(s) {text} need an encoding: set encode='onehot' "
                      "or leave them out of features",
                      columns=text)


def check_evaluation(data: DataInput, target: Any, schema: list[dict[str, Any]]) -> None:
    """Refuse, before queuing, an evaluation dataset the model version cannot be run on."""
    check_table(data, target, None)
    if data.kind != DatasetKind.IMAGES:
        check_evaluation_data(schema, data.stats, [c["name"] for c in data.columns],
                              f"dataset {quoted(data.name)} version {data.version}", target)
