"""ML Hub: a notebook-native ML platform for JupyterLab.

``import mlhub_ext as mh`` gives the SDK (``mh.init``, ``mh.datasets``, ``mh.models``...).
Importing the package loads neither tornado nor SQLAlchemy: the server side is only
imported by Jupyter through the extension entry points below.
"""
from __future__ import annotations

from typing import Any

from .version import __version__


# SDK names, imported on first use so that `import mlhub_ext` stays cheap.
_LAZY = {
    "init": "mlhub_ext.client.fluent",
    "login": "mlhub_ext.client.fluent",
    "attach": "mlhub_ext.client.fluent",
    "log": "mlhub_ext.client.fluent",
    "finish": "mlhub_ext.client.fluent",
    "active_run": "mlhub_ext.client.fluent",
    "Run": "mlhub_ext.client.run",
    "RunStopped": "mlhub_ext.client.run",
    "sync_all": "mlhub_ext.client.sync",
    "live": "mlhub_ext.notebook.live",
    "plots": "mlhub_ext.notebook.model_plots",
    "me": "mlhub_ext.client.account",
    "insights": "mlhub_ext.client.insights",
}
# SDK namespaces: ``mh.datasets.upload(...)``, ``mh.data.ops.dropna(...)``.
_MODULES = {"datasets": "mlhub_ext.client.datasets", "data": "mlhub_ext.data",
            "projects": "mlhub_ext.client.projects", "models": "mlhub_ext.client.models",
            "runs": "mlhub_ext.client.runs",
            "account": "mlhub_ext.client.account"}

__all__ = ["__version__", *_LAZY, *_MODULES]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        import importlib

        mod = importlib.import_module(_MODULES[name])
        globals()[name] = mod
        return mod
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mlhub_ext' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | set(_MODULES))


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext mlhub_ext``: registers the ``%track`` / ``%%track`` magics."""
    from .notebook.magics import register

    register(ipython)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "mlhub-ext"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .server.app import MLHub

    return [{"module": "mlhub_ext.server.app", "app": MLHub}]
