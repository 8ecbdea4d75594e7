"""Image collections: a folder or zip with one subfolder per class of PNG/JPEG images.

:func:`scan_images` checks the layout and reads only each image's header (Pillow opens
lazily) while hashing its bytes, and returns a JSON-safe manifest with counts per
class and the image size distribution. :func:`thumbnail` renders small PNGs and
:func:`load_images` decodes a collection into arrays for training. A single wrapping
folder (``digits/0/a.png``) is accepted; files outside class folders, nested folders,
non-image files and empty class folders are refused with the offending path.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from ..core.errors import invalid, not_found, quoted
from .archives import DEFAULT_LIMITS, ZipLimits, check_members, open_zip

IMAGE_FORMATS = ("PNG", "JPEG")
_IGNORED = ("__MACOSX",)
_CHUNK = 1 << 20


class _Collection:
    """Uniform access to the files of a folder or a zip archive (relative POSIX paths)."""

    def __init__(self, files: list[str], dirs: set[str], opener: Any) -> None:
        self.files = files
        self.dirs = dirs
        self._opener = opener

    def open(self, rel: str) -> IO[bytes]:
        return self._opener(rel)


def _hidden(rel: str) -> bool:
    return any(part.startswith(".") or part in _IGNORED for part in rel.split("/"))


@contextmanager
def open_collection(source: str | os.PathLike[str], limits: ZipLimits = DEFAULT_LIMITS) -> Iterator[_Collection]:
    """Open a folder or zip as a collection of files; zip members are safety-checked first."""
    path = Path(source)
    if not path.exists():
        raise not_found("image collection", str(path))
    if path.is_dir():
        files, dirs = [], set()
        for dirpath, dirnames, filenames in os.walk(path):
            base = Path(dirpath)
            for d in dirnames:
                rel = (base / d).relative_to(path).as_posix()
                if (base / d).is_symlink():
                    raise invalid(f"{rel} is a symbolic link; image collections may not contain links")
                dirs.add(rel)
            for f in filenames:
                full = base / f
                rel = full.relative_to(path).as_posix()
                if full.is_symlink():
                    raise invalid(f"{rel} is a symbolic link; image collections may not contain links")
                files.append(rel)
        yield _Collection(sorted(f for f in files if not _hidden(f)),
                          {d for d in dirs if not _hidden(d)}, lambda rel: open(path / rel, "rb"))
        return
    with open_zip(path) as zf:
        members = check_members(zf, limits)
        names = {m.path: m.name for m in members}
        dirs = {n.rstrip("/").replace("\\", "/") for n in zf.namelist() if n.endswith("/")}
        for m in members:  # parents of files are folders even without directory entries
            parts = m.path.split("/")[:-1]
            dirs.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))

        def opener(rel: str) -> IO[bytes]:
            try:
                return zf.open(names[rel])
            except KeyError:
                raise not_found("image", rel) from None
        yield _Collection(sorted(p for p in names if not _hidden(p)),
                          {d for d in dirs if d and not _hidden(d)}, opener)


def _strip_wrapper(files: list[str]) -> str:
    """The common wrapping folder prefix (``"digits/"``) when every file sits below one."""
    prefix = ""
    while files and all(len(f[len(prefix):].split("/")) >= 3 for f in files):
        firsts = {f[len(prefix):].split("/")[0] for f in files}
        if len(firsts) != 1:
            break
        prefix += firsts.pop() + "/"
    return prefix


def _read_header(coll: _Collection, rel: str) -> dict[str, Any]:
    digest = hashlib.sha256()
    buf = io.BytesIO()
    with coll.open(rel) as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            buf.write(chunk)
    size = buf.tell()
    buf.seek(0)
    try:
        with Image.open(buf) as img:
            fmt, (width, height), mode = img.format, img.size, img.mode
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise invalid(f"{rel} is not a PNG or JPEG image", path=rel) from exc
    if fmt not in IMAGE_FORMATS:
        raise invalid(f"{rel} is a {fmt} image; only PNG and JPEG are supported", path=rel)
    return {"path": rel, "width": width, "height": height, "format": fmt, "mode": mode,
            "bytes": size, "sha256": digest.hexdigest()}


def scan_images(source: str | os.PathLike[str], limits: ZipLimits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Check an image collection and describe it.

    Returns ``{"kind": "images", "root": prefix, "num_images", "classes": {name: count},
    "formats": {fmt: count}, "size_distribution": [{"width","height","count"}],
    "images": [{"path","class","width","height","format","mode","bytes","sha256"}]}``;
    ``path`` is relative to ``source`` (a folder or zip).
    """
    with open_collection(source, limits) as coll:
        if not coll.files:
            raise invalid(f"{Path(source).name} holds no files; expected one folder per class of images")
        prefix = _strip_wrapper(coll.files)
        images: list[dict[str, Any]] = []
        for rel in coll.files:
            parts = rel[len(prefix):].split("/")
            if len(parts) == 1:
                raise invalid(f"{rel} is not inside a class folder; put each image in a folder named "
                              "after its class", path=rel)
            if len(parts) > 2:
                raise invalid(f"{rel} is in a nested folder; use exactly one folder level per class", path=rel)
            entry = _read_header(coll, rel)
            entry["class"] = parts[0]
            images.append(entry)
        class_dirs = {d[len(prefix):] for d in coll.dirs if d.startswith(prefix) and d != prefix.rstrip("/")}
        counts = Counter(img["class"] for img in images)
        empty = sorted(d for d in class_dirs if "/" not in d and d not in counts)
        if empty:
            raise invalid(f"class folder {quoted(empty[0])} holds no images", path=prefix + empty[0])
    sizes = Counter((img["width"], img["height"]) for img in images)
    return {
        "kind": "images", "root": prefix, "num_images": len(images),
        "classes": dict(sorted(counts.items())),
        "formats": dict(Counter(img["format"] for img in images)),
        "size_distribution": [{"width": w, "height": h, "count": c} for (w, h), c in sizes.most_common()],
        "images": images,
    }


def _open_image(coll: _Collection, rel: str) -> Image.Image:
    with coll.open(rel) as fh:
        data = fh.read()
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def thumbnail(source: str | os.PathLike[str], path: str, size: int = 64) -> bytes:
    """A PNG (bytes) of the image ``path`` in ``source``, at most ``size`` pixels a side."""
    with open_collection(source) as coll:
        return _thumbnail_bytes(_open_image(coll, path), size)


def _thumbnail_bytes(img: Image.Image, size: int) -> bytes:
    if img.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
        img = img.convert("RGB")
    img.thumbnail((size, size))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def class_thumbnails(manifest: dict[str, Any], source: str | os.PathLike[str], per_class: int = 4,
                     size: int = 64) -> dict[str, list[dict[str, str]]]:
    """Up to ``per_class`` thumbnails per class: ``{class: [{"path", "png_base64"}]}``."""
    picked: dict[str, list[str]] = {}
    for img in manifest["images"]:
        chosen = picked.setdefault(img["class"], [])
        if len(chosen) < per_class:
            chosen.append(img["path"])
    with open_collection(source) as coll:
        return {cls: [{"path": p, "png_base64": base64.b64encode(
            _thumbnail_bytes(_open_image(coll, p), size)).decode("ascii")} for p in paths]
            for cls, paths in picked.items()}


def load_images(manifest: dict[str, Any], source: str | os.PathLike[str],
                size: tuple[int, int] | None = None, mode: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Decode every image of a scanned collection into ``(X, y)``.

    ``X`` is uint8 with shape ``(n, height, width)`` or ``(n, height, width, channels)``;
    ``y`` holds the class names. ``size=(width, height)`` resizes; ``mode`` (``"L"``,
    ``"RGB"``) converts. Images of different sizes need ``size``.
    """
    images = manifest["images"]
    if not images:
        raise invalid("the manifest lists no images")
    if size is None and len({(i["width"], i["height"]) for i in images}) > 1:
        shapes = sorted({f"{i['width']}x{i['height']}" for i in images})
        raise invalid(f"images differ in size ({', '.join(shapes[:5])}); pass size=(width, height)")
    if mode is None and len({i["mode"] for i in images}) > 1:
        mode = "RGB"
    arrays = []
    with open_collection(source) as coll:
        for entry in images:
            img = _open_image(coll, entry["path"])
            if mode is not None and img.mode != mode:
                img = img.convert(mode)
            if size is not None and img.size != tuple(size):
                img = img.resize(tuple(size))
            arrays.append(np.asarray(img, dtype=np.uint8))
    return np.stack(arrays), np.array([i["class"] for i in images])
