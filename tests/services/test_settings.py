"""The one settings object, and the builder both hosts (extension, ``mlhub serve``) feed."""
from __future__ import annotations

import types

import pytest

from mlhub_ext.services.settings import Settings, settings_from_config


def config(**kw):  # type: ignore[no-untyped-def]
    values = dict(db_url="sqlite:///x.db", artifact_root="/data/artifacts", auto_upgrade=True, dask_address="",
                  user="alice", worker_threads=4, rate_limit=5.0, rate_burst=10)
    values.update(kw)
    return types.SimpleNamespace(**values)


def test_from_the_traits_of_either_host():
    s = settings_from_config(config(), "local")
    assert s == Settings(db_url="sqlite:///x.db", artifact_root="/data/artifacts", mode="local", auto_upgrade=True,
                         local_user="alice", worker_threads=4, rate_limit=5.0, rate_burst=10)
    assert s.trusts_pickles
    served = settings_from_config(config(), "standalone", db_url="sqlite:///other.db", artifact_root=None)
    assert served.db_url == "sqlite:///other.db" and served.artifact_root == "/data/artifacts"  # None: not given
    assert served.local_user is None and not served.trusts_pickles   # callers name themselves with tokens
    hub = settings_from_config(config(dask_address="tcp://s:8786"), "hub", auto_upgrade=False)
    assert hub.auto_upgrade is False and hub.dask_address == "tcp://s:8786" and not hub.trusts_pickles


def test_the_real_traits(monkeypatch: pytest.MonkeyPatch, tmp_path):  # type: ignore[no-untyped-def]
    from mlhub_ext.server.config import MLHubConfigMixin

    monkeypatch.setenv("MLHUB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MLHUB_DASK_ADDRESS", "gateway")
    monkeypatch.setenv("MLHUB_RATE_LIMIT", "7")
    s = settings_from_config(MLHubConfigMixin(), "standalone")
    assert s.db_url == f"sqlite:///{tmp_path / 'mlhub.db'}" and s.artifact_root == str(tmp_path / "artifacts")
    assert s.dask_address == "gateway" and s.rate_limit == 7.0
    assert s.token_cache_ttl == 60.0
    monkeypatch.setenv("MLHUB_TOKEN_CACHE_TTL", "0")
    assert settings_from_config(MLHubConfigMixin(), "standalone").token_cache_ttl == 0.0
    assert s.metric_writer == "thread"
    monkeypatch.setenv("MLHUB_METRIC_WRITER", "process")
    monkeypatch.setenv("MLHUB_DB_URL", "postgresql+psycopg://u@db/mlhub")
    assert settings_from_config(MLHubConfigMixin(), "standalone").metric_writer == "process"


@pytest.mark.parametrize(("change", "message"), [
    ({"mode": "cloud"}, "mode must be one of"),
    ({"db_url": ""}, "db_url must be a SQLAlchemy URL"),
    ({"worker_threads": 0}, "worker_threads must be at least 1"),
    ({"token_cache_ttl": -1.0}, "token_cache_ttl must be 0"),
    ({"metric_writer": "fork"}, "metric_writer must be 'thread' or 'process', not 'fork'"),
    ({"metric_writer": "process"}, "metric_writer='process' needs PostgreSQL"),
])
def test_bad_settings_are_refused_naming_the_value(change, message):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        Settings(**{"db_url": "sqlite://", "artifact_root": "/a", **change})
    with pytest.raises(ValueError, match=message):
        Settings(db_url="sqlite://", artifact_root="/a").with_(**change)
