"""How a run ends, against a real `mlhub serve` and real processes: its status and the
reason that says what ended it (issue 10, item 3), and the stop from the lab (item 4)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import pytest

from mlhub_ext.client.sync import FOUND_BY_SYNC, sync_all

pytestmark = pytest.mark.filterwarnings("ignore:Exception ignored in.*serve.log:pytest.PytestUnraisableExceptionWarning")


def _run(server: Any, run_id: str) -> dict[str, Any]:
    resp = server.api("GET", f"runs/{run_id}")
    assert resp.status_code == 200, resp.text
    return resp.json()


def _steps(server: Any, run_id: str, key: str = "x") -> list[int]:
    return server.api("GET", f"runs/{run_id}/metrics/{key}").json()["steps"]


def _script(body: str) -> str:
    return "import sys, time, mlhub_ext as mh\nrun = mh.init('status')\nprint(run.id, flush=True)\n" + body


@pytest.mark.parametrize("body, code, status, reason", [
    ("for i in range(300):\n    run.log({'x': float(i)})\n",
     0, "finished", "script ended"),
    ("for i in range(300):\n    run.log({'x': float(i)})\n    if i == 199:\n        sys.exit(3)\n",
     3, "killed", "sys.exit(3) before finish()"),
    ("for i in range(300):\n    run.log({'x': float(i)})\n    if i == 199:\n        raise ValueError('boom at 199')\n",
     1, "failed", "ValueError: boom at 199"),
    ("for i in range(300):\n    run.log({'x': float(i)})\n    if i == 199:\n        raise KeyboardInterrupt\n",
     -signal.SIGINT, "killed", "interrupted (KeyboardInterrupt)"),
    ("with run:\n    for i in range(300):\n        run.log({'x': float(i)})\n        if i == 199:\n            1 / 0\n",
     1, "failed", "ZeroDivisionError: division by zero"),
], ids=["ends-normally", "sys-exit", "exception", "ctrl-c", "with-exception"])
def test_a_script_ending_without_finish(tracking, body: str, code: int, status: str, reason: str) -> None:
    out = subprocess.run([sys.executable, "-c", _script(body)], capture_output=True, text=True,
                         env=dict(os.environ), timeout=60)
    assert out.returncode == code, out.stderr
    run_id = out.stdout.split()[0]
    got = _run(tracking, run_id)
    assert (got["status"], got["status_reason"]) == (status, reason)
    assert _steps(tracking, run_id) == list(range(300 if status == "finished" else 200)), "every point logged"
    if status == "failed":
        assert "Traceback (most recent call last)" in got["notes"] and reason in got["notes"]
    else:
        assert got["notes"] == ""


def test_explicit_finish_and_with_mark_finished(tracking) -> None:
    body = ("with run:\n    run.log({'x': 1.0})\n"
            "r2 = mh.init('status', notes='keep me')\nr2.log({'x': 1.0})\n"
            "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    r2.fail(e)\nprint(r2.id)\n")
    out = subprocess.run([sys.executable, "-c", _script(body)], capture_output=True, text=True,
                         env=dict(os.environ), timeout=60)
    assert out.returncode == 0, out.stderr
    first, second = out.stdout.split()
    assert (_run(tracking, first)["status"], _run(tracking, first)["status_reason"]) == ("finished", "")
    failed = _run(tracking, second)
    assert (failed["status"], failed["status_reason"]) == ("failed", "ZeroDivisionError: division by zero")
    assert failed["notes"].startswith("keep me\n\nTraceback"), "the notes are kept, the traceback added"


SIGKILLED = _script("for i in range(100):\n    run.log({'x': float(i)})\nrun.flush(20)\n"
                    "print('flushed', flush=True)\ntime.sleep(600)\n")


def test_a_sigkilled_process_is_found_by_sync(tracking) -> None:
    child = subprocess.Popen([sys.executable, "-c", SIGKILLED], stdout=subprocess.PIPE, text=True,
                             env=dict(os.environ))
    try:
        run_id = child.stdout.readline().strip()
        assert child.stdout.readline().strip() == "flushed"
        assert _run(tracking, run_id)["status"] == "running"
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
    summary = sync_all()
    assert summary["runs_closed"] == 1 and not summary["errors"]
    got = _run(tracking, run_id)
    assert (got["status"], got["status_reason"]) == ("killed", FOUND_BY_SYNC)
    assert FOUND_BY_SYNC == "process ended without finish() (found by sync)"
    assert got["notes"] == "" and _steps(tracking, run_id) == list(range(100))


# -- stop from the lab ------------------------------------------------------------------

LOOPS = {
    # a plain loop: RunStopped (a KeyboardInterrupt) ends the script
    "plain": "i = 0\nwhile True:\n    run.log({'x': float(i)})\n    i += 1\n    time.sleep(0.01)\n",
    # `with`: the block ends quietly and the script goes on
    "with": ("with run:\n    i = 0\n    while True:\n        run.log({'x': float(i)})\n        i += 1\n"
             "        time.sleep(0.01)\nprint('after the with block', flush=True)\n"),
    # a loop that logs every 2.5 s sends no batch for a while: the SDK polls
    "slow": "i = 0\nwhile True:\n    run.log({'x': float(i)})\n    i += 1\n    time.sleep(2.5)\n",
}


@pytest.mark.parametrize("loop", list(LOOPS))
def test_stop_from_the_lab_ends_the_logging_loop(tracking, loop: str) -> None:
    child = subprocess.Popen([sys.executable, "-c", _script(LOOPS[loop])], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        run_id = child.stdout.readline().strip()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not tracking.api("GET", f"runs/{run_id}/metrics").json()["metrics"]:
            time.sleep(0.1)
        resp = tracking.api("POST", f"runs/{run_id}/stop")
        assert resp.status_code == 200 and resp.json()["stop_requested"] is True
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    got = _run(tracking, run_id)
    assert (got["status"], got["status_reason"], got["stop_requested"]) == ("killed", "stopped from the lab", True)
    steps = _steps(tracking, run_id)
    assert steps == list(range(len(steps))) and steps, "every point logged before the stop, once"
    if loop == "with":
        assert child.returncode == 0 and "after the with block" in out, err
    else:
        assert child.returncode == 1, err   # uncaught, with its message
        assert "RunStopped: run" in err and "was stopped from the lab" in err
    assert tracking.api("POST", f"runs/{run_id}/stop").status_code == 409
