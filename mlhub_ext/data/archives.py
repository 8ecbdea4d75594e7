"""Safe reading and extraction of zip archives.

Every member is checked before a single byte is written: no absolute paths or ``..``
components (zip-slip), no symlinks, no encrypted members, and limits on the total
uncompressed size, the number of members and the compression ratio (zip bombs).
Extraction goes to a temporary sibling folder that is renamed into place only when
everything succeeded, so a failure never leaves a half-extracted tree behind.
"""
from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..core.errors import ErrorCode, MLHubError, conflict, invalid, quoted

GiB = 1024 ** 3
MiB = 1024 ** 2


@dataclass(frozen=True)
class ZipLimits:
    """Limits applied to an archive before and during extraction.

    ``max_ratio`` is checked for the archive as a whole and for each member larger
    than ``ratio_min_bytes`` (tiny members of repeated bytes compress legitimately well).
    """

    max_total_bytes: int = 2 * GiB
    max_ratio: float = 100.0
    max_members: int = 100_000
    ratio_min_bytes: int = 1 * MiB


DEFAULT_LIMITS = ZipLimits()


@dataclass(frozen=True)
class ZipMember:
    """A regular file inside a checked archive; ``path`` is a safe relative POSIX path."""

    path: str
    size: int
    compressed_size: int
    name: str  # the name as stored in the archive, for ZipFile.open


def _too_large(message: str) -> MLHubError:
    return MLHubError(ErrorCode.TOO_LARGE, message)


def safe_member_path(name: str) -> str | None:
    """Return a safe relative path for a member name, ``None`` for a directory entry.

    Raises ``MLHubError(INVALID)`` for absolute paths, drive letters and ``..``.
    """
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        raise invalid(f"archive member {quoted(name)} has an absolute path; refusing to extract (zip-slip)")
    parts = [p for p in unified.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise invalid(f"archive member {quoted(name)} points outside the archive with '..'; refusing to extract (zip-slip)")
    if unified.endswith("/") or not parts:
        return None
    return str(PurePosixPath(*parts))


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    # Unix mode bits live in the high 16 bits of external_attr when created on Unix.
    mode = info.external_attr >> 16
    return info.create_system == 3 and stat.S_ISLNK(mode)


def open_zip(path: str | os.PathLike[str]) -> zipfile.ZipFile:
    """Open ``path`` as a zip file, turning a damaged archive into ``MLHubError(INVALID)``."""
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise invalid(f"{Path(path).name} is not a readable zip archive: {exc}") from exc


def check_members(zf: zipfile.ZipFile, limits: ZipLimits = DEFAULT_LIMITS) -> list[ZipMember]:
    """Check every member of an open archive and return its regular files.

    Raises ``MLHubError`` with code INVALID (zip-slip, symlink, encrypted, duplicate)
    or TOO_LARGE (size, member count or ratio limits).
    """
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise _too_large(f"archive has {len(infos)} members, more than the limit of {limits.max_members}")
    members: list[ZipMember] = []
    seen: set[str] = set()
    total = compressed = 0
    for info in infos:
        rel = safe_member_path(info.filename)
        if _is_symlink(info):
            raise invalid(f"archive member {quoted(info.filename)} is a symbolic link; links are not allowed in archives")
        if rel is None:
            continue
        if info.flag_bits & 0x1:
            raise invalid(f"archive member {quoted(info.filename)} is encrypted; upload an unencrypted archive")
        if rel in seen:
            raise invalid(f"archive has the member {quoted(rel)} twice")
        seen.add(rel)
        total += info.file_size
        compressed += info.compress_size
        if total > limits.max_total_bytes:
            raise _too_large(
                f"archive expands to more than {limits.max_total_bytes} bytes (limit); refusing (zip bomb?)")
        if info.file_size >= limits.ratio_min_bytes:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise _too_large(
                    f"archive member {quoted(info.filename)} has compression ratio {ratio:.0f}:1, "
                    f"above the limit of {limits.max_ratio:.0f}:1 (zip bomb?)")
        members.append(ZipMember(rel, info.file_size, info.compress_size, info.filename))
    if total >= limits.ratio_min_bytes and total / max(compressed, 1) > limits.max_ratio:
        raise _too_large(
            f"archive has compression ratio {total / max(compressed, 1):.0f}:1, "
            f"above the limit of {limits.max_ratio:.0f}:1 (zip bomb?)")
    return members


def inspect_zip(path: str | os.PathLike[str], limits: ZipLimits = DEFAULT_LIMITS) -> list[ZipMember]:
    """Open and check an archive without extracting it; returns its regular files."""
    with open_zip(path) as zf:
        return check_members(zf, limits)


def _copy_member(zf: zipfile.ZipFile, member: ZipMember, target: Path, budget: int) -> int:
    """Copy one member, counting real bytes so lying headers cannot exceed the budget."""
    written = 0
    with zf.open(member.name) as src, \
            open(target, "wb") as dst:
        while chunk := src.read(MiB):
            written += len(chunk)
            if written > member.size or written > budget:
                raise _too_large(f"archive member {quoted(member.path)} expands beyond its declared size; refusing")
            dst.write(chunk)
    return written


def safe_extract(
    path: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    limits: ZipLimits = DEFAULT_LIMITS,
) -> Path:
    """Extract the archive at ``path`` into the new folder ``dest`` and return it.

    All members are checked first (see :func:`check_members`); files are written to a
    temporary folder next to ``dest`` and moved into place with one rename. ``dest``
    must not exist or be an empty folder. On any error nothing is left behind.
    """
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise conflict(f"extraction target {dest} already exists and is not empty")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.extract-", dir=dest.parent))
    try:
        with open_zip(path) as zf:
            members = check_members(zf, limits)
            budget = limits.max_total_bytes
            for member in members:
                target = tmp.joinpath(*member.path.split("/"))
                # Defence in depth: the resolved target must stay inside tmp.
                if not target.resolve().is_relative_to(tmp.resolve()):
                    raise invalid(f"archive member {quoted(member.path)} escapes the extraction folder")
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    budget -= _copy_member(zf, member, target, budget)
                except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
                    raise invalid(f"archive member {quoted(member.path)} is damaged: {exc}") from exc
        if dest.exists():
            dest.rmdir()
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest
