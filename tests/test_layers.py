"""The layer rules of DESIGN.md hold: import-linter contracts, no import circle, and a light
`import mlhub_ext`."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "broken" not in out.stdout.lower() or " 0 broken" in out.stdout.lower()


def test_kernel_import_pulls_in_no_server_code():
    # tornado's event-loop modules are allowed: tenacity (the SDK's retries) imports tornado.gen
    # when tornado is installed, and ipykernel imports tornado in every kernel anyway; its
    # web server, and our server and store layers, must stay out.
    server = ('tornado.web', 'tornado.httpserver', 'sqlalchemy', 'jupyter_server', 'alembic',
              'mlhub_ext.server', 'mlhub_ext.store', 'mlhub_ext.services')
    code = ("import sys, mlhub_ext as mh; mh.init; mh.live; "
            f"bad = [m for m in {server!r} if m in sys.modules]; "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import mlhub_ext loaded {out.stdout.strip()}"


def import_cycles(package: str) -> list[list[str]]:
    """Every import circle inside ``package``: its strongly connected components of more than
    one module (imports inside functions and under TYPE_CHECKING count, as import-linter counts
    them), each sorted, plus modules that import themselves."""
    graph = grimp.build_graph(package, cache_dir=None)
    edges = {m: sorted(i for i in graph.find_modules_directly_imported_by(m) if i in graph.modules)
             for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in sorted(edges):      # Tarjan's algorithm, iteratively: the graph may be deep
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = edges[node]
            if i < len(targets):
                work.append((node, i + 1))
                nxt = targets[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    component.append(m)
                    if m == node:
                        break
                if len(component) > 1 or node in edges[node]:
                    cycles.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return sorted(cycles)


def test_no_import_cycles_in_the_package():
    cycles = import_cycles("mlhub_ext")
    assert cycles == [], "modules that import each other in a circle:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_the_cycle_check_finds_a_circle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    pkg = tmp_path / "circles"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from . import b\n")
    (pkg / "b.py").write_text("def f():\n    from .c import g\n")   # an import inside a function counts
    (pkg / "c.py").write_text("from .a import b\ndef g():\n    pass\n")
    (pkg / "d.py").write_text("from . import a\n")                   # reaches the circle, is not in it
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("circles") == [["circles.a", "circles.b", "circles.c"]]
