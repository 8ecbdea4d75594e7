"""The hub service's cookie key: shared by replicas through the environment."""
from __future__ import annotations

import pytest

from mlhub_ext.core.errors import MLHubError
from mlhub_ext.server.hub_service import cookie_secret


def test_cookie_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLHUB_COOKIE_SECRET", raising=False)
    monkeypatch.delenv("JUPYTERHUB_COOKIE_SECRET", raising=False)
    a, b = cookie_secret(), cookie_secret()
    assert len(a) == 32 and a != b   # none set: one of this process's own each time

    monkeypatch.setenv("JUPYTERHUB_COOKIE_SECRET", "ab" * 32)
    assert cookie_secret() == bytes.fromhex("ab" * 32)
    monkeypatch.setenv("MLHUB_COOKIE_SECRET", "cd" * 32)   # ML Hub's own wins
    assert cookie_secret() == bytes.fromhex("cd" * 32) == cookie_secret()
    monkeypatch.setenv("MLHUB_COOKIE_SECRET", "not hex but long enough to be a key, 32+")
    assert cookie_secret() == b"not hex but long enough to be a key, 32+"

    monkeypatch.setenv("MLHUB_COOKIE_SECRET", "CHANGE-ME")
    with pytest.raises(MLHubError, match="MLHUB_COOKIE_SECRET is 9 bytes.*openssl rand -hex 32"):
        cookie_secret()
