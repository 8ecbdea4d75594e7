"""A real small file system for the storage-fault tests: a tmpfs of a few MiB mounted on
a test's folder (needs root, or CAP_SYS_ADMIN; tests skip with the reason otherwise), which
can be grown or remounted read-only while a server writes to it."""
from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

MiB = 1 << 20


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)


def cannot_mount_reason(probe: Path) -> str | None:
    """None when a tmpfs can be mounted here, else why not (for a skip message)."""
    if shutil.which("mount") is None:
        return "no mount command on this machine"
    probe.mkdir(parents=True, exist_ok=True)
    out = _mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe))
    if out.returncode != 0:
        return f"cannot mount a tmpfs here ({out.stderr.strip() or out.returncode}); needs root"
    subprocess.run(["umount", str(probe)], capture_output=True, timeout=30)
    return None


@contextmanager
def small_tmpfs(path: Path, size_mib: int) -> Iterator[Path]:
    """Mount a tmpfs of ``size_mib`` MiB on ``path`` (created) for the duration of the block."""
    reason = cannot_mount_reason(path.parent / f".{path.name}-probe")
    if reason:
        pytest.skip(reason)
    path.mkdir(parents=True, exist_ok=True)
    out = _mount("-t", "tmpfs", "-o", f"size={size_mib}m", "tmpfs", str(path))
    assert out.returncode == 0, out.stderr
    try:
        yield path
    finally:
        # lazy: a server thread may still hold a file open while the fixture ends
        subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30)


def remount(path: Path, *, size_mib: int | None = None, read_only: bool | None = None) -> None:
    """Grow/shrink the tmpfs, or make it read-only / writable again, while it is in use."""
    opts = ["remount"]
    if size_mib is not None:
        opts.append(f"size={size_mib}m")
    if read_only is not None:
        opts.append("ro" if read_only else "rw")
    out = _mount("-o", ",".join(opts), str(path))
    assert out.returncode == 0, out.stderr


def free_bytes(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def files_under(path: Path) -> list[str]:
    """Every regular file under ``path``, relative, sorted."""
    return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())
