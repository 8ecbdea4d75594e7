"""PyTorch is the ``torch`` extra, not a dependency: the package imports no torch, its
requirements list torch only under the extra, and training (or loading) a torch model
where it is missing is refused with an error that names the extra, at spec validation
and as a 422 at REST. In a subprocess, absence is simulated by an import hook that
answers ``torch`` as a missing module (``sys.modules["torch"] = None`` would also break
SciPy's own checks for torch arrays, which look the module up there)."""
from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.train.specs import TORCH_MISSING, validate_spec

from tests.conftest import MLHubServer

EXTRA_HINT = "pip install 'mlhub_ext[torch]'"

# Every module of the package except the torch model code itself and Alembic's migration
# scripts (run by Alembic, not importable on their own).
IMPORT_ALL = """
import importlib, pkgutil, sys
import mlhub_ext
failed = []
for info in pkgutil.walk_packages(mlhub_ext.__path__, "mlhub_ext."):
    if info.name == "mlhub_ext.train.torch_models" or ".migrations" in info.name:
        continue
    try:
        importlib.import_module(info.name)
    except ModuleNotFoundError as exc:
        if exc.name != info.name:     # not a file that moved away while walking
            failed.append(f"{info.name}: {exc!r}")
    except Exception as exc:
        failed.append(f"{info.name}: {exc!r}")
print(json.dumps({"torch": "torch" in sys.modules, "failed": failed}))
"""

# Put first on sys.meta_path: `import torch` (and importlib.util.find_spec) then fail as
# they do where torch is not installed.
NO_TORCH = """
import sys


class _NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _NoTorch())
"""

WITHOUT_TORCH = NO_TORCH + """
import json
from mlhub_ext.core.errors import MLHubError
from mlhub_ext.train.specs import validate_spec
from mlhub_ext.train.predict import load_model
out = {"sklearn": validate_spec({"kind": "sklearn",
                                 "estimator": "sklearn.linear_model.LogisticRegression"}).kind}
from mlhub_ext.train.images import decode_image
import numpy as np
for name, call in (("spec", lambda: validate_spec({"kind": "torch_cnn"})),
                   ("load", lambda: load_model(b"weights", "torch")),
                   ("resize", lambda: decode_image(np.zeros((4, 4)), 1, (2, 2)))):
    try:
        call()
    except MLHubError as exc:
        out[name] = [exc.code.value, str(exc)]
print(json.dumps(out))
"""


def _python(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", "import json\n" + code], capture_output=True,
                         text=True, timeout=240)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_requirements_list_torch_only_under_the_extra() -> None:
    reqs = [Requirement(r) for r in importlib.metadata.requires("mlhub_ext") or []]
    torch = [r for r in reqs if r.name == "torch"]
    assert torch, "the torch extra is missing from the package metadata"
    for r in torch:
        assert r.marker is not None and r.marker.evaluate({"extra": "torch"}), str(r)
        assert not r.marker.evaluate({"extra": ""}), f"torch is a plain dependency: {r}"
        assert r.specifier.contains("2.13.0") and "==" not in str(r.specifier), \
            f"the extra should be a range that the Makefile's pinned CPU build satisfies: {r}"


def test_no_module_of_the_package_imports_torch() -> None:
    got = _python(IMPORT_ALL)
    assert got["failed"] == [], got["failed"]
    assert got["torch"] is False


def test_without_torch_a_torch_model_is_refused_naming_the_extra() -> None:
    got = _python(WITHOUT_TORCH)
    assert got["sklearn"] == "sklearn"        # everything else still works
    for name in ("spec", "load", "resize"):
        code, message = got[name]
        assert code == "invalid" and message.startswith(TORCH_MISSING), got
    assert "kind 'torch_cnn'" in got["spec"][1]


def test_without_torch_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(MLHubError, match=r"PyTorch is not installed: pip install 'mlhub_ext\[torch\]'") as info:
        validate_spec({"kind": "torch_mlp", "epochs": 2})
    assert info.value.code is ErrorCode.INVALID and info.value.details["extra"] == "torch"


def test_without_torch_rest_answers_422_naming_the_extra(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # `mlhub serve` in a Python whose startup hides torch (a sitecustomize on PYTHONPATH).
    shim = tmp_path / "no-torch"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(NO_TORCH)
    monkeypatch.setenv("PYTHONPATH", str(shim))
    server = MLHubServer(tmp_path / "mlhub-data")
    server.data_dir.mkdir()
    server.start()
    try:
        resp = server.api("POST", "jobs", json={"name": "mlp", "dataset": "iris", "target": "species",
                                                 "kind": "torch_mlp", "epochs": 2})
        assert resp.status_code == 422, resp.text
        error = resp.json()["error"]
        assert error["code"] == "invalid" and EXTRA_HINT in error["message"], error
    finally:
        server.stop()
