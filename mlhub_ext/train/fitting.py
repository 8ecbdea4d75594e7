"""Fit a validated spec on a table: split, train, and package the model.

Runs where the training runs (a Dask worker); :mod:`.tasks` wraps it with I/O, progress
and evaluation. Every model comes back with an object that has ``predict`` (and
``predict_proba`` where the estimator has one) and the bytes to store it.
"""
from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import invalid, quoted
from .images import prepare_images
from .checks import accepts_missing, mark_nullable
from .specs import ModelSpec, build_sklearn_estimator
from .tabular import PreparedTable, prepare_table, select_features
from .progress import AbortCheck, EpochCallback

MODEL_TYPES = ("sklearn", "torch", "custom")


@dataclass
class FitResult:
    """A trained model, how to store it, and the held-out data to evaluate it on."""

    model: Any
    model_bytes: bytes
    model_type: str
    task: str
    input_schema: list[dict[str, Any]]
    classes: list[Any] | None
    param_count: int
    X_test: Any
    y_test: np.ndarray
    evaluated_on: str                       # "test" (held out) or "train" when test_size is 0
    n_train: int
    history: list[dict[str, float]] = field(default_factory=list)


def fit_spec(spec: ModelSpec, df: pd.DataFrame, target: str, *,
             on_epoch: EpochCallback | None = None,
             should_abort: AbortCheck | None = None) -> FitResult:
    """Train what ``spec`` describes on ``df`` (``spec`` already validated), on the
    columns ``spec.features`` (all but ``target`` when None)."""
    df = select_features(df, target, spec.features)
    if spec.kind in ("sklearn", "custom"):
        return _fit_estimator(spec, df, target)
    if spec.kind in ("torch_mlp", "torch_cnn"):
        return _fit_torch(spec, df, target, on_epoch, should_abort)
    raise invalid(f"unknown model kind {quoted(spec.kind)}")


def split(X: Any, y: np.ndarray, spec: ModelSpec, task: str) -> tuple[Any, Any, Any, Any, str]:
    """Hold out ``spec.test_size`` of the rows (stratified when every class allows it)."""
    if not spec.test_size:
        return X, X, y, y, "train"
    from sklearn.model_selection import train_test_split

    n = len(y)
    n_test = int(np.ceil(n * spec.test_size))
    if n_test < 1 or n - n_test < 1:
        raise invalid(f"{n} row(s) are too few to hold out test_size={spec.test_size}")
    stratify = None
    if task == "classification":
        _, counts = np.unique(np.asarray(y, dtype=str), return_counts=True)
        if counts.min() >= 2 and len(counts) <= n_test:
            stratify = y
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=spec.test_size,
                                              random_state=spec.seed, stratify=stratify)
    return X_tr, X_te, y_tr, y_te, "test"


def describe_model(model: Any) -> str:
    """A short name of what was trained, for catalogues: ``RandomForestClassifier``,
    ``Pipeline(StandardScaler, SVC)``, ``MLP``, ``CNN``."""
    arch = getattr(model, "arch", None)
    if isinstance(arch, str):
        return arch.upper()
    steps = getattr(model, "steps", None)
    if isinstance(steps, list):
        return f"Pipeline({', '.join(describe_model(s) for _, s in steps)})"
    return type(model).__name__


def count_params(est: Any) -> int:
    """Learned numbers in a fitted estimator: array sizes, tree nodes, sub-estimators."""
    return _count(est, depth=0)


def _count(obj: Any, depth: int) -> int:
    if depth > 6:
        return 0
    if isinstance(obj, np.ndarray):
        return int(obj.size) if obj.dtype.kind in "fiucb" else 0
    if isinstance(obj, (list, tuple)):
        return sum(_count(o, depth + 1) for o in obj)
    tree = getattr(obj, "tree_", None)
    if tree is not None and hasattr(tree, "node_count"):
        return int(tree.node_count)
    if hasattr(obj, "steps"):
        return sum(_count(step, depth + 1) for _, step in obj.steps)
    if not hasattr(obj, "get_params"):
        return 0
    total = 0
    for name, value in vars(obj).items():
        if name.endswith("_") and not name.startswith("_") and name not in ("classes_", "feature_names_in_"):
            total += _count(value, depth + 1)
    return total


# -- scikit-learn and custom estimators ---------------------------------------------------

def _fit_estimator(spec: ModelSpec, df: pd.DataFrame, target: str) -> FitResult:
    from sklearn.base import is_classifier, is_regressor

    if spec.kind == "custom":
        est = _load_custom(spec.estimator_pickle or b"")
    else:
        est = build_sklearn_estimator(spec)
    if is_classifier(est):
        task = "classification"
    elif is_regressor(est):
        task = "regression"
    else:
        task = spec.task
    prep = prepare_table(df, target, encode=spec.encode, task=task)
    takes_missing = bool(spec.impute) or accepts_missing(est)
    if prep.categorical or spec.impute:
        est = _with_preprocessing(est, prep, spec.impute)
    if takes_missing:   # predictions may then leave numeric features out (null)
        prep.input_schema = mark_nullable(prep.input_schema)
    X_tr, X_te, y_tr, y_te, on = split(prep.X, prep.y, spec, prep.task)
    est.fit(X_tr, y_tr)
    classes = prep.classes
    if prep.task == "classification" and hasattr(est, "classes_"):
        classes = [c.item() if isinstance(c, np.generic) else c for c in est.classes_]
    if spec.kind == "custom":
        import cloudpickle

        blob, model_type = cloudpickle.dumps(est), "custom"
    else:
        blob, model_type = pickle.dumps(est, protocol=5), "sklearn"
    return FitResult(model=est, model_bytes=blob, model_type=model_type, task=prep.task,
                     input_schema=prep.input_schema, classes=classes,
                     param_count=count_params(est), X_test=X_te, y_test=y_te,
                     evaluated_on=on, n_train=len(y_tr))


def _load_custom(blob: bytes) -> Any:
    import cloudpickle

    est = cloudpickle.loads(blob)
    if not (callable(getattr(est, "fit", None)) and callable(getattr(est, "predict", None))):
        raise invalid(f"the custom estimator ({type(est).__name__}) needs fit and predict methods")
    return est


def _with_preprocessing(est: Any, prep: PreparedTable, impute: str | None) -> Any:
    """``est`` behind the steps the spec asks for: missing numbers filled (``impute``, a
    ``SimpleImputer`` strategy) and text columns one-hot encoded. The model carries them,
    so predictions take raw rows."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    def imputer() -> Any:
        return SimpleImputer(strategy=impute, keep_empty_features=True)

    if not prep.categorical:
        return Pipeline([("impute", imputer()), ("model", est)])
    parts: list[tuple[str, Any, list[str]]] = [("onehot", OneHotEncoder(handle_unknown="ignore"), prep.categorical)]
    numeric = [str(c) for c in prep.X.columns if c not in prep.categorical]
    if impute and numeric:
        parts.append(("impute", imputer(), numeric))
    encode = ColumnTransformer(parts, remainder="passthrough")
    return Pipeline([("encode", encode), ("model", est)])


# -- torch --------------------------------------------------------------------------------

def _fit_torch(spec: ModelSpec, df: pd.DataFrame, target: str, on_epoch: EpochCallback | None,
               should_abort: AbortCheck | None) -> FitResult:
    from .torch_models import TorchModel, build_cnn, build_mlp, fit_network

    p = spec.params
    if spec.kind == "torch_cnn":
        prep: Any = prepare_images(df, target, image_column=spec.image_column,
                                   image_size=p.get("image_size"), task=spec.task)
    else:
        prep = prepare_table(df, target, encode=spec.encode, task=spec.task)
    X_tr, X_te, y_tr, y_te, on = split(prep.X, prep.y, spec, prep.task)
    classify = prep.task == "classification"
    n_out = len(prep.classes) if classify else 1
    if spec.kind == "torch_cnn":
        shape = list(X_tr.shape[1:])
        arch_params = {"shape": shape, "n_outputs": n_out, "channels": list(p["channels"]),
                       "hidden_size": p["hidden_size"], "dropout": p["dropout"]}
        net = build_cnn(shape, n_out, p["channels"], p["hidden_size"], p["dropout"])
        model = TorchModel("cnn", arch_params, net, task=prep.task, classes=prep.classes)
    else:
        encoding = {c: sorted({str(v) for v in X_tr[c] if v is not None}) for c in prep.categorical}
        shell = TorchModel("mlp", {}, build_mlp(1, 1, [], 0.0), task=prep.task,
                           columns=list(prep.X.columns), encoding=encoding)
        raw = shell.transform(X_tr)
        mean, std = raw.mean(axis=0), raw.std(axis=0)
        std[std == 0] = 1.0
        arch_params = {"n_inputs": int(raw.shape[1]), "n_outputs": n_out,
                       "hidden_sizes": list(p["hidden_sizes"]), "dropout": p["dropout"]}
        net = build_mlp(raw.shape[1], n_out, p["hidden_sizes"], p["dropout"])
        model = TorchModel("mlp", arch_params, net, task=prep.task, classes=prep.classes,
                           columns=list(prep.X.columns), encoding=encoding, x_mean=mean, x_std=std)
    if classify:
        index = {c: i for i, c in enumerate(prep.classes)}
        y_fit, y_val = (np.array([index[_py(v)] for v in ys]) for ys in (y_tr, y_te))
    else:
        model.y_mean = float(np.mean(y_tr))
        model.y_std = float(np.std(y_tr)) or 1.0
        y_fit, y_val = ((ys - model.y_mean) / model.y_std for ys in (y_tr, y_te))
    history = fit_network(net, model.transform(X_tr), y_fit, task=prep.task, epochs=spec.epochs,
                          batch_size=spec.batch_size, lr=spec.lr, optimizer=spec.optimizer,
                          weight_decay=spec.weight_decay, seed=spec.seed,
                          X_val=model.transform(X_te) if on == "test" else None,
                          y_val=y_val if on == "test" else None,
                          on_epoch=on_epoch, should_abort=should_abort)
    model.net = net.cpu().eval()
    return FitResult(model=model, model_bytes=model.to_bytes(), model_type="torch",
                     task=prep.task, input_schema=prep.input_schema, classes=prep.classes,
                     param_count=model.param_count, X_test=X_te, y_test=y_te,
                     evaluated_on=on, n_train=len(y_tr), history=history)


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v
