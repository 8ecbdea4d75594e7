"""How scikit-learn models are kept for serving: skops, never a pickle, in a shared registry.

Training returns a pickle from the user's Dask worker. A pickle runs whatever it names
when loaded, and a worker is the user's own (on a hub they could make it return any
bytes), so the registry process never unpickles one outside local mode. Instead a worker
converts the pickle to skops (``to_skops``), and the registry loads skops files only
after checking that every type they name is scikit-learn's, NumPy's or SciPy's
(``load_skops``), and after checking every decision tree's node arrays: scikit-learn
indexes them without bounds checks, so a crafted file could crash the server or read
memory it should not (``check_trees``). Evaluating a stored model on another dataset runs on a worker, which
turns the skops file back into the pickle the train layer expects (``skops_to_pickle``).
"""
from __future__ import annotations

import pickle
from typing import Any

import numpy as np

from ..core.errors import invalid

# Registry model types: "sklearn" artifacts are skops files; "sklearn-pickle" marks the rare
# estimator skops cannot save, kept as the worker's pickle (served in local mode only).
SKLEARN = "sklearn"
SKLEARN_PICKLE = "sklearn-pickle"
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.", "collections.OrderedDict")


def to_skops(model_bytes: bytes) -> bytes:
    """Worker side: the pickled estimator re-saved with skops."""
    import skops.io as sio

    return sio.dumps(pickle.loads(model_bytes))


def untrusted_types(data: bytes) -> list[str]:
    """Types named in a skops file that are outside the trusted libraries."""
    import skops.io as sio

    return [t for t in sio.get_untrusted_types(data=data) if not t.startswith(TRUSTED_PREFIXES)]


def load_skops(data: bytes) -> Any:
    """Registry side: load a skops file whose types are all scikit-learn, NumPy or SciPy."""
    import skops.io as sio

    try:
        named = sio.get_untrusted_types(data=data)
    except Exception as exc:  # skops raises several kinds for a corrupt file
        raise invalid(f"not a stored skops model: {exc}") from None
    refused = [t for t in named if not t.startswith(TRUSTED_PREFIXES)]
    if refused:
        raise invalid(f"the stored model names types outside scikit-learn, NumPy and SciPy: {refused[:5]}; "
                      "it is not loaded")
    model = sio.loads(data, trusted=named)
    check_trees(model)
    return model


def check_trees(model: Any) -> int:
    """Refuse a model holding a decision tree whose node arrays point outside themselves
    (children, features, value rows); returns how many trees were checked."""
    from sklearn.tree._tree import Tree

    seen: set[int] = set()
    checked = 0
    stack: list[tuple[Any, int]] = [(model, 0)]
    while stack:
        obj, depth = stack.pop()
        if id(obj) in seen or depth > 12:
            continue
        seen.add(id(obj))
        if isinstance(obj, Tree):
            _check_tree(obj)
            checked += 1
        elif isinstance(obj, (list, tuple)):
            stack.extend((o, depth + 1) for o in obj)
        elif isinstance(obj, dict):
            stack.extend((o, depth + 1) for o in obj.values())
        elif isinstance(obj, np.ndarray) and obj.dtype == object:
            stack.extend((o, depth + 1) for o in obj.ravel())
        elif hasattr(obj, "__dict__") and type(obj).__module__.startswith("sklearn"):
            stack.extend((o, depth + 1) for o in vars(obj).values())
    return checked


def _check_tree(tree: Any) -> None:
    n = int(tree.node_count)
    left, right = np.asarray(tree.children_left), np.asarray(tree.children_right)
    feature, value = np.asarray(tree.feature), np.asarray(tree.value)
    idx = np.arange(n)
    leaf = left == -1
    ok = (n >= 1 and len(left) == len(right) == len(feature) == n and value.shape[0] == n
          and np.array_equal(leaf, right == -1)
          # children come after their parent (as scikit-learn builds them): in range, no cycles
          and bool(np.all(leaf | ((left > idx) & (left < n) & (right > idx) & (right < n))))
          and bool(np.all(leaf | ((feature >= 0) & (feature < int(tree.n_features))))))
    if not ok:
        raise invalid("the stored model holds a decision tree whose node arrays are out of range; it is not loaded")


def skops_to_pickle(data: bytes) -> bytes:
    """Worker side: the pickle the train layer's evaluation loads (the user's own cluster)."""
    return pickle.dumps(load_skops(data), protocol=5)
