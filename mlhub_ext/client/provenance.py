"""What a run records about where it came from, gathered without being asked."""
from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
from typing import Any

# Distribution names of packages worth recording when the process already imported them.
KEY_PACKAGES = {"numpy": "numpy", "pandas": "pandas", "sklearn": "scikit-learn",
                "torch": "torch", "tensorflow": "tensorflow", "jax": "jax",
                "xgboost": "xgboost", "lightgbm": "lightgbm", "mlhub_ext": "mlhub-ext"}


def collect() -> dict[str, Any]:
    """Notebook/script, cell source, execution count, git state, versions, host."""
    prov: dict[str, Any] = {
        "hostname": socket.gethostname(),
        "pid": os.getpid(),
        "cwd": os.getcwd(),
        "python": platform.python_version(),
        "packages": package_versions(),
    }
    prov.update(_notebook())
    git = git_state(os.getcwd())
    if git:
        prov["git"] = git
    return prov


def package_versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for module, dist in KEY_PACKAGES.items():
        if module in sys.modules:   # never import a heavy package just to name its version
            try:
                out[dist] = metadata.version(dist)
            except metadata.PackageNotFoundError:
                version = getattr(sys.modules[module], "__version__", None)
                if isinstance(version, str):
                    out[dist] = version
    return out


def _notebook() -> dict[str, Any]:
    shell = None
    ipython = sys.modules.get("IPython")
    if ipython is not None:
        shell = ipython.get_ipython()
    info: dict[str, Any] = {}
    if shell is None:
        if sys.argv and sys.argv[0]:
            info["script"] = os.path.abspath(sys.argv[0])
        return info
    session = os.environ.get("JPY_SESSION_NAME") or shell.user_ns.get("__session__")
    if session:
        info["notebook"] = session
    history = getattr(shell, "history_manager", None)
    inputs = getattr(history, "input_hist_raw", None) or shell.user_ns.get("_ih") or []
    if inputs:
        info["cell_source"] = inputs[-1]
        # The history's first entry is empty, so the running cell's number is its index.
        info["execution_count"] = len(inputs) - 1
    return info


def git_state(path: str) -> dict[str, Any] | None:
    """Commit, branch and dirty flag of the repository holding ``path`` (one git call)."""
    try:
        out = subprocess.run(
            ["git", "status", "--porcelain=v2", "--branch", "--untracked-files=no"],
            cwd=path, capture_output=True, text=True, timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    state: dict[str, Any] = {"dirty": False}
    for line in out.stdout.splitlines():
        if line.startswith("# branch.oid "):
            oid = line.split()[-1]
            state["commit"] = None if oid == "(initial)" else oid
        elif line.startswith("# branch.head "):
            head = line.split()[-1]
            state["branch"] = None if head == "(detached)" else head
        elif not line.startswith("#"):
            state["dirty"] = True
    return state
