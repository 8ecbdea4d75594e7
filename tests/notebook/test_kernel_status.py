"""A run logged from a real IPython kernel (jupyter_client's KernelManager) ends with the
status and reason of what ended it: a shutdown or restart mid-loop is ``killed`` (issue 10,
item 3), and a stop from the lab ends a ``%%track`` cell quietly (item 4)."""
from __future__ import annotations

import os
import time
from queue import Empty
from typing import Any, Iterator

import pytest
from jupyter_client.manager import KernelManager

pytestmark = pytest.mark.filterwarnings("ignore:Exception ignored in.*serve.log:pytest.PytestUnraisableExceptionWarning")

LOOP = ("import time, mlhub_ext as mh\nrun = mh.init('kernel-status')\nprint(run.id, flush=True)\n"
        "i = 0\nwhile True:\n    run.log({'x': float(i)})\n    i += 1\n    time.sleep(0.005)\n")


@pytest.fixture
def kernel(tracking) -> Iterator[tuple[KernelManager, Any]]:  # type: ignore[no-untyped-def]
    km = KernelManager(kernel_name="python3")
    km.start_kernel(env=dict(os.environ))   # MLHUB_URL, MLHUB_TOKEN and MLHUB_WAL_DIR of the test
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    yield km, kc
    kc.stop_channels()
    if km.is_alive():
        km.shutdown_kernel(now=True)


def _first_line(kc: Any, msg_id: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except Empty:
            continue
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream":
            return msg["content"]["text"].split()[0]
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "error":
            raise AssertionError("\n".join(msg["content"]["traceback"]))
    raise AssertionError("the cell printed nothing")


def _wait_for_points(server: Any, run_id: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.api("GET", f"runs/{run_id}/metrics").json()["metrics"]:
            return
        time.sleep(0.1)
    raise AssertionError("no points reached the server")


@pytest.mark.parametrize("how, reason", [("shutdown", "kernel shut down"), ("restart", "kernel restarted")])
def test_kernel_shut_down_mid_loop_kills_the_run(tracking, kernel, how: str, reason: str) -> None:
    km, kc = kernel
    run_id = _first_line(kc, kc.execute(LOOP))
    _wait_for_points(tracking, run_id)
    if how == "shutdown":
        km.shutdown_kernel()          # interrupt, then shutdown_request, as JupyterLab does
    else:
        km.restart_kernel()
    got = tracking.api("GET", f"runs/{run_id}").json()
    assert (got["status"], got["status_reason"]) == ("killed", reason)
    series = tracking.api("GET", f"runs/{run_id}/metrics/x").json()
    assert series["steps"] == list(range(len(series["steps"]))), "the points logged, each once"


def test_stop_from_the_lab_ends_a_track_cell_quietly(tracking, kernel) -> None:
    _, kc = kernel
    kc.execute_interactive("%load_ext mlhub_ext", timeout=60)
    msg_id = kc.execute("%%track project=kernel-stop --no-live\n"
                        "import time, mlhub_ext as mh\ni = 0\nwhile True:\n    mh.log({'x': float(i)})\n    i += 1\n    time.sleep(0.01)\n")
    deadline = time.monotonic() + 30
    runs: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not runs:
        runs = tracking.api("GET", "runs", params={"project": "kernel-stop"}).json().get("runs", [])
        time.sleep(0.1)
    assert runs, "the %%track run started"
    run_id = runs[0]["id"]
    _wait_for_points(tracking, run_id)
    assert tracking.api("POST", f"runs/{run_id}/stop").status_code == 200
    reply = kc.get_shell_msg(timeout=30)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=30)
    assert reply["content"]["status"] == "ok", reply["content"]   # no traceback: the cell ended quietly
    got = tracking.api("GET", f"runs/{run_id}").json()
    assert (got["status"], got["status_reason"]) == ("killed", "stopped from the lab")
