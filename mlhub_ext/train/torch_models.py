"""The built-in PyTorch models, their training loop and a servable wrapper.

Two small architectures: an MLP for tables and a CNN for images sized from the data.
:class:`TorchModel` gives a trained network scikit-learn's ``predict`` / ``predict_proba``
and serialises to ``torch.save`` of a state dict plus plain metadata, loaded back with
``weights_only=True`` so that loading a model never runs code.
"""
from __future__ import annotations

import io
import time
from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np
import pandas as pd

from ..core.errors import invalid, quoted
from .progress import AbortCheck, EpochCallback, TrainingAborted
from .specs import require_torch

# Training or loading a torch model where the `torch` extra is missing (a worker, a
# registry serving predictions) says which extra to install, not "No module named torch".
require_torch("training or loading a PyTorch model")
import torch  # noqa: E402
from torch import nn  # noqa: E402

FORMAT = "mlhub-torch-1"


def build_mlp(n_inputs: int, n_outputs: int, hidden_sizes: list[int], dropout: float) -> nn.Module:
    """Linear layers with ReLU (and dropout) between them."""
    layers: list[nn.Module] = []
    width = n_inputs
    for h in hidden_sizes:
        layers += [nn.Linear(width, h), nn.ReLU()]
        if dropout:
            layers.append(nn.Dropout(dropout))
        width = h
    layers.append(nn.Linear(width, n_outputs))
    return nn.Sequential(*layers)


def build_cnn(shape: list[int], n_outputs: int, channels: list[int], hidden_size: int,
              dropout: float) -> nn.Module:
    """Conv-ReLU blocks, pooling while the image is at least 4 pixels, then a small head."""
    c, h, w = shape
    layers: list[nn.Module] = []
    for out in channels:
        layers += [nn.Conv2d(c, out, kernel_size=3, padding=1), nn.ReLU()]
        if min(h, w) >= 4:
            layers.append(nn.MaxPool2d(2))
            h, w = h // 2, w // 2
        c = out
    layers += [nn.Flatten(), nn.Linear(c * h * w, hidden_size), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(hidden_size, n_outputs))
    return nn.Sequential(*layers)


def build_network(arch: str, arch_params: dict[str, Any]) -> nn.Module:
    """Rebuild a network from the metadata kept with its weights."""
    p = arch_params
    if arch == "mlp":
        return build_mlp(p["n_inputs"], p["n_outputs"], p["hidden_sizes"], p["dropout"])
    if arch == "cnn":
        return build_cnn(p["shape"], p["n_outputs"], p["channels"], p["hidden_size"], p["dropout"])
    raise invalid(f"unknown torch architecture {quoted(arch)}")


def pick_device() -> torch.device:
    """CUDA when the worker has a GPU, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def make_optimizer(name: str, params: Any, lr: float, weight_decay: float) -> torch.optim.Optimizer:
    """One of the optimizers a spec may name."""
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)


def fit_network(net: nn.Module, X: np.ndarray, y: np.ndarray, *, task: str, epochs: int,
                batch_size: int, lr: float, optimizer: str = "adam", weight_decay: float = 0.0,
                seed: int = 0, X_val: np.ndarray | None = None, y_val: np.ndarray | None = None,
                on_epoch: EpochCallback | None = None, should_abort: AbortCheck | None = None,
                device: torch.device | None = None, threads: int | None = 1
                ) -> list[dict[str, float]]:
    """Train ``net`` in place and return one metrics dict per epoch.

    ``y`` holds class indices for classification and (scaled) floats for regression.
    ``should_abort`` is called between batches; when it returns true the loop raises
    :class:`TrainingAborted`. Seeded: the same inputs give the same weights on one device.
    ``threads`` caps torch's CPU threads while training (one, as on a Dask worker, by
    default: parallelism comes from workers, and on oversubscribed cores torch's thread
    pool crawls).
    """
    device = device or pick_device()
    with cpu_threads(threads if device.type == "cpu" else None):
        return _fit(net, X, y, task, epochs, batch_size, lr, optimizer, weight_decay, seed,
                    X_val, y_val, on_epoch, should_abort, device)


@contextmanager
def cpu_threads(n: int | None) -> Iterator[None]:
    """Run with at most ``n`` torch CPU threads (None: leave as is)."""
    before = torch.get_num_threads()
    if n is not None and n < before:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


def _fit(net: nn.Module, X: np.ndarray, y: np.ndarray, task: str, epochs: int, batch_size: int,
         lr: float, optimizer: str, weight_decay: float, seed: int, X_val: np.ndarray | None,
         y_val: np.ndarray | None, on_epoch: EpochCallback | None,
         should_abort: AbortCheck | None, device: torch.device) -> list[dict[str, float]]:
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    net.to(device)
    classify = task == "classification"
    loss_fn: nn.Module = nn.CrossEntropyLoss() if classify else nn.MSELoss()
    opt = make_optimizer(optimizer, net.parameters(), lr, weight_decay)
    Xt = torch.as_tensor(X, dtype=torch.float32)
    yt = torch.as_tensor(y, dtype=torch.long if classify else torch.float32)
    n = len(Xt)
    history: list[dict[str, float]] = []
    for epoch in range(1, epochs + 1):
        started = time.perf_counter()
        net.train()
        order = torch.randperm(n, generator=gen)
        total, correct = 0.0, 0
        for b, start in enumerate(range(0, n, batch_size)):
            if should_abort is not None and should_abort():
                raise TrainingAborted(epoch, b)
            idx = order[start:start + batch_size]
            xb, yb = Xt[idx].to(device), yt[idx].to(device)
            opt.zero_grad()
            out = net(xb)
            loss = loss_fn(out, yb) if classify else loss_fn(out.squeeze(-1), yb)
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
            if classify:
                correct += int((out.argmax(1) == yb).sum())
        metrics = {"epoch": epoch, "loss": total / n}
        if classify:
            metrics["acc"] = correct / n
        if X_val is not None and y_val is not None and len(X_val):
            metrics.update(_validate(net, X_val, y_val, classify, loss_fn, batch_size, device))
        metrics["seconds"] = time.perf_counter() - started
        history.append(metrics)
        if on_epoch is not None:
            on_epoch(epoch, dict(metrics))
    return history


def _validate(net: nn.Module, X: np.ndarray, y: np.ndarray, classify: bool, loss_fn: nn.Module,
              batch_size: int, device: torch.device) -> dict[str, float]:
    out = _forward(net, X, batch_size, device)
    yt = torch.as_tensor(y, dtype=torch.long if classify else torch.float32)
    if classify:
        return {"val_loss": float(loss_fn(out, yt)), "val_acc": float((out.argmax(1) == yt).float().mean())}
    return {"val_loss": float(loss_fn(out.squeeze(-1), yt))}


def _forward(net: nn.Module, X: np.ndarray, batch_size: int, device: torch.device) -> torch.Tensor:
    net.eval()
    outs = []
    with torch.no_grad():
        Xt = torch.as_tensor(X, dtype=torch.float32)
        for start in range(0, len(Xt), max(batch_size, 256)):
            outs.append(net(Xt[start:start + max(batch_size, 256)].to(device)).cpu())
    return torch.cat(outs) if outs else torch.empty(0)


def _category(value: Any) -> Any:
    # One-hot categories are compared as strings; missing values match none of them.
    return None if value is None or (isinstance(value, float) and value != value) else str(value)


class TorchModel:
    """A trained network with scikit-learn's predict API, plus what it needs around it.

    Tables: ``encoding`` maps categorical columns to their categories (one-hot), numeric
    inputs are standardised with ``x_mean`` / ``x_std``; regression targets are scaled back.
    """

    def __init__(self, arch: str, arch_params: dict[str, Any], net: nn.Module, *, task: str,
                 classes: list[Any] | None = None, columns: list[str] | None = None,
                 encoding: dict[str, list[Any]] | None = None,
                 x_mean: np.ndarray | None = None, x_std: np.ndarray | None = None,
                 y_mean: float = 0.0, y_std: float = 1.0) -> None:
        self.arch = arch
        self.arch_params = arch_params
        self.net = net.cpu().eval()
        self.task = task
        self.classes_ = np.asarray(classes) if classes is not None else None
        self.columns = columns or []
        self.encoding = encoding or {}
        self.x_mean = x_mean
        self.x_std = x_std
        self.y_mean = y_mean
        self.y_std = y_std

    @property
    def param_count(self) -> int:
        return sum(p.numel() for p in self.net.parameters())

    def transform(self, X: Any) -> np.ndarray:
        """Inputs (DataFrame of the schema's columns, or arrays) as the network's input."""
        if self.arch == "cnn":
            return np.asarray(X, dtype=np.float32)
        if isinstance(X, pd.DataFrame):
            parts = []
            for col in self.columns:
                if col in self.encoding:
                    cats = self.encoding[col]
                    vals = X[col].map(_category).to_numpy(dtype=object)
                    parts.append(np.stack([(vals == c) for c in cats], axis=1).astype(np.float32)
                                 if cats else np.zeros((len(X), 0), np.float32))
                else:
                    parts.append(pd.to_numeric(X[col], errors="coerce").to_numpy(np.float32)[:, None])
            arr = np.concatenate(parts, axis=1) if parts else np.zeros((len(X), 0), np.float32)
        else:
            arr = np.asarray(X, dtype=np.float32)
        if self.x_mean is not None and self.x_std is not None:
            arr = (arr - self.x_mean) / self.x_std
        return arr.astype(np.float32)

    def _outputs(self, X: Any) -> torch.Tensor:
        arr = self.transform(X)
        # Small requests gain nothing from a thread pool and suffer on a busy server.
        with cpu_threads(1 if len(arr) < 1024 else None):
            return _forward(self.net, arr, 256, torch.device("cpu"))

    def predict(self, X: Any) -> np.ndarray:
        out = self._outputs(X)
        if self.task == "classification":
            return self.classes_[out.argmax(1).numpy()]
        return out.squeeze(-1).numpy().astype(float) * self.y_std + self.y_mean

    def predict_proba(self, X: Any) -> np.ndarray:
        if self.task != "classification":
            raise AttributeError("predict_proba is only available for classifiers")
        return torch.softmax(self._outputs(X), dim=1).numpy().astype(float)

    def to_bytes(self) -> bytes:
        """``torch.save`` of the weights and plain metadata (no pickled code)."""
        state = {
            "format": FORMAT, "arch": self.arch, "arch_params": self.arch_params,
            "state_dict": self.net.state_dict(), "task": self.task,
            "classes": None if self.classes_ is None else self.classes_.tolist(),
            "columns": self.columns, "encoding": self.encoding,
            "x_mean": None if self.x_mean is None else torch.as_tensor(self.x_mean),
            "x_std": None if self.x_std is None else torch.as_tensor(self.x_std),
            "y_mean": float(self.y_mean), "y_std": float(self.y_std),
        }
        buf = io.BytesIO()
        torch.save(state, buf)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "TorchModel":
        """Load a model saved by :meth:`to_bytes`, with ``weights_only=True``."""
        try:
            state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
        except Exception as exc:  # torch raises several kinds for a corrupt or foreign file
            raise invalid(f"not a saved ML Hub torch model: {exc}") from None
        if not isinstance(state, dict) or state.get("format") != FORMAT:
            raise invalid("not a saved ML Hub torch model")
        net = build_network(state["arch"], state["arch_params"])
        net.load_state_dict(state["state_dict"])
        as_np = (lambda t: None if t is None else t.numpy())
        return cls(state["arch"], state["arch_params"], net, task=state["task"],
                   classes=state["classes"], columns=state["columns"], encoding=state["encoding"],
                   x_mean=as_np(state["x_mean"]), x_std=as_np(state["x_std"]),
                   y_mean=state["y_mean"], y_std=state["y_std"])
