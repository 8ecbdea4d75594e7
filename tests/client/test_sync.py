"""`mlhub sync` against a real `mlhub serve`: damaged WALs, and syncs racing short runs."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import mlhub_ext as mh
from mlhub_ext.client.sync import sync_all
from mlhub_ext.client.wal import KIND_METRICS, KIND_PATCH, WALWriter


def _damaged_wal(tracking) -> tuple[str, Path, int, int]:  # type: ignore[no-untyped-def]
    """A finished run's WAL of 15 batches (steps 0-14) whose third batch has a flipped crc byte,
    none of it sent yet. Returns the run id, the WAL, and the third batch's offset and length."""
    assert tracking.api("POST", "projects", json={"name": "damage"}).status_code in (201, 409)
    run_id = tracking.api("POST", "runs", json={"project": "damage"}).json()["id"]
    wal_dir = Path(os.environ["MLHUB_WAL_DIR"])
    wal_dir.mkdir(parents=True, exist_ok=True)
    w = WALWriter(run_id, tracking.url, fsync=False, directory=wal_dir)
    offsets = []
    for step in range(15):
        offsets.append(w.path.stat().st_size)
        w.append(KIND_METRICS, json.dumps({"seq": step + 1, "metrics": {"x": {
            "steps": [step], "values": [float(step)], "timestamps": [time.time()]}}}).encode())
    offsets.append(w.path.stat().st_size)
    w.append(KIND_PATCH, json.dumps({"status": "finished", "_n": 1}).encode())
    w.close(remove=False)
    data = bytearray(w.path.read_bytes())
    data[offsets[2] + 4] ^= 0x01
    w.path.write_bytes(bytes(data))
    return run_id, w.path, offsets[2], offsets[3] - offsets[2]


@pytest.mark.parametrize("how", ["sync_all", "mlhub sync"])
def test_a_damaged_wal_is_delivered_reported_and_kept_aside(tracking, how):  # type: ignore[no-untyped-def]
    run_id, path, offset, length = _damaged_wal(tracking)
    if how == "sync_all":
        summary = sync_all()
    else:
        out = subprocess.run([sys.executable, "-m", "mlhub_ext.cli", "sync"], capture_output=True, text=True,
                             env=dict(os.environ), timeout=60)
        assert out.returncode == 1, "damage is a non-zero exit"
        assert (f"mlhub sync: {path}: {length} damaged bytes at offset {offset} skipped (checksum failed); the "
                f"intact records after them are delivered, and the file is kept aside as {run_id}.wal.damaged "
                "instead of being deleted") in out.stderr
        summary = json.loads(out.stdout)
    assert summary["damaged"] == [{"run": run_id, "file": str(path), "offset": offset, "length": length}]
    assert (summary["batches_sent"], summary["updates_sent"], summary["kept_aside"], summary["removed"]) == (14, 1, 1, 0)
    assert sorted(os.listdir(path.parent)) == [f"{run_id}.ack.damaged", f"{run_id}.wal.damaged"]
    series = tracking.api("GET", f"runs/{run_id}/metrics/x").json()
    assert series["steps"] == [0, 1] + list(range(3, 15)), "the 12 intact batches after the damage arrived"
    assert tracking.api("GET", f"runs/{run_id}").json()["status"] == "finished"
    again = sync_all()
    assert (again["runs"], again["damaged"], again["batches_sent"]) == (0, [], 0)


def test_short_runs_with_a_concurrent_sync_leave_no_file(tracking, monkeypatch):  # type: ignore[no-untyped-def]
    """Every mh.init also starts a background sync; here one more sync loops all the time.
    Earlier, its lock re-created files that finishing runs had just deleted."""
    monkeypatch.setenv("MLHUB_WAL_FSYNC", "0")
    wal_dir = Path(os.environ["MLHUB_WAL_DIR"])
    stop = threading.Event()
    syncs = []
    failures: list[BaseException] = []

    def syncer() -> None:
        while not stop.is_set():
            syncs.append(sync_all())

    def short_runs(k: int) -> None:
        try:
            for i in range(15):
                run = mh.init("short", name=f"{k}-{i}")
                run.log({"x": float(i)})
                assert run.finish(timeout=10)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    background = threading.Thread(target=syncer)
    background.start()
    workers = [threading.Thread(target=short_runs, args=(k,)) for k in range(4)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(120)
    stop.set()
    background.join(30)
    from mlhub_ext.client import fluent

    if fluent._sync_thread is not None:
        fluent._sync_thread.join(30)
    assert failures == []
    assert len(syncs) >= 2 and not any(s["errors"] for s in syncs)
    assert sorted(os.listdir(wal_dir)) == [], "60 finished runs leave no file behind"
