"""BokehJS served by the Jupyter server for ``mh.live``/``mh.plots`` (loaded by URL, not
inlined into every notebook), and the kernel told where (``MLHUB_BOKEH_URL``)."""
from __future__ import annotations

import os

from bokeh.resources import Resources
from bokeh.util.paths import bokehjs_path


async def test_bokehjs_is_served_where_kernels_are_told(jp_fetch, jp_base_url) -> None:  # type: ignore[no-untyped-def]
    await jp_fetch("mlhub", "api", "v1", "me")  # the server (and its extension) started
    assert os.environ["MLHUB_BOKEH_URL"] == jp_base_url.rstrip("/") + "/mlhub/bokeh/"
    files = Resources(mode="server", root_url=os.environ["MLHUB_BOKEH_URL"]).js_files
    assert [f.rsplit("/", 1)[1] for f in files][0] == "bokeh.min.js" and len(files) >= 3
    for url in files:
        resp = await jp_fetch(*url[len(jp_base_url):].split("/"))
        assert resp.code == 200 and "javascript" in resp.headers["Content-Type"]
        assert resp.body == (bokehjs_path() / "js" / url.rsplit("/", 1)[1]).read_bytes()
