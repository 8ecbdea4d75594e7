"""The services of one registry, built once when the server starts and closed once when it stops.

The Jupyter extension (``server/app.py``) and ``mlhub serve`` (``server/standalone.py``)
each build one :class:`Services` from one :class:`~.settings.Settings` and put it in the
tornado settings under :data:`SETTINGS_KEY`; handlers read it from there. Nothing here
is built lazily on a first request.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..core.dataset_service import DatasetService
from ..core.home import HomeService
from ..core.model_service import ModelService
from ..core.service import Registry
from .clusters import ClusterProvider, cluster_provider
from .dataset_worker import DataWorker
from .fanout import LocalFanout, stream_fanout
from .jobs import JobRunner
from .predictions import Predictions
from .settings import Settings

log = logging.getLogger("mlhub.services")

#: Where hosts put the :class:`Services` in the tornado application settings.
SETTINGS_KEY = "mlhub_services"


@dataclass(eq=False)
class Services:
    """Everything a request may set in motion, with one :meth:`close`.

    - ``registry``: projects, runs, metrics, artifacts, tokens (:class:`~mlhub_ext.core.service.Registry`);
    - ``datasets``, ``models``, ``home``: the dataset, model and overview services over the same database;
    - ``jobs``: training, sweeps and evaluations on the Dask cluster of ``cluster``;
    - ``predictions``: served predictions with the cache of loaded models;
    - ``executor``: the threads that run blocking calls off the event loop;
    - ``fanout``: the stream events of the other replicas on the same PostgreSQL (its
      ``listeners`` are called with them); on SQLite it never calls them.
    """

    settings: Settings
    registry: Registry
    datasets: DatasetService
    models: ModelService
    home: HomeService
    cluster: ClusterProvider
    jobs: JobRunner
    predictions: Predictions
    executor: ThreadPoolExecutor
    data_worker: DataWorker
    fanout: LocalFanout = field(default_factory=LocalFanout)
    closed: bool = field(default=False, init=False)

    @classmethod
    def build(cls, settings: Settings) -> "Services":
        """Open the registry (checking, and where allowed creating or upgrading, its schema)
        and build every service over it. Jobs that an earlier server process left queued or
        running are marked failed here; a Dask cluster is started only by the first job."""
        from ..store import open_registry
        from ..store.datasets import open_datasets
        from ..store.home import SqlHomeStore
        from ..store.models import open_models

        registry = open_registry(settings.db_url, auto_upgrade=settings.auto_upgrade,
                                 artifact_root=settings.artifact_root, storage_options=settings.storage_options,
                                 artifact_cache=settings.artifact_cache or None,
                                 artifact_cache_size=settings.artifact_cache_size or None,
                                 token_cache_ttl=settings.token_cache_ttl, metric_writer=settings.metric_writer)
        try:
            worker = DataWorker(in_process=settings.datasets_in_process)
            datasets = open_datasets(registry, worker)
            models = open_models(registry)
            cluster = cluster_provider(settings)
            jobs = JobRunner(registry, models, datasets, cluster, allow_custom=settings.trusts_pickles,
                             shared=settings.shared_db, lease_s=settings.job_lease_s)
            fanout = stream_fanout(settings.db_url, registry, models.store)
        except BaseException:
            registry.store.close()
            raise
        return cls(
            settings=settings, registry=registry, datasets=datasets, models=models,
            home=HomeService(SqlHomeStore(registry.store)), cluster=cluster, jobs=jobs,
            predictions=Predictions(models, allow_pickle=settings.trusts_pickles),
            executor=ThreadPoolExecutor(settings.worker_threads, thread_name_prefix="mlhub"),
            data_worker=worker, fanout=fanout,
        )

    def close(self) -> None:
        """Stop following jobs, close the Dask clusters opened for them, the dataset worker
        process, the database engines and the thread pool. A second call does nothing."""
        if self.closed:
            return
        self.closed = True
        steps: list[tuple[str, Any]] = [("stream fan-out", self.fanout.close), ("jobs", self.jobs.close), ("cluster", self.cluster.close),
                                        ("dataset worker", self.data_worker.close),
                                        ("store", self.registry.store.close),
                                        ("executor", lambda: self.executor.shutdown(wait=False))]
        for what, close in steps:
            try:
                close()
            except Exception:  # one part failing to close must not keep the others open
                log.exception("closing the %s failed", what)
