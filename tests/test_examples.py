"""Every example notebook runs top to bottom against a real `mlhub serve`, so examples never rot."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

OUTPUT_LIMIT = 200_000  # bytes of one output's data of one MIME type
EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(notebook: Path, mlhub_server, monkeypatch, tmp_path: Path) -> None:
    # The kernel inherits these, exactly as it would from the ML Hub server extension.
    monkeypatch.setenv("MLHUB_URL", mlhub_server.url)
    monkeypatch.setenv("MLHUB_TOKEN", mlhub_server.token)
    monkeypatch.setenv("MLHUB_WAL_DIR", str(tmp_path / "wal"))
    monkeypatch.setenv("MLHUB_DATA_DIR", str(mlhub_server.data_dir))
    monkeypatch.setenv("MLHUB_BOKEH_URL", "/mlhub/bokeh/")  # as the server extension sets it
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(notebook.parent)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors
    # Small enough to commit: BokehJS (4 MB) is loaded from the server by URL, never inlined.
    sizes = {(i, mime): len(json.dumps(data)) for i, c in enumerate(nb.cells) if c.cell_type == "code"
             for o in c.get("outputs", []) for mime, data in o.get("data", {}).items()}
    assert not {k: n for k, n in sizes.items() if n > OUTPUT_LIMIT}, sizes
