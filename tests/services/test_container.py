"""The Services object: built once from the settings, every service over one registry, one close()."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlhub_ext.core.dataset_service import DatasetService
from mlhub_ext.core.home import HomeService
from mlhub_ext.core.model_service import ModelService
from mlhub_ext.core.service import Registry
from mlhub_ext.services.clusters import ClusterProvider, LocalClusterProvider, PerUserGatewayProvider
from mlhub_ext.services.container import Services
from mlhub_ext.services.jobs import RESTART_MESSAGE, JobRunner
from mlhub_ext.services.predictions import Predictions
from mlhub_ext.services.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db_url=f"sqlite:///{tmp_path / 'reg.db'}", artifact_root=str(tmp_path / "artifacts"),
                    mode="local", auto_upgrade=True, local_user="alice", worker_threads=2, datasets_in_process=True)


@pytest.fixture
def services(settings: Settings):  # type: ignore[no-untyped-def]
    s = Services.build(settings)
    yield s
    s.close()


def test_every_service_over_one_registry(services: Services, settings: Settings):
    assert services.settings is settings
    assert isinstance(services.registry, Registry)
    assert isinstance(services.datasets, DatasetService) and isinstance(services.models, ModelService)
    assert isinstance(services.home, HomeService) and isinstance(services.predictions, Predictions)
    assert isinstance(services.jobs, JobRunner) and isinstance(services.cluster, LocalClusterProvider)
    # The jobs use the same services, not copies of their own.
    assert services.jobs.registry is services.registry and services.jobs.models is services.models
    assert services.jobs.datasets is services.datasets and services.jobs.cluster is services.cluster
    assert services.predictions.models is services.models
    assert services.models.store.sql is services.registry.store   # one database, one set of engines
    assert services.executor._max_workers == 2
    # What the registry writes is what the other services read.
    services.registry.create_project("alice", "churn")
    assert [p.name for p in services.registry.list_projects("alice")[0]] == ["churn"]


def test_only_local_mode_trusts_pickles(tmp_path: Path, settings: Settings):
    assert services_flags(settings) == (True, True)
    shared = settings.with_(mode="hub", local_user=None, db_url=f"sqlite:///{tmp_path / 'hub.db'}")
    assert services_flags(shared) == (False, False)


def services_flags(settings: Settings) -> tuple[bool, bool]:
    s = Services.build(settings)
    try:
        if settings.mode == "hub":
            assert isinstance(s.cluster, PerUserGatewayProvider)
        return s.jobs.allow_custom, s.predictions.cache.allow_pickle
    finally:
        s.close()


def test_close_closes_the_jobs_cluster_worker_store_and_threads(services: Services,
                                                                monkeypatch: pytest.MonkeyPatch):
    closed: list[str] = []

    class Cluster(ClusterProvider):
        def client(self, user: str, token: str | None = None) -> Any:
            raise AssertionError("no job was submitted")

        def close(self) -> None:
            closed.append("cluster")

    services.cluster = services.jobs.cluster = Cluster()
    monkeypatch.setattr(services.data_worker, "close", lambda: closed.append("dataset worker"))
    real_store_close = services.registry.store.close
    monkeypatch.setattr(services.registry.store, "close", lambda: (closed.append("store"), real_store_close()))
    services.close()
    assert closed == ["cluster", "dataset worker", "store"]
    assert services.closed and services.jobs._stop.is_set() and services.executor._shutdown
    services.close()                                   # a second close does nothing
    assert closed == ["cluster", "dataset worker", "store"]


def test_one_part_failing_to_close_leaves_none_open(services: Services, monkeypatch: pytest.MonkeyPatch,
                                                    caplog: pytest.LogCaptureFixture):
    def broken() -> None:
        raise RuntimeError("cluster gone")

    monkeypatch.setattr(services.cluster, "close", broken)
    services.close()
    assert services.executor._shutdown and "closing the cluster failed" in caplog.text


def test_jobs_of_an_earlier_process_fail_when_services_are_built(settings: Settings):
    first = Services.build(settings)
    job = first.models.create_job("alice", "train", model="m")
    first.close()
    second = Services.build(settings)
    try:
        again = second.models.get_job("alice", job.id)
        assert again.state == "failed" and again.error == RESTART_MESSAGE
    finally:
        second.close()


def test_a_service_that_cannot_be_built_leaves_the_database_closed(settings: Settings,
                                                                     monkeypatch: pytest.MonkeyPatch):
    from mlhub_ext.services import container
    from mlhub_ext.store.sqlstore import SqlStore

    closed: list[SqlStore] = []
    real_close = SqlStore.close
    monkeypatch.setattr(SqlStore, "close", lambda self: (closed.append(self), real_close(self)))

    def no_cluster(settings: Settings) -> ClusterProvider:
        raise ValueError("MLHub.dask_address 'tcp://' names no scheduler")

    monkeypatch.setattr(container, "cluster_provider", no_cluster)
    with pytest.raises(ValueError, match="names no scheduler"):
        Services.build(settings)
    assert len(closed) == 1
