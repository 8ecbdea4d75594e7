"""JupyterHub configuration for an ML Hub team hub.

Everything is read from the environment, with defaults that give a working trial on
one machine (127.0.0.1): GitHub sign-in against our fake GitHub on :9000 (or, with
``MLHUB_AUTH``, email/password sign-up or an OpenID Connect provider), PostgreSQL on
:5432, the registry as the hub service ``mlhub`` on :10202 and dask-gateway as the
service ``dask-gateway``. ``hub_config/README.md`` lists every variable; ``start.sh``
prepares PostgreSQL, the proxy and the run directory before starting the hub with this
file.
"""
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
import urllib.request
from urllib.parse import urlparse

c = get_config()  # noqa: F821  (injected by traitlets when JupyterHub loads this file)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def env(name: str, default: str = "") -> str:
    """The variable's value, or ``default`` when it is unset or empty."""
    return os.environ.get(name) or default


def env_list(name: str, default: str = "") -> set[str]:
    """A comma-separated variable as a set of stripped, non-empty names."""
    return {item.strip() for item in env(name, default).split(",") if item.strip()}


def env_flag(name: str, default: str = "0") -> bool:
    return env(name, default).lower() in {"1", "true", "yes", "on"}


VENV = Path(env("MLHUB_VENV", str(REPO / ".venv")))
VENV_BIN = VENV / "bin"
RUN_DIR = Path(env("MLHUB_HUB_RUN_DIR", str(HERE / "run")))
DATA_DIR = Path(env("MLHUB_HUB_DATA_DIR", str(HERE / "data")))
for folder in (RUN_DIR, DATA_DIR):
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)  # cookie secret, tokens and users' files live here

IP = env("MLHUB_HUB_IP", "127.0.0.1")
PORT = int(env("MLHUB_HUB_PORT", "8000"))
PUBLIC_URL = env("MLHUB_HUB_PUBLIC_URL", f"http://{IP}:{PORT}").rstrip("/")
PATH = f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin"
# Every process of this deployment carries this marker, so stop.sh can find leftovers
# of a crashed hub (proxy, services, servers, kernels, dask) by it and by nothing broader.
INSTANCE = {"MLHUB_HUB_INSTANCE": env("MLHUB_HUB_INSTANCE", str(RUN_DIR))}

# --- hub, proxy, database -------------------------------------------------------------
c.JupyterHub.bind_url = f"http://{IP}:{PORT}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(env("MLHUB_HUB_INTERNAL_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env('MLHUB_HUB_PROXY_API_PORT', '8001')}"
chp = Path(env("MLHUB_CHP", str(HERE / ".chp" / "node_modules" / ".bin" / "configurable-http-proxy")))
c.ConfigurableHTTPProxy.command = [str(chp) if chp.exists() else "configurable-http-proxy"]
c.ConfigurableHTTPProxy.pid_file = str(RUN_DIR / "jupyterhub-proxy.pid")
c.JupyterHub.cookie_secret_file = str(RUN_DIR / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(RUN_DIR / "jupyterhub.pid")
c.JupyterHub.db_url = env(
    "MLHUB_HUB_DB_URL", "postgresql+psycopg://mlhub:mlhub@127.0.0.1:5432/mlhub_hub"
)
c.JupyterHub.cleanup_servers = True  # hub stop also stops users' servers: nothing survives

# --- authentication -------------------------------------------------------------------
OIDC_TRIAL_CLIENT = ("mlhub-trial-client", "mlhub-trial-secret-of-the-fake-oidc-provider")
GOOGLE_ISSUER = "https://accounts.google.com"


def oidc_discovery(issuer: str) -> dict:
    """The provider's discovery document (OpenID Connect Discovery 1.0, section 4).

    Exits the hub, naming MLHUB_OIDC_ISSUER, when the document cannot be read, is not a
    JSON object with the authorize, token and userinfo endpoints, or names another issuer.
    """
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            document = json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError) as e:
        sys.exit(f"MLHUB_OIDC_ISSUER={issuer}: cannot read the discovery document {url} ({e}); "
                 "set MLHUB_OIDC_ISSUER to the provider's issuer URL (it must serve that document)")
    if not isinstance(document, dict):
        sys.exit(f"MLHUB_OIDC_ISSUER={issuer}: {url} is not a JSON object")
    missing = [k for k in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint")
               if not isinstance(document.get(k), str) or not document[k]]
    if missing:
        sys.exit(f"MLHUB_OIDC_ISSUER={issuer}: {url} lacks {', '.join(missing)}")
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        sys.exit(f"MLHUB_OIDC_ISSUER={issuer}: the provider says its issuer is "
                 f"{document.get('issuer')!r}; set MLHUB_OIDC_ISSUER to exactly that")
    return document


def configure_oidc(c) -> None:
    """GenericOAuthenticator against any OpenID Connect provider, from MLHUB_OIDC_* settings."""
    issuer = env("MLHUB_OIDC_ISSUER").rstrip("/")
    if not issuer:
        sys.exit("MLHUB_AUTH=oidc needs MLHUB_OIDC_ISSUER: the provider's issuer URL, e.g. "
                 f"{GOOGLE_ISSUER} or https://keycloak.example.org/realms/<realm> "
                 "(see hub_config/README.md)")
    local = urlparse(issuer).hostname in {"127.0.0.1", "localhost"}
    client_id = env("MLHUB_OIDC_CLIENT_ID", OIDC_TRIAL_CLIENT[0] if local else "")
    client_secret = env("MLHUB_OIDC_CLIENT_SECRET", OIDC_TRIAL_CLIENT[1] if local else "")
    unset = [name for name, value in (("MLHUB_OIDC_CLIENT_ID", client_id),
                                      ("MLHUB_OIDC_CLIENT_SECRET", client_secret)) if not value]
    if unset:
        sys.exit(f"MLHUB_AUTH=oidc with MLHUB_OIDC_ISSUER={issuer} needs {' and '.join(unset)} "
                 "from the hub's client registered at the provider (see hub_config/README.md)")
    document = oidc_discovery(issuer)
    google = issuer == GOOGLE_ISSUER
    c.JupyterHub.authenticator_class = "generic-oauth"
    o = c.GenericOAuthenticator
    o.client_id = client_id
    o.client_secret = client_secret
    o.oauth_callback_url = env("OAUTH_CALLBACK_URL", f"{PUBLIC_URL}/hub/oauth_callback")
    o.authorize_url = document["authorization_endpoint"]
    o.token_url = document["token_endpoint"]
    o.userdata_url = document["userinfo_endpoint"]
    o.scope = sorted(env_list("MLHUB_OIDC_SCOPES", "openid,email,profile") | {"openid"})
    # Google gives no preferred_username; its verified email is the stable name there.
    o.username_claim = env("MLHUB_OIDC_USERNAME_CLAIM", "email" if google else "preferred_username")
    o.login_service = env("MLHUB_OIDC_LOGIN_SERVICE", "Google" if google else "OpenID Connect")
    trial_users = "alice,bob,carol,dave,erin" if local else ""
    o.allowed_users = env_list("MLHUB_ALLOWED_USERS", trial_users)
    o.allow_all = env_flag("MLHUB_ALLOW_ALL")
    o.allow_existing_users = False
    o.admin_users = ADMINS
    groups_claim = env("MLHUB_OIDC_GROUPS_CLAIM")
    allowed_groups = env_list("MLHUB_OIDC_ALLOWED_GROUPS")
    admin_groups = env_list("MLHUB_OIDC_ADMIN_GROUPS")
    if (allowed_groups or admin_groups) and not groups_claim:
        groups_claim = "groups"
    if groups_claim:
        # The claim's values become hub groups (which the registry shares with).
        o.manage_groups = True
        o.auth_state_groups_key = f"oauth_user.{groups_claim}"
        o.allowed_groups = allowed_groups
        o.admin_groups = admin_groups
    if "code_challenge_methods_supported" in document:
        o.enable_pkce = "S256" in document["code_challenge_methods_supported"]
    methods = document.get("token_endpoint_auth_methods_supported", ["client_secret_basic"])
    # client_secret_basic is the OIDC default; use the body only where Basic is not offered.
    o.basic_auth = "client_secret_basic" in methods or "client_secret_post" not in methods


AUTH = env("MLHUB_AUTH", "github").lower()
FAKE_GITHUB_URL = "http://127.0.0.1:9000"
GITHUB_URL = env("MLHUB_GITHUB_URL", FAKE_GITHUB_URL).rstrip("/")
USES_FAKE_GITHUB = urlparse(GITHUB_URL).hostname in {"127.0.0.1", "localhost"}
ADMINS = env_list("MLHUB_ADMIN_USERS")



def native_authenticator_class() -> type:
    """NativeAuthenticator with a sign-in handler that works on JupyterHub 6.

    NativeAuthenticator 1.3.0 (the newest) times its sign-in with ``handler.statsd``,
    which JupyterHub 6 removed (jupyterhub PR #5407): every sign-in POST answered 500.
    Its ``_render`` also refuses the ``sync`` argument JupyterHub passes when it renders
    an error page on the sign-in form. The subclass's handler supplies a no-op timer and
    renders errors with JupyterHub's own page; everything else is NativeAuthenticator's
    (and ``c.NativeAuthenticator`` settings apply to it).
    """
    from jupyterhub.handlers import BaseHandler
    from nativeauthenticator import NativeAuthenticator
    from nativeauthenticator.handlers import LoginHandler

    class NoTimer:
        def timer(self, _name):
            return self

        def start(self):
            return self

        def stop(self, send=True):
            return None

    class MLHubNativeLoginHandler(LoginHandler):
        statsd = NoTimer()

        def render_template(self, name, **ns):
            if name == "error.html":
                return BaseHandler.render_template(self, name, **ns)
            return super().render_template(name, **ns)

    class MLHubNativeAuthenticator(NativeAuthenticator):
        def get_handlers(self, app):
            return [
                (path, MLHubNativeLoginHandler if handler is LoginHandler else handler)
                for path, handler in super().get_handlers(app)
            ]

    return MLHubNativeAuthenticator


if AUTH == "native":
    import nativeauthenticator

    c.JupyterHub.authenticator_class = native_authenticator_class()
    c.JupyterHub.template_paths = [str(Path(nativeauthenticator.__file__).parent / "templates")]
    # NativeAuthenticator's own sign-up approval decides who gets in.
    c.NativeAuthenticator.allow_all = True
    c.NativeAuthenticator.open_signup = env_flag("MLHUB_NATIVE_OPEN_SIGNUP")
    # Sign-up takes a user name, an email address and a password.
    c.NativeAuthenticator.ask_email_on_signup = True
    c.NativeAuthenticator.minimum_password_length = 10
    c.NativeAuthenticator.check_common_password = True
    c.NativeAuthenticator.allowed_failed_logins = 5
    c.NativeAuthenticator.admin_users = ADMINS
elif AUTH == "github":
    client_id = env("GITHUB_CLIENT_ID", "mlhub-trial-client" if USES_FAKE_GITHUB else "")
    client_secret = env("GITHUB_CLIENT_SECRET", "mlhub-trial-secret" if USES_FAKE_GITHUB else "")
    if not (client_id and client_secret):
        sys.exit(
            f"MLHUB_GITHUB_URL={GITHUB_URL} is not the local fake GitHub: set GITHUB_CLIENT_ID and "
            "GITHUB_CLIENT_SECRET from your GitHub OAuth app (see hub_config/README.md)"
        )
    c.JupyterHub.authenticator_class = "github"
    gh = c.GitHubOAuthenticator
    gh.github_url = GITHUB_URL
    gh.client_id = client_id
    gh.client_secret = client_secret
    gh.oauth_callback_url = env("OAUTH_CALLBACK_URL", f"{PUBLIC_URL}/hub/oauth_callback")
    trial_users = "alice,bob,carol,dave,erin" if USES_FAKE_GITHUB else ""
    gh.allowed_users = env_list("MLHUB_ALLOWED_USERS", trial_users)
    # "org" or "org:team", as oauthenticator spells them.
    gh.allowed_organizations = env_list("MLHUB_ALLOWED_ORGS")
    gh.allow_all = env_flag("MLHUB_ALLOW_ALL")
    # Taking someone out of the allow lists takes away their access.
    gh.allow_existing_users = False
    gh.admin_users = ADMINS
    scopes = ["read:user", "user:email"]
    if gh.allowed_organizations or env_flag("MLHUB_GITHUB_TEAMS_AS_GROUPS"):
        scopes.append("read:org")  # private org/team membership is invisible without it
    gh.scope = scopes
    if env_flag("MLHUB_GITHUB_TEAMS_AS_GROUPS"):
        # GitHub teams become hub groups named "org:team"; the registry may map them to roles.
        crypt_key = RUN_DIR / "crypt_key"
        if "JUPYTERHUB_CRYPT_KEY" not in os.environ:
            if not crypt_key.exists():
                crypt_key.write_text(secrets.token_hex(32))
                crypt_key.chmod(0o600)
            os.environ["JUPYTERHUB_CRYPT_KEY"] = crypt_key.read_text().strip()
        gh.enable_auth_state = True
        gh.populate_teams_in_auth_state = True
        gh.manage_groups = True
        gh.auth_state_groups_key = lambda auth_state: [
            f"{team['organization']['login']}:{team['slug']}" for team in auth_state.get("teams", [])
        ]
elif AUTH == "oidc":
    configure_oidc(c)
else:
    sys.exit(
        f"MLHUB_AUTH={AUTH!r} is not supported: set MLHUB_AUTH to 'github' (the default), "
        "'native' (email and password sign-up) or 'oidc' (an OpenID Connect provider)"
    )

# --- single-user servers --------------------------------------------------------------
# Every server runs as the hub's own unix user (root in the trial box), so no system
# users are created; HOME is a per-user folder under the data directory.
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(DATA_DIR / "homes" / "{username}")
c.Spawner.cmd = [str(VENV_BIN / "jupyterhub-singleuser")]
c.Spawner.args = ["--allow-root"] if os.geteuid() == 0 else []
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 60

SERVICE_PORT = int(env("MLHUB_SERVICE_PORT", "10202"))
SERVICE_URL = f"http://127.0.0.1:{SERVICE_PORT}"
GATEWAY_PORT = int(env("MLHUB_GATEWAY_PORT", "8002"))
GATEWAY_TCP_PORT = int(env("MLHUB_GATEWAY_TCP_PORT", "8786"))

c.Spawner.environment = {
    "PATH": PATH,
    **INSTANCE,
    # The server extension forwards /mlhub/api/v1/* here with the user's own hub token.
    "MLHUB_HUB_SERVICE_URL": env("MLHUB_HUB_SERVICE_URL", f"{SERVICE_URL}/services/mlhub/"),
    "DASK_GATEWAY__ADDRESS": f"http://127.0.0.1:{PORT}/services/dask-gateway",
    "DASK_GATEWAY__PROXY_ADDRESS": f"gateway://127.0.0.1:{GATEWAY_TCP_PORT}",
    "DASK_GATEWAY__PUBLIC_ADDRESS": "/services/dask-gateway/",
    "DASK_GATEWAY__AUTH__TYPE": "jupyterhub",
}

# --- services -------------------------------------------------------------------------
services = []
roles = []

MLHUB_CMD = VENV_BIN / "mlhub"


def mlhub_supports_hub_mode() -> bool:
    """Whether the installed ``mlhub`` command has ``serve --hub``.

    A managed service whose command is missing, or exits at start, makes the hub itself
    exit; in "auto" mode the service is configured only where the command offers it.
    """
    if not MLHUB_CMD.exists():
        return False
    try:
        probe = subprocess.run(
            [str(MLHUB_CMD), "serve", "--help"], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0 and "--hub" in probe.stdout


mlhub_mode = env("MLHUB_HUB_SERVICE", "auto").lower()
with_registry = mlhub_mode == "on" or (mlhub_mode == "auto" and mlhub_supports_hub_mode())
if not with_registry:
    print(
        f"jupyterhub_config: the mlhub registry service is OFF (MLHUB_HUB_SERVICE={mlhub_mode}; "
        f"'{MLHUB_CMD} serve --hub' unavailable or disabled)",
        file=sys.stderr,
    )
if with_registry:
    services.append({
        "name": "mlhub",
        "url": SERVICE_URL,
        "command": [str(MLHUB_CMD), "serve", "--hub"],
        "cwd": str(DATA_DIR),
        "oauth_no_confirm": True,
        "environment": {
            "PATH": PATH,
            **INSTANCE,
            "MLHUB_DB_URL": env(
                "MLHUB_REGISTRY_DB_URL",
                "postgresql+psycopg://mlhub:mlhub@127.0.0.1:5432/mlhub_registry",
            ),
            "MLHUB_ARTIFACT_ROOT": env("MLHUB_ARTIFACT_ROOT", str(DATA_DIR / "artifacts")),
            # An object-store artifact root (s3://...): its options and credentials, as given
            # to the hub (a managed service does not inherit the hub's environment).
            **{k: v for k, v in os.environ.items()
               if k.startswith("AWS_") or k in ("MLHUB_STORAGE_OPTIONS", "MLHUB_ARTIFACT_CACHE",
                                                "MLHUB_ARTIFACT_CACHE_SIZE")},
            # How users sign in, for the profile (GET /me): under GitHub the hub name is the login.
            "MLHUB_AUTH": AUTH,
            "MLHUB_GITHUB_URL": GITHUB_URL,
            # Training jobs run on each user's own gateway cluster, opened with that
            # user's hub token (never one scheduler shared by everyone).
            "MLHUB_DASK_ADDRESS": "gateway",
            "DASK_GATEWAY__ADDRESS": f"http://127.0.0.1:{PORT}/services/dask-gateway",
            "DASK_GATEWAY__PROXY_ADDRESS": f"gateway://127.0.0.1:{GATEWAY_TCP_PORT}",
        },
    })
    # Enough to resolve user names and group (team) membership, nothing more.
    roles.append({
        "name": "mlhub-service",
        "scopes": ["list:users", "read:users:name", "read:users:groups", "list:groups", "read:groups"],
        "services": ["mlhub"],
    })

if env("MLHUB_GATEWAY", "on").lower() != "off":
    services.append({
        "name": "dask-gateway",
        "url": f"http://127.0.0.1:{GATEWAY_PORT}",
        "command": [
            str(VENV_BIN / "dask-gateway-server"), "-f", str(HERE / "dask_gateway_config.py"),
        ],
        "cwd": str(DATA_DIR),
        "environment": {
            "PATH": PATH,
            **INSTANCE,
            "MLHUB_VENV": str(VENV),
            "MLHUB_HUB_RUN_DIR": str(RUN_DIR),
            "MLHUB_GATEWAY_PORT": str(GATEWAY_PORT),
            "MLHUB_GATEWAY_API_PORT": env("MLHUB_GATEWAY_API_PORT", "8003"),
            "MLHUB_GATEWAY_TCP_PORT": str(GATEWAY_TCP_PORT),
        },
    })

# An API token for scripts and the end-to-end tests (user and server management),
# generated per run directory so no trial hub shares a known admin token.
admin_token_file = RUN_DIR / "admin-api-token"
if not admin_token_file.exists():
    admin_token_file.write_text(secrets.token_hex(32))
    admin_token_file.chmod(0o600)
services.append({"name": "test-admin", "api_token": admin_token_file.read_text().strip()})
roles.append({
    "name": "test-admin",
    "scopes": ["admin:users", "admin:servers", "read:hub", "list:users", "list:services", "read:services"],
    "services": ["test-admin"],
})
c.JupyterHub.services = services

# --- roles and scopes -----------------------------------------------------------------
# JupyterHub 5+ grants no access:services by default: users need it for browser OAuth
# to a service, and their servers' tokens need it for API calls from the lab and kernels.
service_access = [f"access:services!service={s['name']}" for s in services if "url" in s]
c.JupyterHub.load_roles = [
    {
        "name": "user",
        # shares!user + name lookups: JupyterHub's server sharing for shared workspaces
        "scopes": ["self", "shares!user", "read:users:name", "read:groups:name", *service_access],
    },
    *roles,
]
c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server", *service_access]
