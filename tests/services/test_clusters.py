"""The cluster providers jobs get their Dask clients from, with stand-ins for Dask and dask-gateway."""
from __future__ import annotations

import sys
import types
from typing import Any

import pytest

from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.services import clusters
from mlhub_ext.services.clusters import (AddressClusterProvider, GatewayClusterProvider, LocalClusterProvider,
                                         PerUserGatewayProvider, cluster_provider)
from mlhub_ext.services.settings import Settings
from mlhub_ext.train import cluster as train_cluster


class FakeClient:
    def __init__(self, calls: list[Any], name: str = "client") -> None:
        self.calls, self.name, self.status = calls, name, "running"

    def close(self) -> None:
        self.calls.append(("close", self.name))
        self.status = "closed"


@pytest.fixture
def get_client(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """``train.cluster.get_client`` and ``close_cluster`` recorded instead of run."""
    calls: list[Any] = []

    def fake_get_client(address: str | None = None, gateway: bool = False, **kw: Any) -> FakeClient:
        calls.append(("get_client", address, gateway))
        return FakeClient(calls)

    monkeypatch.setattr(train_cluster, "get_client", fake_get_client)
    monkeypatch.setattr(train_cluster, "close_cluster", lambda: calls.append("close_cluster"))
    return calls


def test_local_provider_starts_one_cluster_on_first_use_and_closes_it(get_client):
    p = LocalClusterProvider()
    assert p.local is True and get_client == []          # nothing started before a job
    c = p.client("alice")
    assert p.client("bob", "hub-token") is c               # one cluster for the server's user(s)
    assert get_client == [("get_client", None, False)]
    c.status = "closed"                                    # a client that stopped is made again
    assert p.client("alice") is not c
    p.close()
    p.close()                                              # twice: nothing more to close
    assert get_client.count("close_cluster") == 1


def test_local_provider_closes_nothing_it_did_not_open(get_client):
    LocalClusterProvider().close()
    assert get_client == []


def test_address_provider_connects_to_the_scheduler(get_client):
    p = AddressClusterProvider(" tcp://sched:8786 ")
    assert p.local is False and p.address == "tcp://sched:8786"
    p.client("alice")
    assert get_client == [("get_client", "tcp://sched:8786", False)]
    p.close()
    assert get_client[-1] == "close_cluster"     # the client; get_client leaves a scheduler it did not start
    with pytest.raises(ValueError, match="scheduler address"):
        AddressClusterProvider("  ")


def test_gateway_provider_opens_a_gateway_cluster(get_client):
    p = GatewayClusterProvider()
    p.client("alice")
    assert p.local is False and get_client == [("get_client", None, True)]


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """A stand-in ``dask_gateway`` recording which token opened which cluster."""
    calls: list[Any] = []

    class Auth:
        def __init__(self, api_token: str) -> None:
            self.api_token = api_token

    class Cluster:
        def __init__(self, token: str) -> None:
            self.token = token

        def scale(self, n: int) -> None:
            calls.append(("scale", self.token, n))

        def get_client(self, set_as_default: bool = True) -> FakeClient:
            assert set_as_default is False
            return FakeClient(calls, self.token)

        def shutdown(self) -> None:
            calls.append(("shutdown", self.token))

    class Gateway:
        def __init__(self, auth: Auth) -> None:
            self.auth = auth

        def new_cluster(self) -> Cluster:
            if self.auth.api_token == "broken":
                raise OSError("gateway unreachable")
            calls.append(("new_cluster", self.auth.api_token))
            return Cluster(self.auth.api_token)

    monkeypatch.setitem(sys.modules, "dask_gateway", types.SimpleNamespace(Gateway=Gateway))
    monkeypatch.setitem(sys.modules, "dask_gateway.auth", types.SimpleNamespace(JupyterHubAuth=Auth))
    return calls


def test_per_user_gateway_opens_each_users_cluster_with_their_token(gateway):
    p = PerUserGatewayProvider()
    a = p.client("alice", "tok-a")
    b = p.client("bob", "tok-b")
    assert a.name == "tok-a" and b.name == "tok-b" and a is not b
    assert p.client("alice") is a                       # later work of the job: no token needed
    assert gateway == [("new_cluster", "tok-a"), ("scale", "tok-a", 2), ("new_cluster", "tok-b"),
                       ("scale", "tok-b", 2)]
    a.status = "closed"                                 # stopped: reopened with the token alice gave
    assert p.client("alice").name == "tok-a" and gateway[-2:] == [("new_cluster", "tok-a"), ("scale", "tok-a", 2)]
    p.close()
    assert {c for c in gateway if c[0] in ("close", "shutdown")} == {
        ("close", "tok-a"), ("shutdown", "tok-a"), ("close", "tok-b"), ("shutdown", "tok-b")}
    with pytest.raises(MLHubError) as err:              # closed: tokens are forgotten too
        p.client("alice")
    assert err.value.code == ErrorCode.UNAVAILABLE


def test_per_user_gateway_without_a_token_says_what_to_do(gateway):
    with pytest.raises(MLHubError) as err:
        PerUserGatewayProvider().client("carol")
    assert err.value.code == ErrorCode.UNAVAILABLE
    assert "'carol'" in err.value.message and "submit the job again from your server" in err.value.message
    assert gateway == []


def test_per_user_gateway_that_cannot_start_is_unavailable(gateway):
    with pytest.raises(MLHubError) as err:
        PerUserGatewayProvider().client("dave", "broken")
    assert err.value.code == ErrorCode.UNAVAILABLE and "gateway unreachable" in err.value.message


@pytest.mark.parametrize(("mode", "address", "kind"), [
    ("local", "", LocalClusterProvider),
    ("standalone", "", LocalClusterProvider),
    ("local", "tcp://sched:8786", AddressClusterProvider),
    ("standalone", "gateway", GatewayClusterProvider),
    ("hub", "", PerUserGatewayProvider),
    ("hub", "tcp://sched:8786", PerUserGatewayProvider),   # never one scheduler for every hub user
])
def test_the_settings_pick_the_provider(mode, address, kind):
    settings = Settings(db_url="sqlite://", artifact_root="/tmp/a", mode=mode, dask_address=address)
    assert type(cluster_provider(settings)) is kind


def test_providers_are_small_subclasses():
    for kind in (LocalClusterProvider, AddressClusterProvider, GatewayClusterProvider, PerUserGatewayProvider):
        assert issubclass(kind, clusters.ClusterProvider)
