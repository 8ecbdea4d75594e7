"""The handshake, the OpenAPI document and the interactive API page."""
from __future__ import annotations

from ...version import __version__
from ..openapi import openapi_document
from .base import MLHubAPIMixin, api

DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ML Hub API</title>
<link rel="stylesheet" href="{static}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{static}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({{url: "{spec}", dom_id: "#swagger-ui", deepLinking: true,
  requestInterceptor: function (req) {{
    var m = document.cookie.match(/(?:^|; )_xsrf=([^;]*)/);
    if (m) {{ req.headers["X-XSRFToken"] = decodeURIComponent(m[1]); }}
    return req;
  }}}});
</script></body></html>
"""


class RootHandler(MLHubAPIMixin):
    @api
    async def get(self) -> None:
        self.write_json({"version": __version__, "mode": self.settings.get("mlhub.mode", "local"),
                         "user": self.acting_user()})


class OpenAPIHandler(MLHubAPIMixin):
    async def get(self) -> None:
        self.write_json(openapi_document(self.settings.get("mlhub.api_base", "/mlhub/api/v1")))


class DocsHandler(MLHubAPIMixin):
    async def get(self) -> None:
        base = self.settings.get("mlhub.api_base", "/mlhub/api/v1")
        self.set_header("Content-Type", "text/html; charset=utf-8")  # type: ignore[attr-defined]
        self.finish(DOCS_HTML.format(static=f"{base}/docs/static", spec=f"{base}/openapi.json"))  # type: ignore[attr-defined]


class NoRouteHandler(MLHubAPIMixin):
    """Anything else under the API prefix: a JSON 404 instead of the host's HTML page."""

    def prepare(self) -> None:
        from ...core.errors import ErrorCode, MLHubError

        raise MLHubError(ErrorCode.NOT_FOUND, f"no API route {self.request.method} {self.request.path}")
