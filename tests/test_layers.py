"""The layer rules of DESIGN.md hold: import-linter contracts, and a light `import mlhub_ext`."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "broken" not in out.stdout.lower() or " 0 broken" in out.stdout.lower()


def test_kernel_import_pulls_in_no_server_code():
    code = ("import sys, mlhub_ext as mh; mh.init; mh.live; "
            "bad = [m for m in ('tornado', 'sqlalchemy', 'jupyter_server', 'alembic') if m in sys.modules]; "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import mlhub_ext loaded {out.stdout.strip()}"
