"""The local write-ahead log of a run: every batch is on disk before it is sent.

One run keeps two files in the WAL directory (``$MLHUB_WAL_DIR``, else
``<jupyter data dir>/mlhub/wal``):

- ``<run id>.wal`` (``<run id>-<writer>.wal`` for a process that attached to a run
  started elsewhere, see ``mh.attach``): records, each ``<u32 length><u32 crc32>`` (little endian) then a
  one-byte kind and a JSON payload. Kinds: ``H`` header (run id, server URL, pid,
  host), ``M`` a metrics batch (exactly the body of ``POST /runs/{id}/metrics``, with
  its ``seq``), ``P`` a run update (the body of ``PATCH /runs/{id}``, with a local
  ``"_n"`` ordinal; keys starting with ``_`` are local and stripped before sending).
- ``<run id>.ack``: lines ``m <seq>`` / ``p <n>`` / ``r <seq>`` (rejected by the server,
  never resent), appended once the server answered.

A record cut short by a crash (short read or bad checksum at the tail) ends the log:
it was never acknowledged and its points were still in memory, so nothing is lost that
the guarantee in docs/tracking.md promises. While a process writes a run's WAL it holds
an exclusive ``flock`` on it, so ``mlhub sync`` leaves live runs alone.
"""
from __future__ import annotations

import json
import os
import socket
import struct
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; sync may race a live run there
    fcntl = None  # type: ignore[assignment]

_HEAD = struct.Struct("<II")
KIND_HEADER, KIND_METRICS, KIND_PATCH = b"H", b"M", b"P"


def wal_dir() -> Path:
    """The folder holding WAL files (created on demand)."""
    env = os.environ.get("MLHUB_WAL_DIR")
    if env:
        path = Path(env)
    else:
        from jupyter_core.paths import jupyter_data_dir

        path = Path(jupyter_data_dir()) / "mlhub" / "wal"
    path.mkdir(parents=True, exist_ok=True)
    return path


def encode_record(kind: bytes, payload: bytes) -> bytes:
    body = kind + payload
    return _HEAD.pack(len(body), zlib.crc32(body)) + body


def read_records(path: Path) -> Iterator[tuple[bytes, bytes]]:
    """Yield ``(kind, payload)`` of every whole record; stop at a torn or corrupt tail."""
    data = path.read_bytes()
    pos, end = 0, len(data)
    while pos + _HEAD.size <= end:
        length, crc = _HEAD.unpack_from(data, pos)
        start = pos + _HEAD.size
        body = data[start:start + length]
        if len(body) < length or zlib.crc32(body) != crc or not body:
            return
        yield body[:1], body[1:]
        pos = start + length


def read_acks(path: Path) -> dict[str, set[int]]:
    """Acknowledged ordinals by kind (``m``, ``p``, ``r``); a torn last line is ignored."""
    acks: dict[str, set[int]] = {"m": set(), "p": set(), "r": set()}
    try:
        text = path.read_text("ascii", errors="replace")
    except FileNotFoundError:
        return acks
    lines = text.split("\n")
    if not text.endswith("\n"):
        lines = lines[:-1]   # torn last line
    for line in lines:
        kind, _, num = line.partition(" ")
        if kind in acks and num.isdigit():
            acks[kind].add(int(num))
    return acks


class WALWriter:
    """Appends records of one run; owns the run's lock until :meth:`close`."""

    def __init__(self, run_id: str, url: str, fsync: bool | None = None,
                 directory: Path | None = None, writer: str = "",
                 header: dict[str, Any] | None = None) -> None:
        folder = directory or wal_dir()
        stem = f"{run_id}-{writer}" if writer else run_id
        self.path = folder / f"{stem}.wal"
        self.ack_path = folder / f"{stem}.ack"
        self.fsync = fsync if fsync is not None else os.environ.get("MLHUB_WAL_FSYNC", "1") != "0"
        # Unbuffered: each record is one write() to the OS, so a killed process
        # leaves whole records behind (or one torn tail record).
        self._file = open(self.path, "ab", buffering=0)
        if fcntl is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._acks = open(self.ack_path, "ab", buffering=0)
        self._dirty = False
        if self._file.tell() == 0:
            header = {"run": run_id, "url": url, "pid": os.getpid(),
                      "host": socket.gethostname(), "created": time.time(), **(header or {})}
            self.append(KIND_HEADER, json.dumps(header).encode())
            self.sync()
            if self.fsync:   # make the new file's directory entry durable too
                dir_fd = os.open(folder, os.O_RDONLY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)

    def append(self, kind: bytes, payload: bytes) -> None:
        self._file.write(encode_record(kind, payload))
        self._dirty = True

    def sync(self) -> None:
        """fsync the log if enabled and anything was written since the last call."""
        if self.fsync and self._dirty:
            os.fsync(self._file.fileno())
        self._dirty = False

    def ack(self, kind: str, num: int) -> None:
        self._acks.write(f"{kind} {num}\n".encode())

    def close(self, remove: bool) -> None:
        """Release the lock; ``remove`` deletes both files (everything was acknowledged)."""
        if remove:
            for p in (self.path, self.ack_path):
                try:
                    p.unlink()
                except FileNotFoundError:
                    pass
        self._acks.close()
        self._file.close()


@dataclass
class PendingLog:
    """What a WAL holds that the server has not acknowledged."""

    path: Path
    header: dict[str, Any]
    batches: list[tuple[int, bytes]] = field(default_factory=list)   # (seq, POST body)
    patches: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    finished: bool = False      # a PATCH with a final status was written

    @property
    def run_id(self) -> str:
        return str(self.header.get("run") or self.path.stem)


def pending_batches(path: Path) -> PendingLog:
    """Read one WAL and its acks; return the records still to send, in order."""
    acks = read_acks(path.with_suffix(".ack"))
    done_m = acks["m"] | acks["r"]
    log = PendingLog(path=path, header={})
    for kind, payload in read_records(path):
        if kind == KIND_HEADER:
            log.header = json.loads(payload)
        elif kind == KIND_METRICS:
            seq = json.loads(payload)["seq"]
            if seq not in done_m:
                log.batches.append((seq, payload))
        elif kind == KIND_PATCH:
            body = json.loads(payload)
            if body.get("status") not in (None, "running") or body.get("_detached"):
                log.finished = True
            n = body["_n"]
            body = {k: v for k, v in body.items() if not k.startswith("_")}
            if n not in acks["p"]:
                log.patches.append((n, body))
    return log


def try_lock(path: Path) -> Any | None:
    """Open ``path`` and take its lock without waiting; None if a live process holds it."""
    try:
        handle = open(path, "ab", buffering=0)
    except FileNotFoundError:
        return None
    if fcntl is not None:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return None
    if os.fstat(handle.fileno()).st_nlink == 0:   # removed by its finishing writer meanwhile
        handle.close()
        return None
    return handle
