"""binder/: what mybinder needs, checked without building an image."""
from __future__ import annotations

import re
import subprocess
import tomllib

import yaml
from packaging.requirements import Requirement

from .conftest import REPO

BINDER = REPO / "binder"


def test_scripts_are_executable_bash():
    for name in ("postBuild", "start"):
        script = BINDER / name
        assert script.stat().st_mode & 0o111, f"{name} must be executable"
        subprocess.run(["bash", "-n", str(script)], check=True)


def test_environment_pins_the_cpu_torch_of_the_package():
    env = yaml.safe_load((BINDER / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    # The build `make install` puts first, inside the range of the package's torch extra.
    (tested,) = re.findall(r"^TORCH := (torch==\S+)$", (REPO / "Makefile").read_text(), flags=re.M)
    assert tested in pip
    extra = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["torch"]
    assert Requirement(extra[0]).specifier.contains(tested.split("==")[1])
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in pip
    assert "python=3.11" in env["dependencies"]
    assert any(str(d).startswith("nodejs") for d in env["dependencies"])  # lab extension build


def test_start_runs_the_command_with_sqlite_in_home(tmp_path):
    out = subprocess.run(
        [str(BINDER / "start"), "bash", "-c", "echo $MLHUB_DB_URL; echo $MLHUB_ARTIFACT_ROOT"],
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, check=True,
    )
    assert out.stdout.split() == [f"sqlite:///{tmp_path}/.mlhub/mlhub.db", f"{tmp_path}/.mlhub/artifacts"]
    assert (tmp_path / ".mlhub").is_dir()


def test_postbuild_installs_the_repo_and_opens_the_examples():
    text = (BINDER / "postBuild").read_text()
    assert re.search(r"pip install .*--extra-index-url https://download.pytorch.org/whl/cpu \"\.\[torch\]\"$", text, re.M)
    assert 'default_url = "/lab/tree/examples"' in text
    assert (REPO / "examples").is_dir()
