"""hub_config/jupyterhub_config.py read with different environments (no hub started)."""
from __future__ import annotations

import os

import pytest
from traitlets.config.loader import PyFileConfigLoader

from .conftest import HUB_CONFIG


def load(monkeypatch, tmp_path, **env: str):
    for name in ("MLHUB_AUTH", "MLHUB_GITHUB_URL", "GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET",
                 "MLHUB_ALLOWED_USERS", "MLHUB_ALLOWED_ORGS", "MLHUB_ADMIN_USERS",
                 "MLHUB_GITHUB_TEAMS_AS_GROUPS", "JUPYTERHUB_CRYPT_KEY", "OAUTH_CALLBACK_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MLHUB_HUB_RUN_DIR", str(tmp_path / "run"))
    monkeypatch.setenv("MLHUB_HUB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MLHUB_HUB_SERVICE", "off")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # the config may export a generated JUPYTERHUB_CRYPT_KEY; keep it out of other tests
    monkeypatch.setattr(os, "environ", os.environ.copy())
    return PyFileConfigLoader("jupyterhub_config.py", path=str(HUB_CONFIG)).load_config()


def test_trial_defaults_use_the_fake_github_and_postgres(monkeypatch, tmp_path):
    c = load(monkeypatch, tmp_path)
    gh = c.GitHubOAuthenticator
    assert c.JupyterHub.authenticator_class == "github"
    assert gh.github_url == "http://127.0.0.1:9000"
    assert gh.oauth_callback_url == "http://127.0.0.1:8000/hub/oauth_callback"
    assert gh.allowed_users == {"alice", "bob", "carol", "dave", "erin"}
    assert gh.allow_existing_users is False
    assert c.JupyterHub.db_url.startswith("postgresql+psycopg://mlhub:mlhub@127.0.0.1:5432/mlhub_hub")
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8000"
    assert (tmp_path / "run" / "admin-api-token").stat().st_mode & 0o077 == 0
    assert c.Spawner.default_url == "/lab"


def test_real_github_needs_credentials(monkeypatch, tmp_path):
    with pytest.raises(SystemExit, match="GITHUB_CLIENT_ID"):
        load(monkeypatch, tmp_path, MLHUB_GITHUB_URL="https://github.com")
    c = load(monkeypatch, tmp_path, MLHUB_GITHUB_URL="https://github.com",
             GITHUB_CLIENT_ID="id", GITHUB_CLIENT_SECRET="secret",
             OAUTH_CALLBACK_URL="https://hub.example.org/hub/oauth_callback",
             MLHUB_ALLOWED_ORGS="example-org, example-org:ml-team", MLHUB_ADMIN_USERS="lead")
    gh = c.GitHubOAuthenticator
    assert gh.allowed_users == set()  # no trial users against real GitHub
    assert gh.allowed_organizations == {"example-org", "example-org:ml-team"}
    assert "read:org" in gh.scope
    assert gh.admin_users == {"lead"}
    assert gh.oauth_callback_url == "https://hub.example.org/hub/oauth_callback"


def test_native_authenticator_is_one_setting(monkeypatch, tmp_path):
    c = load(monkeypatch, tmp_path, MLHUB_AUTH="native", MLHUB_ADMIN_USERS="lead")
    assert c.JupyterHub.authenticator_class == "native"
    assert c.NativeAuthenticator.open_signup is False
    assert c.NativeAuthenticator.admin_users == {"lead"}
    assert c.JupyterHub.template_paths[0].endswith("nativeauthenticator/templates")
    with pytest.raises(SystemExit, match="not supported"):
        load(monkeypatch, tmp_path, MLHUB_AUTH="ldap")


def test_roles_grant_service_access_and_sharing_only(monkeypatch, tmp_path):
    c = load(monkeypatch, tmp_path, MLHUB_HUB_SERVICE="on")
    roles = {role["name"]: role for role in c.JupyterHub.load_roles}
    user = set(roles["user"]["scopes"])
    assert user == {"self", "shares!user", "read:users:name", "read:groups:name",
                    "access:services!service=mlhub", "access:services!service=dask-gateway"}
    assert set(c.Spawner.server_token_scopes) == {
        "users:activity!user", "access:servers!server",
        "access:services!service=mlhub", "access:services!service=dask-gateway"}
    services = {s["name"]: s for s in c.JupyterHub.services}
    assert services["mlhub"]["url"] == "http://127.0.0.1:10202"
    assert services["mlhub"]["command"][-2:] == ["serve", "--hub"]
    assert services["mlhub"]["environment"]["MLHUB_DB_URL"].endswith("/mlhub_registry")
    assert c.Spawner.environment["MLHUB_HUB_SERVICE_URL"] == "http://127.0.0.1:10202/services/mlhub/"
    assert not any(scope.startswith("admin") for scope in roles["mlhub-service"]["scopes"])


def test_github_teams_become_groups(monkeypatch, tmp_path):
    c = load(monkeypatch, tmp_path, MLHUB_GITHUB_TEAMS_AS_GROUPS="1")
    gh = c.GitHubOAuthenticator
    assert gh.populate_teams_in_auth_state and gh.manage_groups and gh.enable_auth_state
    assert "read:org" in gh.scope
    teams = [{"slug": "ml-leads", "organization": {"login": "mlhub-trial"}}]
    assert gh.auth_state_groups_key({"teams": teams}) == ["mlhub-trial:ml-leads"]
    assert len((tmp_path / "run" / "crypt_key").read_text()) == 64
