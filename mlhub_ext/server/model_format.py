"""How scikit-learn models are kept for serving: skops, never a pickle, in a shared registry.

Training returns a pickle from the user's Dask worker. A pickle runs whatever it names
when loaded, and a worker is the user's own (on a hub they could make it return any
bytes), so the registry process never unpickles one outside local mode. Instead a worker
converts the pickle to skops (``to_skops``), and the registry loads skops files only
after checking that every type they name is scikit-learn's, NumPy's or SciPy's
(``load_skops``). Evaluating a stored model on another dataset runs on a worker, which
turns the skops file back into the pickle the train layer expects (``skops_to_pickle``).
"""
from __future__ import annotations

import pickle
from typing import Any

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
    return sio.loads(data, trusted=named)


def skops_to_pickle(data: bytes) -> bytes:
    """Worker side: the pickle the train layer's evaluation loads (the user's own cluster)."""
    return pickle.dumps(load_skops(data), protocol=5)
