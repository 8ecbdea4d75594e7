"""Where the ML Hub server is and which token to use, found without asking the user.

Order: ``mh.login(url, token)`` in this process; ``MLHUB_URL``/``MLHUB_TOKEN`` (the
server extension exports them to every kernel it starts); JupyterHub's single-user
variables (``JUPYTERHUB_SERVICE_URL`` or ``JUPYTERHUB_SERVICE_PREFIX`` with
``JUPYTERHUB_API_TOKEN``); a running local Jupyter server found through its
``jpserver-*.json`` runtime file (the kernel's parent process first).
"""
from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ErrorCode, MLHubError


@dataclass(frozen=True)
class Connection:
    """A server base URL (ending in ``/``) and its token (may be empty)."""

    url: str
    token: str
    source: str = "login"

    @property
    def api(self) -> str:
        return self.url + "mlhub/api/v1/"


_lock = threading.Lock()
# Process-wide on purpose: a login applies to every thread and task of this process.
# (The active *run* is per context, see fluent.py.)
_login: Connection | None = None


def normalize_url(url: str) -> str:
    url = url.strip()
    if not url.startswith(("http://", "https://")):
        raise MLHubError(ErrorCode.INVALID, f"ML Hub URL {url!r} must start with http:// or https://")
    return url if url.endswith("/") else url + "/"


def set_login(url: str, token: str | None) -> Connection:
    global _login
    conn = Connection(normalize_url(url), token or "", "login")
    with _lock:
        _login = conn
    return conn


def clear_login() -> None:
    global _login
    with _lock:
        _login = None


def resolve() -> Connection:
    """Find the server, or raise ``MLHubError(UNAVAILABLE)`` saying how to set it."""
    if _login is not None:
        return _login
    env = os.environ
    if env.get("MLHUB_URL"):
        return Connection(normalize_url(env["MLHUB_URL"]), env.get("MLHUB_TOKEN", ""), "MLHUB_URL")
    hub = _from_jupyterhub(env)
    if hub is not None:
        return hub
    local = _from_runtime_files()
    if local is not None:
        return local
    raise MLHubError(
        ErrorCode.UNAVAILABLE,
        "no ML Hub server found: MLHUB_URL is not set, this is not a JupyterHub server and "
        "no running Jupyter server was found; call mh.login(url, token) or set "
        "MLHUB_URL and MLHUB_TOKEN",
    )


def _from_jupyterhub(env: os._Environ[str] | dict[str, str]) -> Connection | None:
    token = env.get("JUPYTERHUB_API_TOKEN")
    if not token:
        return None
    url = env.get("JUPYTERHUB_SERVICE_URL")
    prefix = env.get("JUPYTERHUB_SERVICE_PREFIX", "/")
    if url:
        # The single-user server's bind URL; older hubs give it without the prefix.
        if prefix != "/" and not url.rstrip("/").endswith(prefix.rstrip("/")):
            url = url.rstrip("/") + prefix
        return Connection(normalize_url(url), token, "JUPYTERHUB_SERVICE_URL")
    if env.get("JUPYTERHUB_SERVICE_PREFIX"):
        port = env.get("JUPYTERHUB_SINGLEUSER_PORT", "8888")
        return Connection(normalize_url(f"http://127.0.0.1:{port}{prefix}"), token,
                          "JUPYTERHUB_SERVICE_PREFIX")
    return None


def _runtime_dir() -> Path:
    from jupyter_core.paths import jupyter_runtime_dir

    return Path(jupyter_runtime_dir())


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _from_runtime_files(runtime_dir: Path | None = None) -> Connection | None:
    """Read ``jpserver-*.json`` directly: jupyter_server's own lister imports tornado."""
    folder = runtime_dir or _runtime_dir()
    servers = []
    for path in folder.glob("jpserver-*.json"):
        try:
            info = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        pid = info.get("pid")
        if isinstance(pid, int) and _pid_alive(pid) and info.get("url"):
            servers.append((path.stat().st_mtime, info))
    if not servers:
        return None
    ppid = os.getppid()
    cwd = os.getcwd()
    # The kernel's own server first, then one serving the cwd, then the newest.
    servers.sort(key=lambda s: (s[1].get("pid") == ppid,
                                cwd.startswith(str(s[1].get("root_dir") or "\0")), s[0]),
                 reverse=True)
    info = servers[0][1]
    return Connection(normalize_url(info["url"]), info.get("token", ""), "jpserver runtime file")
