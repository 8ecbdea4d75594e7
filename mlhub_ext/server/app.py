"""The Jupyter server extension app ``MLHub`` (local mode and hub-mode forwarding)."""
from __future__ import annotations

import json
import os
from typing import Any

from jupyter_server.auth.identity import User
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from tornado import web
from traitlets import Bool
from tornado.websocket import WebSocketHandler
from jupyter_server.extension.application import ExtensionApp

from ..core.errors import ErrorCode, MLHubError
from ..core.service import TOKEN_PREFIX
from ..services.container import SETTINGS_KEY, Services
from ..services.settings import settings_from_config
from ..version import __version__
from .config import MLHubConfigMixin
from .handlers.base import bearer_token
from .handlers.mlflow import MLFLOW_BASE
from .host_settings import host_settings
from .routes import api_routes, mlflow_routes

API_BASE = "/mlhub/api/v1"
# BokehJS as the installed bokeh ships it, for the figures of ``mh.live`` and ``mh.plots``: a
# notebook then loads it by URL (a few KB of output) instead of inline (8 MB an output).
BOKEH_BASE = "/mlhub/bokeh"


def bokeh_script_urls(base_url: str) -> list[str]:
    """The BokehJS scripts this server serves, as bokeh's notebook loader asks for them.

    ``base_url`` is the Jupyter server's (``/`` or ``/user/<name>/``). Returns paths such as
    ``/mlhub/bokeh/static/js/bokeh.min.js`` (the core first, then its plugins: gl, widgets,
    tables, mathjax), made by bokeh's ``Resources(mode="server")`` so they match the installed
    bokeh and the kernel's ``output_notebook`` loader (``MLHUB_BOKEH_URL``).
    """
    from bokeh.resources import Resources

    return list(Resources(mode="server", root_url=base_url.rstrip("/") + BOKEH_BASE + "/").js_files)


class JupyterWebSocket(JupyterHandler, WebSocketHandler):
    """WebSocket host base: Jupyter's auth and its origin check (``allow_origin`` aware)."""


class JupyterAPI(APIHandler):
    """REST host base: Jupyter's auth, and ML Hub API tokens for scripts.

    ``Authorization: token mlh_...`` authenticates as the token's user with the token's scope
    (a read-only token cannot write), and reaches only ML Hub's API: unlike the Jupyter
    server's own token it runs no code. Any other credential goes to Jupyter's identity
    provider as usual.
    """

    async def prepare(self) -> None:  # type: ignore[override]
        token = bearer_token(self)
        if not token.startswith(TOKEN_PREFIX):
            await super().prepare()
            return
        if not self.check_host():
            raise web.HTTPError(403)
        rec = self.settings[SETTINGS_KEY].registry.check_token(token)
        if rec is None:
            self.current_user = self._jupyter_current_user = None
            raise MLHubError(ErrorCode.UNAUTHENTICATED, "the ML Hub API token is unknown, revoked or expired")
        self.mlhub_token = rec
        # A header token is no cookie, so Jupyter's XSRF check does not apply.
        self.current_user = self._jupyter_current_user = User(rec.user)
        self.set_cors_headers()
        if not self.check_origin():
            raise web.HTTPError(404)


class MLHub(MLHubConfigMixin, ExtensionApp):
    """ML Hub inside a Jupyter server: the registry in-process on SQLite by default."""

    name = "mlhub_ext"
    description = "ML Hub: datasets, experiments and models in JupyterLab"
    version = __version__
    load_other_extensions = True

    open_home_on_first_load = Bool(True, config=True, help=(
        "Open the ML Hub home tab on a user's first load of the lab (when the lab's state has no "
        "record of it having opened before). Test setups turn it off to start from the plain launcher."))

    def initialize_settings(self) -> None:
        api_base = self.serverapp.base_url.rstrip("/") + API_BASE
        if self.hub_service_url:
            self.settings.update({"mlhub.mode": "hub", "mlhub.hub_service_url": self.hub_service_url})
            self.log.info("ML Hub forwards %s/* to %s", API_BASE, self.hub_service_url)
        else:
            # Tests run format work in-process through ServerApp.tornado_settings.
            in_process = bool(self.settings.get("mlhub.datasets_in_process", False))
            settings = settings_from_config(self, "local", datasets_in_process=in_process)
            # Built now, not on the first request: jobs an earlier server left running are failed at once.
            services = Services.build(settings)
            self.settings.update(host_settings(services, api_base))
            self.log.info("ML Hub registry on %s as user %r", services.registry.store.url.split("@")[-1], self.user)
        self.settings["mlhub.api_base"] = api_base
        # The lab reads this from its page config (labextension/home/plugin.ts).
        page_config = self.serverapp.web_app.settings.setdefault("page_config_data", {})
        page_config["mlhubOpenHomeOnFirstLoad"] = bool(self.open_home_on_first_load)
        # The lab loads BokehJS from here as it starts (labextension/bokehLoader.ts): the same
        # URLs as the kernel's `output_notebook` loader, made by bokeh itself.
        page_config["mlhubBokehJs"] = json.dumps(bokeh_script_urls(self.serverapp.base_url))
        self._export_kernel_env()

    def initialize_handlers(self) -> None:
        from bokeh.util.paths import bokehjs_path
        from jupyter_server.base.handlers import FileFindHandler

        # The lab page is this server's in both modes, so BokehJS is served here in both.
        self.handlers.append((f"{BOKEH_BASE}/static/(.*)", FileFindHandler, {"path": [str(bokehjs_path())]}))
        if self.hub_service_url:
            from .forward import forward_mlflow_routes, forward_routes

            self.handlers.extend(forward_routes(API_BASE))
            self.handlers.extend(forward_mlflow_routes(MLFLOW_BASE))
        else:
            self.handlers.extend(api_routes(API_BASE, JupyterAPI, APIHandler, ws_base=JupyterWebSocket))
            self.handlers.extend(mlflow_routes(MLFLOW_BASE, JupyterAPI))

    def _export_kernel_env(self) -> None:
        """Kernels inherit the server's environment: tell them where the API is."""
        try:
            url = self.serverapp.connection_url
        except Exception:  # the URL is not known before the server binds; set again at start
            return
        os.environ["MLHUB_URL"] = url if url.endswith("/") else url + "/"
        os.environ["MLHUB_TOKEN"] = getattr(self.serverapp.identity_provider, "token", "") or ""
        # MLflow's client in a kernel logs to this server too (docs/mlflow.md).
        os.environ["MLFLOW_TRACKING_URI"] = os.environ["MLHUB_URL"] + MLFLOW_BASE.strip("/")
        os.environ["MLFLOW_TRACKING_TOKEN"] = os.environ["MLHUB_TOKEN"]
        # Where the lab page finds BokehJS (a path: the browser may reach this server by another host).
        os.environ["MLHUB_BOKEH_URL"] = self.serverapp.base_url.rstrip("/") + BOKEH_BASE + "/"

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        self._export_kernel_env()

    async def stop_extension(self) -> None:
        services = self.settings.get(SETTINGS_KEY)
        if services is not None:
            services.close()


main = launch_new_instance = MLHub.launch_instance
