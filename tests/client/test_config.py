import json
import os

import pytest

from mlhub_ext.client import config
from mlhub_ext.core.errors import ErrorCode, MLHubError


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith(("MLHUB_", "JUPYTERHUB_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    (tmp_path / "runtime").mkdir()
    config.clear_login()
    yield tmp_path / "runtime"
    config.clear_login()


def test_mlhub_env_wins_over_hub_env(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "hub")
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/")
    monkeypatch.setenv("MLHUB_URL", "http://127.0.0.1:8888/base")
    monkeypatch.setenv("MLHUB_TOKEN", "tok")
    conn = config.resolve()
    assert (conn.url, conn.token, conn.api) == ("http://127.0.0.1:8888/base/", "tok",
                                                "http://127.0.0.1:8888/base/mlhub/api/v1/")


def test_jupyterhub_single_user_variables(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "hub")
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/")
    monkeypatch.setenv("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:43210")
    assert config.resolve() == config.Connection("http://127.0.0.1:43210/user/alice/", "hub",
                                                 "JUPYTERHUB_SERVICE_URL")
    monkeypatch.delenv("JUPYTERHUB_SERVICE_URL")
    assert config.resolve().url == "http://127.0.0.1:8888/user/alice/"


def test_running_local_server_from_runtime_files(clean_env):
    (clean_env / "jpserver-1.json").write_text(json.dumps(
        {"url": "http://localhost:9999/", "token": "abc", "pid": os.getpid(), "root_dir": "/"}))
    (clean_env / "jpserver-2.json").write_text(json.dumps(
        {"url": "http://localhost:7777/", "token": "dead", "pid": 2**22 + 12345}))
    conn = config.resolve()
    assert (conn.url, conn.token) == ("http://localhost:9999/", "abc")


def test_login_and_the_error_when_nothing_is_found():
    with pytest.raises(MLHubError) as err:
        config.resolve()
    assert err.value.code == ErrorCode.UNAVAILABLE and "mh.login(url, token)" in err.value.message
    config.set_login("https://hub.example/user/a", "t")
    assert config.resolve().url == "https://hub.example/user/a/"
    with pytest.raises(MLHubError):
        config.set_login("hub.example", "t")
