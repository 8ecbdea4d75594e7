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


async def test_lab_page_config_names_the_served_bokehjs(jp_fetch, jp_base_url, jp_serverapp) -> None:  # type: ignore[no-untyped-def]
    """The lab preloads BokehJS from these URLs (labextension/bokehLoader.ts): the ones the
    kernel's loader asks for, core first, each served here."""
    import json

    await jp_fetch("mlhub", "api", "v1", "me")
    urls = json.loads(jp_serverapp.web_app.settings["page_config_data"]["mlhubBokehJs"])
    assert urls == list(Resources(mode="server", root_url=os.environ["MLHUB_BOKEH_URL"]).js_files)
    assert urls[0].endswith("/bokeh.min.js") and all(u.startswith(jp_base_url) for u in urls)
    for url in urls:
        resp = await jp_fetch(*url[len(jp_base_url):].split("/"))
        assert resp.code == 200 and b"Anaconda" in resp.body[:200]  # a BokehJS file, not a page
