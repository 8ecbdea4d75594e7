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
the guarantee in docs/tracking.md promises. A damaged record with intact records after
it (a flipped bit on disk, not a crash) is skipped and reported as :class:`Damage`; the
records after it are read on (each carries its length, and the reader finds the next
whole record even past a damaged length).

While a process writes a run's WAL it holds an exclusive ``flock`` on it, so
``mlhub sync`` leaves live runs alone. A WAL is created under a temporary name
(``.<stem>.<random>.wal-new``), locked and given its header there, and only then linked
to its ``.wal`` name: a sync never sees, locks or removes a WAL that has no header yet,
and opening a WAL to lock it never creates one.
"""
from __future__ import annotations

import json
import os
import secrets
import socket
import struct
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..core.errors import ErrorCode, MLHubError

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


_KINDS = frozenset({b"H", b"M", b"P"})
NEW_SUFFIX = ".wal-new"   # a WAL being created (see the module docstring)


@dataclass(frozen=True)
class Damage:
    """Bytes of a WAL that are not a whole record although whole records follow them."""

    offset: int     # byte offset in the file where the damaged bytes start
    length: int     # how many bytes were skipped


@dataclass
class Scan:
    """Every whole record of a WAL, what was skipped between them, and where a torn tail starts."""

    records: list[tuple[int, bytes, bytes]]   # (offset, kind, payload)
    damage: list[Damage]
    end: int    # end of the last whole record: a torn tail (if any) starts here


def _record_at(data: bytes, pos: int) -> int | None:
    """The end offset of the whole, intact record starting at ``pos``; None if there is none."""
    if pos + _HEAD.size > len(data):
        return None
    length, crc = _HEAD.unpack_from(data, pos)
    start = pos + _HEAD.size
    if length == 0 or start + length > len(data) or data[start:start + 1] not in _KINDS:
        return None
    if zlib.crc32(data[start:start + length]) != crc:
        return None
    return start + length


def _next_record(data: bytes, pos: int) -> int | None:
    """The offset of the first intact record after the bad one at ``pos``, or None."""
    length, _ = _HEAD.unpack_from(data, pos)
    after = pos + _HEAD.size + length     # where it ends if only its body is damaged
    if after < len(data) and _record_at(data, after) is not None:
        return after
    for cand in range(pos + 1, len(data) - _HEAD.size):   # its length is damaged too: search
        if _record_at(data, cand) is not None:
            return cand
    return None


def scan_records(path: Path) -> Scan:
    """Read a whole WAL: intact records in order, damaged stretches skipped, the torn tail left out."""
    data = path.read_bytes()
    records: list[tuple[int, bytes, bytes]] = []
    damage: list[Damage] = []
    pos = end = 0
    while pos + _HEAD.size <= len(data):
        stop = _record_at(data, pos)
        if stop is None:
            nxt = _next_record(data, pos)
            if nxt is None:
                break   # nothing whole follows: a torn tail, the normal trace of a crash
            damage.append(Damage(pos, nxt - pos))
            pos = nxt
            continue
        records.append((pos, data[pos + _HEAD.size:pos + _HEAD.size + 1], data[pos + _HEAD.size + 1:stop]))
        pos = end = stop
    return Scan(records, damage, end)


def read_records(path: Path) -> Iterator[tuple[bytes, bytes]]:
    """Yield ``(kind, payload)`` of every intact record (see :func:`scan_records`)."""
    for _, kind, payload in scan_records(path).records:
        yield kind, payload


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
        self._dirty = False
        # Created, locked and given its header under a name no sync looks at, then linked
        # to its real name: a sync can neither lock it first nor find it without a header.
        tmp = folder / f".{stem}.{secrets.token_hex(4)}{NEW_SUFFIX}"
        # Unbuffered: each record is one write() to the OS, so a killed process
        # leaves whole records behind (or one torn tail record).
        self._file = open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644),
                          "ab", buffering=0)
        try:
            if fcntl is not None:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            header = {"run": run_id, "url": url, "pid": os.getpid(),
                      "host": socket.gethostname(), "created": time.time(), **(header or {})}
            self.append(KIND_HEADER, json.dumps(header).encode())
            self.sync()
            _publish(tmp, self.path)
        except BaseException:
            self._file.close()
            tmp.unlink(missing_ok=True)
            raise
        self._acks = open(self.ack_path, "ab", buffering=0)
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


def _publish(tmp: Path, path: Path) -> None:
    """Give the new WAL at ``tmp`` its name ``path`` (never over another run's records)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        # Only a leftover without any record may be replaced (an old version's empty file).
        if scan_records(path).records:
            raise MLHubError(ErrorCode.CONFLICT, f"the write-ahead log {path} already holds records of "
                                                 "another process; move it away or run `mlhub sync`") from None
        os.replace(tmp, path)
        return
    except OSError:   # a file system without hard links
        os.replace(tmp, path)
        return
    os.unlink(tmp)


@dataclass
class PendingLog:
    """What a WAL holds that the server has not acknowledged."""

    path: Path
    header: dict[str, Any]
    batches: list[tuple[int, bytes]] = field(default_factory=list)   # (seq, POST body)
    patches: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    finished: bool = False      # a PATCH with a final status was written
    damage: list[Damage] = field(default_factory=list)   # skipped, with intact records after them
    records: int = 0            # whole records read (0: an empty leftover holding nothing)
    end: int = 0                # end of the last whole record (a torn tail starts here)

    @property
    def run_id(self) -> str:
        return str(self.header.get("run") or self.path.stem)


def pending_batches(path: Path) -> PendingLog:
    """Read one WAL and its acks; return the records still to send, in order."""
    acks = read_acks(path.with_suffix(".ack"))
    done_m = acks["m"] | acks["r"]
    scan = scan_records(path)
    log = PendingLog(path=path, header={}, damage=scan.damage, records=len(scan.records), end=scan.end)
    for _, kind, payload in scan.records:
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
    """Open ``path`` and take its lock without waiting; None if a live process holds it or
    it is gone. Never creates the file (a writer that just removed it stays removed)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND)
    except FileNotFoundError:
        return None
    handle = open(fd, "ab", buffering=0)
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


def append_after(handle: Any, end: int, record: bytes) -> None:
    """Append ``record`` to a locked WAL whose last whole record ends at ``end``, cutting a
    torn tail first (so that the record is not read as coming after damage)."""
    if os.fstat(handle.fileno()).st_size > end:
        os.truncate(handle.fileno(), end)
    handle.write(record)
    os.fsync(handle.fileno())


def remove_stale_new(folder: Path, min_age: float = 60.0) -> int:
    """Remove WALs left half-created by a process that died before naming them (they hold
    at most a header, never a batch; a writer names its WAL within milliseconds, so only
    files older than ``min_age`` seconds are looked at); returns how many."""
    removed = 0
    for tmp in folder.glob(f".*{NEW_SUFFIX}"):
        try:
            if time.time() - tmp.stat().st_mtime < min_age:
                continue
        except FileNotFoundError:
            continue
        handle = try_lock(tmp)
        if handle is None:
            continue    # its writer is alive and about to name it
        try:
            tmp.unlink(missing_ok=True)
            removed += 1
        finally:
            handle.close()
    return removed
