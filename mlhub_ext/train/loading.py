"""Read the table a task trains or evaluates on, wherever the caller put it.

Accepted: a pandas DataFrame; bytes of a Parquet or CSV file; a path to a Parquet, CSV,
JSON, Feather/Arrow file; or an image collection (a folder or a .zip with one sub-folder
per class), read as a table with columns ``image`` (a file path, or the bytes of a zip
member) and ``label`` (the class folder's name).
"""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any, Union

import pandas as pd

from ..core.errors import invalid, quoted

TableSource = Union[pd.DataFrame, bytes, str, os.PathLike]
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def load_table(source: Any) -> pd.DataFrame:
    """The table ``source`` holds (see the module docstring for what is accepted)."""
    if isinstance(source, pd.DataFrame):
        return source
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if data[:4] == b"PAR1":
            return pd.read_parquet(io.BytesIO(data))
        try:
            return pd.read_csv(io.BytesIO(data))
        except (ValueError, UnicodeDecodeError) as exc:
            raise invalid(f"the table bytes are neither Parquet nor CSV: {exc}") from None
    if isinstance(source, (str, os.PathLike)):
        return _read_path(Path(source))
    raise invalid(f"cannot read a table from {type(source).__name__}")


def _read_path(path: Path) -> pd.DataFrame:
    if path.is_dir():
        return image_folder_table(path)
    if not path.is_file():
        raise invalid(f"table file {quoted(str(path))} not found")
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return image_zip_table(path)
    if suffix == ".csv":
        return pd.read_csv(path)
    if suffix in (".json", ".jsonl"):
        return pd.read_json(path, lines=suffix == ".jsonl")
    if suffix in (".feather", ".arrow"):
        return pd.read_feather(path)
    return pd.read_parquet(path)


def image_folder_table(root: Path) -> pd.DataFrame:
    """One row per image file under ``root/<class>/``: its path and its class."""
    rows = [(str(f), sub.name)
            for sub in sorted(p for p in root.iterdir() if p.is_dir())
            for f in sorted(sub.iterdir()) if f.suffix.lower() in IMAGE_SUFFIXES]
    if not rows:
        raise invalid(f"no images found in class sub-folders of {quoted(str(root))}")
    return pd.DataFrame(rows, columns=["image", "label"])


def image_zip_table(path: Path) -> pd.DataFrame:
    """One row per image in a zip (checked by the data layer at upload): bytes and class."""
    rows = []
    with zipfile.ZipFile(path) as zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            parts = PurePosixPath(info.filename).parts
            if (info.is_dir() or len(parts) < 2 or parts[0] == "__MACOSX"
                    or not info.filename.lower().endswith(IMAGE_SUFFIXES)):
                continue
            rows.append((zf.read(info), parts[-2]))
    if not rows:
        raise invalid(f"no images found in class folders of {quoted(path.name)}")
    return pd.DataFrame(rows, columns=["image", "label"])
