"""Where the jobs of a registry run: one small provider class per kind of Dask cluster.

- :class:`LocalClusterProvider`: a LocalCluster on 127.0.0.1 started on the first job and
  kept for the life of the process (the default; workers read the registry's files by path);
- :class:`AddressClusterProvider`: an existing scheduler at an address (``MLHub.dask_address``);
- :class:`GatewayClusterProvider`: one dask-gateway cluster for the server, configured by
  dask-gateway's own settings (``MLHub.dask_address = "gateway"``);
- :class:`PerUserGatewayProvider`: on a shared hub service, each user's own dask-gateway
  cluster, opened with that user's hub token, so that no two users share a scheduler.

:func:`cluster_provider` picks one from the settings. A provider is asked for a
``distributed.Client`` per job with the submitting user and, where the caller has one,
their hub token; ``close()`` closes what the provider opened.
"""
from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from typing import Any

from ..core.errors import ErrorCode, MLHubError, quoted
from .settings import Settings


class ClusterProvider(ABC):
    """Hands out the Dask client that a user's jobs are submitted to."""

    #: True when the workers run on this machine and read the registry's blobs by path;
    #: a remote cluster is sent the data instead.
    local: bool = False

    @abstractmethod
    def client(self, user: str, token: str | None = None) -> Any:
        """A running ``distributed.Client`` for ``user``'s jobs. ``token``: the caller's hub
        token, for providers that open a cluster as the user (others ignore it). Raises
        ``unavailable`` when no cluster can be reached."""

    @abstractmethod
    def close(self) -> None:
        """Close the clients and clusters this provider opened (safe to call twice)."""


class _SharedClientProvider(ClusterProvider):
    """One client for every user, made on first use by :func:`mlhub_ext.train.cluster.get_client`
    and made again if it stopped."""

    def __init__(self) -> None:
        self._client: Any = None
        self._lock = threading.Lock()

    @abstractmethod
    def _connect(self) -> Any:
        """A new connected client (the hook each shared provider fills in)."""

    def client(self, user: str, token: str | None = None) -> Any:
        with self._lock:
            if self._client is None or self._client.status != "running":
                self._client = self._connect()
            return self._client

    def close(self) -> None:
        from ..train.cluster import close_cluster

        with self._lock:
            if self._client is not None:
                self._client = None
                close_cluster()   # the client, and the cluster get_client started for it


class LocalClusterProvider(_SharedClientProvider):
    """A LocalCluster on 127.0.0.1, one worker process per core, started on the first job."""

    local = True

    def _connect(self) -> Any:
        from ..train.cluster import get_client

        return get_client()


class AddressClusterProvider(_SharedClientProvider):
    """The scheduler at ``address`` (``tcp://host:8786``); closing leaves the cluster running."""

    def __init__(self, address: str) -> None:
        super().__init__()
        if not address.strip():
            raise ValueError("AddressClusterProvider needs a scheduler address such as tcp://host:8786")
        self.address = address.strip()

    def _connect(self) -> Any:
        from ..train.cluster import get_client

        return get_client(address=self.address)


class GatewayClusterProvider(_SharedClientProvider):
    """One dask-gateway cluster for this server, as dask-gateway's configuration describes it."""

    def _connect(self) -> Any:
        from ..train.cluster import get_client

        return get_client(gateway=True)


class PerUserGatewayProvider(ClusterProvider):
    """Each user's own dask-gateway cluster, created with their hub token and two workers.

    A token passed with a job is kept for that user, so that their cluster can be opened
    again (after it stopped) for the rest of that job's work, such as converting its model.
    """

    def __init__(self, workers: int = 2) -> None:
        self.workers = workers
        self._tokens: dict[str, str] = {}
        self._clusters: dict[str, tuple[Any, Any]] = {}
        self._lock = threading.RLock()

    def client(self, user: str, token: str | None = None) -> Any:
        from dask_gateway import Gateway
        from dask_gateway.auth import JupyterHubAuth

        with self._lock:
            if token:
                self._tokens[user] = token
            client, cluster = self._clusters.get(user, (None, None))
            if client is not None and client.status == "running":
                return client
            token = self._tokens.get(user)
            if not token:
                raise MLHubError(ErrorCode.UNAVAILABLE, f"no hub token of {quoted(user)} to open their Dask cluster with; "
                                 "submit the job again from your server")
            try:
                cluster = Gateway(auth=JupyterHubAuth(api_token=token)).new_cluster()
                cluster.scale(self.workers)
                client = cluster.get_client(set_as_default=False)
            except Exception as e:
                raise MLHubError(ErrorCode.UNAVAILABLE, "training on this hub runs on your own dask-gateway "
                                 f"cluster, which could not be started: {e}") from None
            self._clusters[user] = (client, cluster)
            return client

    def close(self) -> None:
        with self._lock:
            clusters, self._clusters = list(self._clusters.values()), {}
            self._tokens.clear()
        for client, cluster in clusters:
            client.close()
            cluster.shutdown()


def cluster_provider(settings: Settings) -> ClusterProvider:
    """The provider the settings name: per-user dask-gateway on a hub service, else
    ``dask_address`` (empty: a LocalCluster; ``"gateway"``: dask-gateway; else a scheduler)."""
    if settings.mode == "hub":
        return PerUserGatewayProvider()
    address = settings.dask_address.strip()
    if not address:
        return LocalClusterProvider()
    if address == "gateway":
        return GatewayClusterProvider()
    return AddressClusterProvider(address)
