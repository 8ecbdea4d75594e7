"""The built-in torch models: seeded training, abort between batches, safe saving."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from mlhub_ext.core.errors import MLHubError
from mlhub_ext.train.progress import TrainingAborted
from mlhub_ext.train.torch_models import TorchModel, build_cnn, build_mlp, fit_network


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(-1, 0.5, (60, 4)), rng.normal(1, 0.5, (60, 4))]).astype(np.float32)
    y = np.array([0] * 60 + [1] * 60)
    return X, y


def train(X, y, **kw):
    torch.manual_seed(123)  # weights are initialised before fit_network seeds the loop
    net = build_mlp(4, 2, [8], 0.0)
    history = fit_network(net, X, y, task="classification", epochs=kw.pop("epochs", 5),
                          batch_size=16, lr=0.05, seed=7, **kw)
    return net, history


def test_training_is_seeded_and_learns(blobs):
    X, y = blobs
    seen = []
    net_a, hist_a = train(X, y, X_val=X, y_val=y, on_epoch=lambda e, m: seen.append((e, m)))
    net_b, hist_b = train(X, y, X_val=X, y_val=y)
    assert [h["loss"] for h in hist_a] == [h["loss"] for h in hist_b]
    for pa, pb in zip(net_a.parameters(), net_b.parameters()):
        assert torch.equal(pa, pb)
    assert [e for e, _ in seen] == [1, 2, 3, 4, 5]
    assert {"loss", "acc", "val_loss", "val_acc", "seconds"} <= set(seen[-1][1])
    assert hist_a[-1]["loss"] < hist_a[0]["loss"] and hist_a[-1]["val_acc"] > 0.9


def test_abort_stops_between_batches(blobs):
    X, y = blobs
    calls = []

    def should_abort():
        calls.append(1)
        return len(calls) > 10          # 8 batches per epoch: stop in epoch 2, batch 2

    with pytest.raises(TrainingAborted) as err:
        train(X, y, epochs=1000, should_abort=should_abort)
    assert (err.value.epoch, err.value.batch) == (2, 2)


def test_save_and_load_round_trip(blobs):
    X, y = blobs
    net, _ = train(X, y)
    model = TorchModel("mlp", {"n_inputs": 4, "n_outputs": 2, "hidden_sizes": [8], "dropout": 0.0},
                       net, task="classification", classes=["neg", "pos"])
    again = TorchModel.from_bytes(model.to_bytes())
    assert again.predict(X).tolist() == model.predict(X).tolist()
    assert np.allclose(again.predict_proba(X), model.predict_proba(X))
    assert set(again.predict(X)) == {"neg", "pos"} and again.param_count == 4 * 8 + 8 + 8 * 2 + 2


def test_loading_refuses_foreign_bytes():
    import pickle

    with pytest.raises(MLHubError):
        TorchModel.from_bytes(b"not a model")
    # A pickle that would run code is refused by weights_only loading.
    with pytest.raises(MLHubError):
        TorchModel.from_bytes(pickle.dumps(print))


@pytest.mark.parametrize("shape", [[1, 8, 8], [3, 28, 28], [1, 3, 3]])
def test_cnn_sized_from_data(shape):
    net = build_cnn(shape, 10, [4, 8], 16, 0.1)
    assert net(torch.zeros(2, *shape)).shape == (2, 10)
