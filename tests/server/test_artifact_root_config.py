"""MLHub.artifact_root as a URL, configured the way a deployment does it: environment
variables read by ``mlhub serve`` (MLHUB_ARTIFACT_ROOT, MLHUB_STORAGE_OPTIONS, AWS_*)."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlhub_ext.server.config import MLHubConfigMixin, parse_storage_options
from tests.conftest import MLHubServer


def serve_fails(tmp_path: Path, root: str) -> subprocess.CompletedProcess[str]:
    work = tmp_path / "cwd"
    work.mkdir(exist_ok=True)
    env = {**os.environ, "MLHUB_DATA_DIR": str(tmp_path / "data"), "MLHUB_ARTIFACT_ROOT": root}
    out = subprocess.run([sys.executable, "-m", "mlhub_ext.cli", "serve", "--port", "1"], cwd=work, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2, out.stderr
    assert list(work.iterdir()) == [], "a URL is never taken as a relative path"
    return out


@pytest.mark.parametrize("root, package", [("gs://bucket/prefix", "gcsfs")])
def test_serve_refuses_at_start_a_url_whose_backend_is_missing(tmp_path, root, package):  # type: ignore[no-untyped-def]
    try:
        __import__(package)
        pytest.skip(f"{package} is installed here")
    except ImportError:
        pass
    out = serve_fails(tmp_path, root)
    assert f"pip install {package}" in out.stderr and root in out.stderr


def test_serve_refuses_at_start_a_scheme_no_backend_handles(tmp_path):  # type: ignore[no-untyped-def]
    out = serve_fails(tmp_path, "bogus://bucket/prefix")
    assert "bogus://" in out.stderr and "no fsspec backend" in out.stderr


def test_storage_options_from_the_environment(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MLHUB_STORAGE_OPTIONS", '{"endpoint_url": "http://127.0.0.1:9000", "anon": false}')
    assert MLHubConfigMixin().storage_options == {"endpoint_url": "http://127.0.0.1:9000", "anon": False}
    monkeypatch.setenv("MLHUB_STORAGE_OPTIONS", "")
    assert MLHubConfigMixin().storage_options == {}
    with pytest.raises(ValueError, match="MLHUB_STORAGE_OPTIONS must be a JSON object"):
        parse_storage_options("endpoint_url=x", "MLHUB_STORAGE_OPTIONS")
    with pytest.raises(ValueError, match="not list"):
        parse_storage_options("[1]", "MLHUB_STORAGE_OPTIONS")


def test_serve_on_s3_from_aws_environment_variables(s3_server, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """MLHUB_ARTIFACT_ROOT=s3://..., the endpoint and credentials only in AWS_* (as on a
    cluster): a run artifact lands in the bucket and comes back; no local `s3:` folder."""
    bucket = s3_server.new_bucket()
    for name, value in {"MLHUB_ARTIFACT_ROOT": f"s3://{bucket}/registry", "AWS_ENDPOINT_URL": s3_server.endpoint,
                        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "eu-west-1", "MLHUB_STORAGE_OPTIONS": ""}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    server = MLHubServer(tmp_path / "data")
    server.data_dir.mkdir()
    server.start()
    try:
        assert server.api("POST", "projects", json={"name": "p"}).status_code == 201
        run = server.api("POST", "runs", json={"project": "p"}).json()
        data = os.urandom(300_000)
        assert server.api("PUT", f"runs/{run['id']}/artifacts/w.bin", data=data).status_code == 201
        got = server.api("GET", f"runs/{run['id']}/artifacts/w.bin")
        assert got.status_code == 200 and got.content == data
    finally:
        server.stop()
    digest = hashlib.sha256(data).hexdigest()
    assert s3_server.filesystem().cat_file(f"{bucket}/registry/{digest[:2]}/{digest[2:]}") == data
    assert not (tmp_path / "s3:").exists() and not (server.data_dir / "artifacts").exists()
