"""ML Hub's part of the hub configuration on Kubernetes (zero-to-jupyterhub).

Given to the chart as ``hub.extraConfig.mlhub`` (``helm ... --set-file
hub.extraConfig.mlhub=deploy/kubernetes/hub/mlhub_config.py``). The chart's own
``jupyterhub_config.py`` runs it last, after it has set ``c.JupyterHub.services`` and
``c.JupyterHub.load_roles`` from ``hub.services`` / ``hub.loadRoles`` and
``c.KubeSpawner`` from ``singleuser``; ``c`` and the chart's ``z2jh`` helpers are in scope.

It does what values cannot:
- points single-user servers at the registry (``MLHUB_HUB_SERVICE_URL``), derived from
  ``hub.services.mlhub.url`` so the two cannot drift apart;
- checks that users and their servers' tokens may reach every service with a URL
  (``access:services!service=<name>`` in the ``user`` role and in
  ``Spawner.server_token_scopes``), and that the registry has its ``mlhub-service`` role.
  A hub with a mistake there would start and then answer 403 to every lab request, so it
  refuses to start instead, naming the value to fix;
- with ``custom.mlhub.githubTeamsAsGroups``, makes GitHub teams hub groups (a callable,
  which YAML cannot hold).
"""
import sys

from z2jh import get_config

MLHUB_SERVICE = "mlhub"
MLHUB_ROLE = "mlhub-service"
MLHUB_ROLE_SCOPES = {"list:users", "read:users:name", "read:users:groups", "list:groups", "read:groups"}


def _fail(message):
    sys.exit(f"hub.extraConfig.mlhub: {message} (see docs/deploy-kubernetes.md)")


def _role(name):
    for role in c.JupyterHub.load_roles:  # noqa: F821 (c: the hub's config, from the chart's jupyterhub_config.py)
        if role.get("name") == name:
            return role
    return None


_services = {s["name"]: s for s in c.JupyterHub.services}  # noqa: F821
_mlhub = _services.get(MLHUB_SERVICE)
if _mlhub is None or not _mlhub.get("url"):
    _fail(f"hub.services.{MLHUB_SERVICE}.url is not set: the URL of the Service in front of "
          "`mlhub serve --hub` (http://mlhub-registry:10202 with deploy/kubernetes/mlhub-registry.yaml)")

# The registry listens with its hub prefix (JUPYTERHUB_SERVICE_PREFIX), so a single-user
# server forwards straight to the Service, not through the proxy.
_prefix = f"/services/{MLHUB_SERVICE}/"
c.KubeSpawner.environment.update({"MLHUB_HUB_SERVICE_URL": _mlhub["url"].rstrip("/") + _prefix})  # noqa: F821

_access = sorted(f"access:services!service={name}" for name, s in _services.items() if s.get("url"))
_user_role = _role("user")


def _lacking(wanted, granted):
    """The scopes of ``wanted`` that ``granted`` gives neither as such nor unfiltered."""
    return [s for s in wanted if s not in granted and s.split("!", 1)[0] not in granted]


_missing = _lacking(_access, (_user_role or {}).get("scopes", []))
if _missing:
    _fail(f"hub.loadRoles.user.scopes lacks {', '.join(_missing)}: users could not sign in to "
          "those services from the browser")
_server_scopes = c.Spawner.server_token_scopes if "server_token_scopes" in c.Spawner else []  # noqa: F821
_missing = _lacking(_access, _server_scopes)
if _missing:
    _fail(f"hub.config.Spawner.server_token_scopes lacks {', '.join(_missing)}: the lab and "
          "kernels could not call those services with their server's token")

_registry_role = _role(MLHUB_ROLE)
if _registry_role is None or MLHUB_SERVICE not in _registry_role.get("services", []):
    _fail(f"hub.loadRoles.{MLHUB_ROLE} must exist and list services: [{MLHUB_SERVICE}]")
_missing = sorted(MLHUB_ROLE_SCOPES - set(_registry_role.get("scopes", [])))
if _missing:
    _fail(f"hub.loadRoles.{MLHUB_ROLE}.scopes lacks {', '.join(_missing)}: the registry resolves "
          "users and their groups through the hub")

if get_config("custom.mlhub.githubTeamsAsGroups", False):
    # Hub groups named "org:team", which the registry shares projects, datasets and models with.
    # Auth state is encrypted with CryptKeeper keys, which the chart generates.
    _gh = c.GitHubOAuthenticator  # noqa: F821
    _gh.enable_auth_state = True
    _gh.populate_teams_in_auth_state = True
    _gh.manage_groups = True
    _gh.auth_state_groups_key = lambda auth_state: [
        f"{team['organization']['login']}:{team['slug']}" for team in auth_state.get("teams", [])
    ]
