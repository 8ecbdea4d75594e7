"""get_client's other modes: an existing scheduler, and dask-gateway (with a stand-in)."""
from __future__ import annotations

import sys
import types

import pytest

from mlhub_ext.train import cluster


@pytest.fixture
def fresh_state(monkeypatch):
    """Leave the session's LocalCluster alone: these tests get their own module state."""
    monkeypatch.setattr(cluster, "_state", {"key": None, "client": None, "cluster": None})
    yield
    cluster.close_cluster()


def test_existing_scheduler_address(fresh_state):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address=None) as lc:
        client = cluster.get_client(address=lc.scheduler_address)
        assert client.submit(sum, [1, 2, 3]).result(timeout=30) == 6
        assert cluster.get_client(address=lc.scheduler_address) is client
        assert cluster.current_client() is client
        cluster.close_cluster()
        assert client.status == "closed" and lc.status.name == "running"  # not ours to stop


def test_unreachable_scheduler_is_unavailable(fresh_state):
    from mlhub_ext.core.errors import ErrorCode, MLHubError

    with pytest.raises(MLHubError) as err:
        cluster.get_client(address="tcp://127.0.0.1:9", timeout=1)
    assert err.value.code == ErrorCode.UNAVAILABLE and "127.0.0.1:9" in err.value.message


def test_gateway_cluster_is_created_scaled_and_shut_down(fresh_state, monkeypatch):
    calls = []

    class FakeClient:
        status = "running"

        def close(self):
            calls.append("client.close")

    class FakeCluster:
        def scale(self, n):
            calls.append(("scale", n))

        def get_client(self, set_as_default=True):
            calls.append(("get_client", set_as_default))
            return FakeClient()

        def shutdown(self):
            calls.append("shutdown")

    class FakeGateway:
        def __init__(self, **kw):
            calls.append(("Gateway", kw))

        def new_cluster(self):
            return FakeCluster()

    monkeypatch.setitem(sys.modules, "dask_gateway", types.SimpleNamespace(Gateway=FakeGateway))
    client = cluster.get_client(gateway=True, n_workers=3, auth="jupyterhub")
    assert isinstance(client, FakeClient)
    cluster.close_cluster()
    assert calls == [("Gateway", {"auth": "jupyterhub"}), ("scale", 3), ("get_client", False),
                     "client.close", "shutdown"]
