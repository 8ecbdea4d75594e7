"""W&B-style code against ML Hub: ``import mlhub_ext.wandb as wandb``.

The calls a typical training script makes (``init``, ``log``, ``config``, ``summary``,
``define_metric``, ``finish``, ``run``) mapped onto ML Hub's SDK; see
:mod:`mlhub_ext.client.wandb` and docs/wandb.md. The rest of W&B raises
:class:`WandbNotSupported` naming the feature and what to use instead.
"""
from __future__ import annotations

from typing import Any

from .client import wandb as _impl
from .client.wandb import (UNSUPPORTED, Config, WandbNotSupported, WandbRun, define_metric,  # noqa: F401
                           finish, init, log)

__all__ = ["init", "log", "finish", "define_metric", "WandbRun", "Config", "WandbNotSupported",
           "UNSUPPORTED", "run", "config", "summary"]


def __getattr__(name: str) -> Any:
    # ``wandb.run``, ``wandb.config`` and ``wandb.summary`` follow this context's run.
    return _impl.__getattr__(name)
