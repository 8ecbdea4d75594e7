"""Jupyter server configuration for the Galata tests: no token, and ML Hub on a
throwaway SQLite database and artifact folder so each run starts empty."""
import os
import tempfile
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 (c is the config object Jupyter injects)

c.ServerApp.allow_root = True  # noqa: F821 (CI runs as root)
c.ServerApp.port = int(os.environ.get("MLHUB_UI_PORT", "8888"))  # noqa: F821 (see playwright.config.js)
c.ServerApp.jpserver_extensions = {"mlhub_ext": True}  # noqa: F821

_state = Path(tempfile.mkdtemp(prefix="mlhub-ui-tests-"))
c.MLHub.db_url = f"sqlite:///{_state / 'mlhub.db'}"  # noqa: F821
c.MLHub.artifact_root = str(_state / "artifacts")  # noqa: F821
# Start from the plain launcher; tests/home.spec.ts turns the first-load home back on itself.
c.MLHub.open_home_on_first_load = False  # noqa: F821
