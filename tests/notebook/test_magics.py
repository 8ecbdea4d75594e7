"""%track / %%track executed in a real kernel (nbclient) against a real server."""
from __future__ import annotations

import nbclient
import nbformat
import pytest

from mlhub_ext.notebook.magics import parse_args

pytestmark = pytest.mark.filterwarnings("ignore:Exception ignored in.*serve.log:pytest.PytestUnraisableExceptionWarning")

CELLS = [
    "%load_ext mlhub_ext\nimport mlhub_ext as mh",
    "%%track project=nb name=cell-run tags=a,b --params lr,epochs\nlr = 0.01\nepochs = 3\n"
    "for e in range(epochs):\n    mh.log({'loss': 1.0 / (e + 1)})\nepochs * 2",
    "%track start project=nb name=line-run --no-live",
    "for i in range(5):\n    mh.log({'x': float(i)})",
    "mh.active_run().summary['best'] = 4.0\n%track stop",
    "%%track project=nb name=broken --no-live\nmh.log({'y': 1.0})\nraise ValueError('boom')",
]


def test_magics_in_a_real_kernel(tracking, tmp_path):
    mlhub_server = tracking
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=True,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outs = [cell.outputs for cell in nb.cells]
    assert not any(o.get("output_type") == "error" for cell in outs[:5] for o in cell), outs
    assert any(o.get("data", {}).get("text/plain") == "6" for o in outs[1]), "last expression shown"
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outs[1]), "live widget shown"
    assert outs[5][-1]["output_type"] == "error" and outs[5][-1]["ename"] == "ValueError"

    runs = {r["name"]: r for r in mlhub_server.api("GET", "runs", params={"project": "nb"}).json()["runs"]}
    cell_run = runs["cell-run"]
    assert cell_run["status"] == "finished" and cell_run["params"] == {"lr": 0.01, "epochs": 3}
    assert cell_run["tags"] == ["a", "b"]
    assert cell_run["provenance"]["cell_source"].startswith("%%track project=nb")
    assert cell_run["provenance"]["execution_count"] == 2
    loss = mlhub_server.api("GET", f"runs/{cell_run['id']}/metrics/loss").json()
    assert loss["values"] == [1.0, 0.5, 1.0 / 3]

    line_run = runs["line-run"]
    assert line_run["status"] == "finished" and line_run["summary"] == {"best": 4.0}
    assert mlhub_server.api("GET", f"runs/{line_run['id']}/metrics/x").json()["steps"] == [0, 1, 2, 3, 4]

    broken = runs["broken"]
    assert broken["status"] == "failed" and "ValueError: boom" in broken["notes"]
    assert mlhub_server.api("GET", f"runs/{broken['id']}/metrics/y").json()["values"] == [1.0]


def test_parse_args():
    assert parse_args("start project=p name='a b' --params lr,epochs --no-live") == {
        "words": ["start"], "project": "p", "name": "a b", "params": "lr,epochs", "no_live": True}
    with pytest.raises(Exception, match="unknown option"):
        parse_args("projet=p")


def test_parse_args_options_in_any_order_unknown_flags_refused():
    from IPython.core.error import UsageError

    from mlhub_ext.notebook.magics import TrackMagics

    assert parse_args("--no-live start --project p status=failed") == {
        "words": ["start"], "project": "p", "status": "failed", "no_live": True}
    with pytest.raises(UsageError, match="--foo"):
        parse_args("start --foo")
    assert "--params PARAMS" in TrackMagics.track_cell.__doc__   # what %%track? shows
