"""Images as arrays for the CNN: decode, size and stack them.

An image table has one image column (encoded PNG/JPEG bytes, a path to such a file, or a
nested list / array of pixels) and a label column. A table of pixel columns only (such as
scikit-learn's digits as 64 columns) is read as square grayscale images. Arrays come out
as float32 ``(N, C, H, W)`` scaled to [0, 1].
"""
from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import invalid, quoted
from .specs import require_torch
from .tabular import check_target, infer_task, to_python, _sort_key


@dataclass
class PreparedImages:
    """Images and labels ready for the CNN."""

    X: np.ndarray
    y: np.ndarray
    input_schema: list[dict[str, Any]]
    task: str
    classes: list[Any] | None


def is_image_value(value: Any) -> bool:
    """Whether a cell holds an image (bytes, a pixel array, or a path to an image file)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return True
    if isinstance(value, dict) and "bytes" in value:
        return True
    if isinstance(value, np.ndarray):
        return value.ndim in (2, 3)
    if isinstance(value, list):
        return bool(value) and isinstance(value[0], (list, np.ndarray))
    if isinstance(value, str):
        return value.lower().endswith((".png", ".jpg", ".jpeg", ".bmp", ".gif")) and os.path.isfile(value)
    return False


def find_image_column(df: pd.DataFrame, target: str) -> str | None:
    """The one column (besides the target) whose first cell is an image, if any."""
    for col in df.columns:
        if col != target and len(df) and is_image_value(df[col].iloc[0]):
            return str(col)
    return None


def decode_image(value: Any, channels: int | None = None,
                 size: tuple[int, int] | None = None) -> np.ndarray:
    """One image as float32 ``(C, H, W)`` in [0, 1], converted and resized as asked."""
    if isinstance(value, dict):
        value = value["bytes"]
    if isinstance(value, str):
        with open(value, "rb") as fh:
            value = fh.read()
    if isinstance(value, (bytes, bytearray, memoryview)):
        arr = _decode_bytes(bytes(value), channels)
    else:
        raw = np.asarray(value)
        arr = raw.astype(np.float32)
        if arr.ndim == 2:
            arr = arr[None]
        elif arr.ndim == 3 and arr.shape[-1] in (1, 3, 4) and (
                arr.shape[0] not in (1, 3, 4) or arr.shape[-1] < arr.shape[0]):
            arr = arr.transpose(2, 0, 1)      # HWC (as Pillow and the data layer give) -> CHW
        if arr.ndim != 3:
            raise invalid(f"an image must be 2-D or 3-D pixels, got shape {list(arr.shape)}")
        if raw.dtype == np.uint8:
            arr = arr / 255.0
        elif arr.size and arr.max() > 1.0:
            arr = arr / (255.0 if arr.max() > 16.0 else 16.0)  # 8-bit, or digits' 0..16
        if channels is not None and arr.shape[0] != channels:
            arr = _convert_channels(arr, channels)
    if size is not None and tuple(arr.shape[1:]) != tuple(size):
        arr = _resize(arr, size)
    return arr.astype(np.float32)


def prepare_images(df: pd.DataFrame, target: str, *, image_column: str | None = None,
                   image_size: list[int] | None = None, task: str | None = None
                   ) -> PreparedImages:
    """Images and labels from a table; all images are brought to one size and mode."""
    check_target(df, target)
    y_raw = df[target]
    if int(y_raw.isna().sum()):
        raise invalid(f"target column {quoted(target)} has missing values")
    task = task or infer_task(y_raw)
    col = image_column or find_image_column(df, target)
    if col is not None:
        if col not in df.columns:
            raise invalid(f"image column {quoted(col)} not found; available columns: "
                          f"{[str(c) for c in df.columns]}")
        first = decode_image(df[col].iloc[0])
        channels = first.shape[0]
        size = tuple(image_size) if image_size else tuple(first.shape[1:])
        X = np.stack([decode_image(v, channels, size) for v in df[col]])
        name = str(col)
    else:
        X = _pixel_columns(df.drop(columns=[target]), image_size)
        name = "image"
    schema = [{"name": name, "dtype": "image", "shape": list(X.shape[1:])}]
    if task == "classification":
        y = np.asarray(y_raw.to_numpy())
        classes = sorted({to_python(v) for v in y}, key=_sort_key)
    else:
        y = y_raw.to_numpy(dtype=float)
        classes = None
    return PreparedImages(X=X, y=y, input_schema=schema, task=task, classes=classes)


def _pixel_columns(features: pd.DataFrame, image_size: list[int] | None) -> np.ndarray:
    non_numeric = [str(c) for c in features.columns
                   if not pd.api.types.is_numeric_dtype(features[c])]
    if non_numeric:
        raise invalid(f"no image column found and column(s) {non_numeric} are not pixels; "
                      "name the image column with image_column")
    n = features.shape[1]
    if image_size:
        h, w = image_size
    else:
        h = w = int(math.isqrt(n))
    if h * w != n:
        raise invalid(f"{n} pixel columns do not make a {h}x{w} image; set image_size")
    arr = features.to_numpy(dtype=np.float32).reshape(len(features), 1, h, w)
    top = float(arr.max()) if arr.size else 0.0
    if top > 1.0:
        arr = arr / (255.0 if top > 16.0 else 16.0)
    return arr


def _decode_bytes(data: bytes, channels: int | None) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise invalid(f"could not decode an image: {exc}") from None
    mode = {1: "L", 3: "RGB"}.get(channels or 0)
    if mode is None:
        mode = "L" if img.mode in ("L", "1", "I", "I;16", "F", "P") and _is_gray(img) else "RGB"
    arr = np.asarray(img.convert(mode), dtype=np.float32) / 255.0
    return arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1)


def _is_gray(img: Any) -> bool:
    if img.mode != "P":
        return True
    rgb = np.asarray(img.convert("RGB"))
    return bool((rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all())


def _convert_channels(arr: np.ndarray, channels: int) -> np.ndarray:
    if channels == 1:
        return arr[:3].mean(axis=0, keepdims=True)
    if arr.shape[0] == 1:
        return np.repeat(arr, channels, axis=0)
    return arr[:channels]


def _resize(arr: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    # torch's bilinear resize, so that training and prediction bring images to one size alike
    require_torch("resizing images to a model's input size")
    import torch
    import torch.nn.functional as F

    t = torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float32))[None]
    return F.interpolate(t, size=tuple(size), mode="bilinear", align_corners=False)[0].numpy()
