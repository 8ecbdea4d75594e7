"""Run status over REST: why a run ended (status_reason), the stop request, and downsampled
series that reach the end of the run (issue 10, items 1, 3 and 4)."""
from __future__ import annotations

import numpy as np
import pytest

from tests.server.test_api import call
from tests.store.test_downsample import reference


@pytest.mark.parametrize("max_points, before", [(1600, 1598), (1200, 1797)])
async def test_downsampled_series_reaches_the_last_step(jp_fetch, max_points: int, before: int) -> None:
    """Steps 0..1999: the answer used to jump from ``before`` to 1999."""
    _, run = await call(jp_fetch, "POST", "runs", body={"project": "ds"})
    steps = list(range(2000))
    values = [float(np.sin(s / 7.0)) for s in steps]
    batch = {"seq": 1, "metrics": {"m": {"steps": steps, "values": values, "timestamps": [1.0] * 2000}}}
    assert (await call(jp_fetch, "POST", "runs", run["id"], "metrics", body=batch))[0] == 200
    code, series = await call(jp_fetch, "GET", "runs", run["id"], "metrics", "m",
                              params={"max_points": str(max_points)})
    assert code == 200 and series["downsampled"] is True and series["total"] == 2000
    got = series["steps"]
    assert len(got) <= max_points and got[0] == 0 and got[-1] == 1999
    assert max(np.diff(got)) <= 4 * 2000 / max_points, "no hole wider than two buckets"
    assert got == reference(steps, values, max_points), "each bucket's min and max"


async def test_status_reason_set_cleared_and_checked(jp_fetch) -> None:
    _, run = await call(jp_fetch, "POST", "runs", body={"project": "st"})
    assert run["status_reason"] == "" and run["stop_requested"] is False
    code, done = await call(jp_fetch, "PATCH", "runs", run["id"],
                            body={"status": "failed", "status_reason": "ValueError: bad input"})
    assert code == 200 and (done["status"], done["status_reason"]) == ("failed", "ValueError: bad input")
    code, got = await call(jp_fetch, "GET", "runs", run["id"])
    assert got["status_reason"] == "ValueError: bad input"
    code, again = await call(jp_fetch, "PATCH", "runs", run["id"], body={"status": "finished"})
    assert again["status_reason"] == "", "a new status without a reason has none"
    for bad in (3, "x" * 2001, None):
        code, err = await call(jp_fetch, "PATCH", "runs", run["id"], body={"status_reason": bad})
        assert code == 422 and "status_reason" in err["error"]["message"]


async def test_stop_a_running_run(jp_fetch) -> None:
    _, run = await call(jp_fetch, "POST", "runs", body={"project": "stop"})
    code, stopped = await call(jp_fetch, "POST", "runs", run["id"], "stop")
    assert code == 200 and stopped["id"] == run["id"]
    assert (stopped["status"], stopped["stop_requested"]) == ("running", True)
    code, again = await call(jp_fetch, "POST", "runs", run["id"], "stop")
    assert code == 200 and again["stop_requested"] is True
    batch = {"seq": 1, "metrics": {"m": {"steps": [0], "values": [1.0], "timestamps": [1.0]}}}
    code, res = await call(jp_fetch, "POST", "runs", run["id"], "metrics", body=batch)
    assert code == 200 and res["stop_requested"] is True, "the logging process learns it from its next batch"
    code, ended = await call(jp_fetch, "PATCH", "runs", run["id"],
                             body={"status": "killed", "status_reason": "stopped from the lab"})
    assert (ended["status"], ended["status_reason"], ended["stop_requested"]) == ("killed", "stopped from the lab", True)
    code, err = await call(jp_fetch, "POST", "runs", run["id"], "stop")
    assert code == 409 and err["error"]["code"] == "conflict" and "killed" in err["error"]["message"]
    code, err = await call(jp_fetch, "POST", "runs", "f" * 32, "stop")
    assert code == 404 and err["error"]["code"] == "not_found"
