"""hub_config/jupyterhub_config.py read with different environments (no hub started)."""
from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.handlers import LoginHandler
from traitlets.config.loader import PyFileConfigLoader

from .conftest import HUB_CONFIG, listening


def load(monkeypatch, tmp_path, **env: str):
    for name in ("MLHUB_AUTH", "MLHUB_GITHUB_URL", "GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET",
                 "MLHUB_ALLOWED_USERS", "MLHUB_ALLOWED_ORGS", "MLHUB_ADMIN_USERS",
                 "MLHUB_GITHUB_TEAMS_AS_GROUPS", "JUPYTERHUB_CRYPT_KEY", "OAUTH_CALLBACK_URL",
                 "MLHUB_ALLOW_ALL", "MLHUB_NATIVE_OPEN_SIGNUP"):
        monkeypatch.delenv(name, raising=False)
    for name in [n for n in os.environ if n.startswith("MLHUB_OIDC_")]:
        monkeypatch.delenv(name)
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
    native = c.JupyterHub.authenticator_class
    assert issubclass(native, NativeAuthenticator)
    # its sign-in handler is the one that works on JupyterHub 6 (no statsd there)
    login = dict(native.get_handlers(native.__new__(native), None))["/login"]
    assert issubclass(login, LoginHandler) and login.statsd.timer("x").start().stop(send=False) is None
    assert c.NativeAuthenticator.open_signup is False
    assert c.NativeAuthenticator.admin_users == {"lead"}
    assert c.NativeAuthenticator.ask_email_on_signup is True
    assert c.JupyterHub.template_paths[0].endswith("nativeauthenticator/templates")


def test_an_unknown_auth_names_the_choices(monkeypatch, tmp_path):
    with pytest.raises(SystemExit, match=r"MLHUB_AUTH='ldap' is not supported: set MLHUB_AUTH to "
                                         r"'github'.*'native'.*'oidc'"):
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


# --- MLHUB_AUTH=oidc ----------------------------------------------------------------------
@pytest.fixture
def oidc_issuer():
    """hub_config/fake_oidc.py running on a free port; its issuer URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, str(HUB_CONFIG / "fake_oidc.py"), "--port", str(port), "--group", "team=alice"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not listening(port):
            assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read()
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


def test_oidc_reads_the_discovery_document(monkeypatch, tmp_path, oidc_issuer):
    c = load(monkeypatch, tmp_path, MLHUB_AUTH="oidc", MLHUB_OIDC_ISSUER=oidc_issuer + "/",
             MLHUB_OIDC_ALLOWED_GROUPS="team", MLHUB_ADMIN_USERS="lead")
    o = c.GenericOAuthenticator
    assert c.JupyterHub.authenticator_class == "generic-oauth"
    assert (o.authorize_url, o.token_url, o.userdata_url) == (
        f"{oidc_issuer}/authorize", f"{oidc_issuer}/token", f"{oidc_issuer}/userinfo")
    # the trial client of the local fake, as with the fake GitHub
    assert o.client_id == "mlhub-trial-client" and len(o.client_secret) >= 32
    assert o.oauth_callback_url == "http://127.0.0.1:8000/hub/oauth_callback"
    assert o.scope == ["email", "openid", "profile"]
    assert o.username_claim == "preferred_username" and o.login_service == "OpenID Connect"
    assert o.allowed_users == {"alice", "bob", "carol", "dave", "erin"}
    assert o.allow_existing_users is False and o.admin_users == {"lead"}
    assert o.manage_groups is True and o.auth_state_groups_key == "oauth_user.groups"
    assert o.allowed_groups == {"team"}
    assert o.enable_pkce is True and o.basic_auth is True


def test_oidc_settings_override_the_defaults(monkeypatch, tmp_path, oidc_issuer):
    c = load(monkeypatch, tmp_path, MLHUB_AUTH="oidc", MLHUB_OIDC_ISSUER=oidc_issuer,
             MLHUB_OIDC_CLIENT_ID="hub", MLHUB_OIDC_CLIENT_SECRET="s" * 40,
             MLHUB_OIDC_SCOPES="email,roles", MLHUB_OIDC_USERNAME_CLAIM="email",
             MLHUB_OIDC_LOGIN_SERVICE="Keycloak", MLHUB_ALLOWED_USERS="alice@example.org",
             OAUTH_CALLBACK_URL="https://hub.example.org/hub/oauth_callback")
    o = c.GenericOAuthenticator
    assert (o.client_id, o.client_secret) == ("hub", "s" * 40)
    assert o.scope == ["email", "openid", "roles"]  # openid is always asked for
    assert o.username_claim == "email" and o.login_service == "Keycloak"
    assert o.allowed_users == {"alice@example.org"}
    assert o.oauth_callback_url == "https://hub.example.org/hub/oauth_callback"
    assert "manage_groups" not in o  # no groups claim asked for: hub groups stay the hub's


def test_oidc_without_an_issuer_names_the_variable(monkeypatch, tmp_path):
    with pytest.raises(SystemExit, match="MLHUB_AUTH=oidc needs MLHUB_OIDC_ISSUER"):
        load(monkeypatch, tmp_path, MLHUB_AUTH="oidc")


def test_oidc_with_a_real_issuer_needs_client_credentials(monkeypatch, tmp_path):
    with pytest.raises(SystemExit, match="needs MLHUB_OIDC_CLIENT_ID and MLHUB_OIDC_CLIENT_SECRET"):
        load(monkeypatch, tmp_path, MLHUB_AUTH="oidc", MLHUB_OIDC_ISSUER="https://kc.example.org/realms/ml")
    with pytest.raises(SystemExit, match=r"needs MLHUB_OIDC_CLIENT_SECRET from"):
        load(monkeypatch, tmp_path, MLHUB_AUTH="oidc", MLHUB_OIDC_ISSUER="https://kc.example.org/realms/ml",
             MLHUB_OIDC_CLIENT_ID="hub")


def test_oidc_issuer_without_a_discovery_document(monkeypatch, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there
    with pytest.raises(SystemExit, match=rf"MLHUB_OIDC_ISSUER=http://127.0.0.1:{port}: cannot read the "
                                         rf"discovery document .*/\.well-known/openid-configuration"):
        load(monkeypatch, tmp_path, MLHUB_AUTH="oidc", MLHUB_OIDC_ISSUER=f"http://127.0.0.1:{port}")


def test_oidc_issuer_must_match_the_document(monkeypatch, tmp_path, oidc_issuer):
    other = oidc_issuer.replace("127.0.0.1", "localhost")
    with pytest.raises(SystemExit, match=rf"the provider says its issuer is '{oidc_issuer}'; "
                                         "set MLHUB_OIDC_ISSUER to exactly that"):
        load(monkeypatch, tmp_path, MLHUB_AUTH="oidc", MLHUB_OIDC_ISSUER=other)


# Google's published document (https://accounts.google.com/.well-known/openid-configuration),
# the fields the hub reads; served here from memory since tests do not go online.
GOOGLE_DISCOVERY = {
    "issuer": "https://accounts.google.com",
    "authorization_endpoint": "https://accounts.google.com/o/oauth2/v2/auth",
    "token_endpoint": "https://oauth2.googleapis.com/token",
    "userinfo_endpoint": "https://openidconnect.googleapis.com/v1/userinfo",
    "jwks_uri": "https://www.googleapis.com/oauth2/v3/certs",
    "code_challenge_methods_supported": ["plain", "S256"],
    "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
}


def test_google_is_oidc_with_googles_issuer(monkeypatch, tmp_path):
    asked = []

    def urlopen(url, timeout):
        asked.append(url)
        return io.BytesIO(json.dumps(GOOGLE_DISCOVERY).encode())

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    c = load(monkeypatch, tmp_path, MLHUB_AUTH="oidc", MLHUB_OIDC_ISSUER="https://accounts.google.com",
             MLHUB_OIDC_CLIENT_ID="123.apps.googleusercontent.com", MLHUB_OIDC_CLIENT_SECRET="GOCSPX-x",
             MLHUB_ALLOWED_USERS="alice@example.org")
    assert asked == ["https://accounts.google.com/.well-known/openid-configuration"]
    o = c.GenericOAuthenticator
    assert o.authorize_url == "https://accounts.google.com/o/oauth2/v2/auth"
    assert o.token_url == "https://oauth2.googleapis.com/token"
    assert o.userdata_url == "https://openidconnect.googleapis.com/v1/userinfo"
    assert o.username_claim == "email" and o.login_service == "Google"
    assert o.allowed_users == {"alice@example.org"}  # no trial users against a real provider


def test_object_store_settings_reach_the_registry_service(monkeypatch, tmp_path):
    c = load(monkeypatch, tmp_path, MLHUB_HUB_SERVICE="on", MLHUB_ARTIFACT_ROOT="s3://team/mlhub",
             AWS_ENDPOINT_URL="http://127.0.0.1:9000", AWS_SECRET_ACCESS_KEY="s", MLHUB_STORAGE_OPTIONS="{}")
    env = {s["name"]: s for s in c.JupyterHub.services}["mlhub"]["environment"]
    assert env["MLHUB_ARTIFACT_ROOT"] == "s3://team/mlhub" and env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9000"
    assert env["AWS_SECRET_ACCESS_KEY"] == "s" and env["MLHUB_STORAGE_OPTIONS"] == "{}"
