"""Shared data and one real LocalCluster (2 workers on 127.0.0.1) for the train tests."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="session")
def iris() -> pd.DataFrame:
    from sklearn.datasets import load_iris

    data = load_iris(as_frame=True)
    frame = data.frame.drop(columns=["target"])
    frame.columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    frame["species"] = np.asarray(data.target_names)[data.target]
    return frame


def png_bytes(pixels: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray((pixels * 255 / 16).astype(np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(scope="session")
def digits_png() -> pd.DataFrame:
    """scikit-learn's digits as a table of PNG images and labels."""
    from sklearn.datasets import load_digits

    d = load_digits()
    return pd.DataFrame({"image": [png_bytes(a) for a in d.images[:800]], "label": d.target[:800]})


@pytest.fixture(scope="session")
def client():
    from mlhub_ext.train.cluster import close_cluster, get_client

    c = get_client(n_workers=2)
    c.wait_for_workers(2, timeout=60)
    c.run(_warm_up)  # both workers import torch at once instead of inside timed tests
    yield c
    close_cluster()


def _warm_up() -> None:
    import torch

    torch.optim.Adam(torch.nn.Linear(1, 1).parameters())   # imports torch._dynamo lazily
