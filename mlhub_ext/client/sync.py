"""``mlhub sync``: send what runs left unacknowledged in the write-ahead log.

Safe to run at any time: runs whose logging process is alive hold a lock on their WAL
and are skipped; batches carry their ``seq``, so a batch the server already applied is
acknowledged as a duplicate and not stored twice.

A WAL with damaged records (see :mod:`.wal`) has its intact records delivered; each
damaged stretch is reported (file, byte offset, length) in the summary's ``damaged``
and as a warning, and once the run is done the files are kept aside as
``<name>.wal.damaged`` / ``<name>.ack.damaged`` instead of being deleted.
"""
from __future__ import annotations

import json
import logging
import os
import socket
from pathlib import Path
from typing import Any

from ..core.errors import ErrorCode, MLHubError
from . import config
from .flusher import WireFormat
from .http import TRANSIENT, HTTPClient
from .wal import (KIND_PATCH, PendingLog, append_after, encode_record, pending_batches, remove_stale_new, try_lock,
                  wal_dir)

_logger = logging.getLogger("mlhub_ext.client")
DAMAGED_SUFFIX = ".damaged"


def sync_all(conn: config.Connection | None = None, directory: Path | None = None) -> dict[str, Any]:
    """Sync every WAL in ``directory`` (default: the WAL folder) to the server.

    Returns counts: ``runs`` looked at, ``batches_sent``, ``duplicates`` (already stored),
    ``updates_sent``, ``runs_closed`` (crashed runs marked ``killed``), ``removed`` (WALs
    fully delivered, or empty leftovers, deleted), ``skipped_live``, ``errors``
    (``[{run, error}]``), ``damaged`` (``[{run, file, offset, length}]``: bytes skipped
    in a WAL although intact records followed) and ``kept_aside`` (damaged WALs renamed
    to ``*.wal.damaged`` once delivered).
    """
    http = HTTPClient(conn or config.resolve(), timeout=30.0)
    folder = directory or wal_dir()
    summary: dict[str, Any] = {"runs": 0, "batches_sent": 0, "duplicates": 0, "points": 0,
                               "updates_sent": 0, "runs_closed": 0, "removed": 0,
                               "skipped_live": 0, "errors": [], "damaged": [], "kept_aside": 0}
    wire = WireFormat()
    remove_stale_new(folder)
    try:
        for path in sorted(folder.glob("*.wal")):
            handle = try_lock(path)
            if handle is None:
                summary["skipped_live"] += 1
                continue
            summary["runs"] += 1
            try:
                _sync_one(http, path, handle, summary, wire)
            except MLHubError as exc:
                summary["errors"].append({"run": path.stem, "error": exc.message,
                                          "code": exc.code.value})
            finally:
                handle.close()
    finally:
        http.close()
    return summary


def _sync_one(http: HTTPClient, path: Path, handle: Any, summary: dict[str, Any],
              wire: WireFormat) -> None:
    pending = pending_batches(path)
    run_id = pending.run_id
    ack_path = path.with_suffix(".ack")
    if not pending.records and not pending.damage:
        # An empty leftover (older versions re-created files their writer had removed).
        path.unlink(missing_ok=True)
        ack_path.unlink(missing_ok=True)
        summary["removed"] += 1
        return
    _report_damage(path, pending, summary)
    with open(ack_path, "ab", buffering=0) as acks:
        for seq, body in pending.batches:
            try:
                answer = wire.post(http, run_id, body) or {}
            except MLHubError as exc:
                if exc.code in TRANSIENT or exc.code == ErrorCode.NOT_FOUND:
                    raise   # keep everything for a later sync
                acks.write(f"r {seq}\n".encode())
                summary["errors"].append({"run": run_id, "error": exc.message,
                                          "code": exc.code.value, "seq": seq})
                continue
            acks.write(f"m {seq}\n".encode())
            if answer.get("duplicate"):
                summary["duplicates"] += 1
            else:
                summary["batches_sent"] += 1
                summary["points"] += int(answer.get("accepted", 0))
        patches = list(pending.patches)
        if pending.header.get("attached"):
            # A helper process: the run's owner sets the status; its WAL goes once delivered
            # and the helper detached or died.
            pending.finished = pending.finished or _owner_gone({**pending.header, "attached": False})
        elif not pending.finished and _owner_gone(pending.header):
            # The process that logged this run died without finishing it.
            n = max([n for n, _ in patches] + [_last_patch_n(path)]) + 1
            body = {"status": "killed", "status_reason": FOUND_BY_SYNC}
            append_after(handle, pending.end, encode_record(KIND_PATCH, json.dumps({**body, "_n": n}).encode()))
            patches.append((n, body))
            summary["runs_closed"] += 1
            pending.finished = True
        for n, body in patches:
            http.patch(f"runs/{run_id}", json=body)
            acks.write(f"p {n}\n".encode())
            summary["updates_sent"] += 1
    if pending.finished and pending.damage:
        # Kept for a person to look at: the damaged bytes may hold points no one else has.
        for p in (path, ack_path):
            if p.exists():
                os.replace(p, p.with_name(p.name + DAMAGED_SUFFIX))
        summary["kept_aside"] += 1
    elif pending.finished:
        path.unlink(missing_ok=True)
        ack_path.unlink(missing_ok=True)
        summary["removed"] += 1


def _report_damage(path: Path, pending: PendingLog, summary: dict[str, Any]) -> None:
    for d in pending.damage:
        summary["damaged"].append({"run": pending.run_id, "file": str(path), "offset": d.offset,
                                   "length": d.length})
        _logger.warning("mlhub sync: %s: %d damaged bytes at offset %d skipped (checksum failed); the "
                        "intact records after them are delivered, and the file is kept aside as %s%s "
                        "instead of being deleted", path, d.length, d.offset, path.name, DAMAGED_SUFFIX)


FOUND_BY_SYNC = "process ended without finish() (found by sync)"


def _last_patch_n(path: Path) -> int:
    from .wal import read_records

    last = 0
    for kind, payload in read_records(path):
        if kind == KIND_PATCH:
            last = max(last, int(json.loads(payload).get("_n", 0)))
    return last


def _owner_gone(header: dict[str, Any]) -> bool:
    """True when the logging process is known dead: same host, pid no longer running."""
    if header.get("attached") or header.get("host") != socket.gethostname():
        return False
    pid = header.get("pid")
    if not isinstance(pid, int):
        return False
    if pid == os.getpid():
        return False
    return not config._pid_alive(pid)
