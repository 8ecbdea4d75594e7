import hashlib
import io
import zipfile

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_digits

from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.data.archives import ZipLimits
from mlhub_ext.data.images import class_thumbnails, load_images, scan_images, thumbnail

CLASSES = (0, 1, 2)
PER_CLASS = 5


def _digits():
    digits = load_digits()
    picked = []
    for label in CLASSES:
        idx = np.flatnonzero(digits.target == label)[:PER_CLASS]
        picked += [(label, i, (digits.images[i] * 255 / 16).astype(np.uint8)) for i in idx]
    return picked


def _png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture()
def digits_folder(tmp_path):
    root = tmp_path / "digits"
    for label, i, pixels in _digits():
        (root / str(label)).mkdir(parents=True, exist_ok=True)
        (root / str(label) / f"{i}.png").write_bytes(_png(pixels))
    return root


@pytest.fixture()
def digits_zip(tmp_path):
    path = tmp_path / "digits.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for label, i, pixels in _digits():
            zf.writestr(f"digits/{label}/{i}.png", _png(pixels))
    return path


def _invalid(fn, *args) -> MLHubError:
    with pytest.raises(MLHubError) as err:
        fn(*args)
    assert err.value.code == ErrorCode.INVALID
    return err.value


def test_scan_folder_manifest(digits_folder):
    manifest = scan_images(digits_folder)
    assert manifest["classes"] == {str(c): PER_CLASS for c in CLASSES}
    assert manifest["num_images"] == len(CLASSES) * PER_CLASS
    assert manifest["size_distribution"] == [{"width": 8, "height": 8, "count": 15}]
    assert manifest["formats"] == {"PNG": 15}
    first = manifest["images"][0]
    assert first["sha256"] == hashlib.sha256((digits_folder / first["path"]).read_bytes()).hexdigest()
    assert (first["width"], first["height"], first["mode"]) == (8, 8, "L")


def test_scan_zip_with_wrapping_folder(digits_zip):
    manifest = scan_images(digits_zip)
    assert manifest["root"] == "digits/"
    assert manifest["classes"] == {str(c): PER_CLASS for c in CLASSES}
    assert all(img["path"].startswith("digits/") for img in manifest["images"])


def test_load_images_round_trips_pixels(digits_zip):
    manifest = scan_images(digits_zip)
    X, y = load_images(manifest, digits_zip)
    assert X.shape == (15, 8, 8) and X.dtype == np.uint8
    expected = {f"digits/{label}/{i}.png": pixels for label, i, pixels in _digits()}
    for img, arr, label in zip(manifest["images"], X, y):
        assert np.array_equal(arr, expected[img["path"]])
        assert label == img["class"]
    X16, _ = load_images(manifest, digits_zip, size=(16, 16), mode="RGB")
    assert X16.shape == (15, 16, 16, 3)


def test_mixed_sizes_need_a_size(digits_folder):
    Image.new("RGB", (20, 10), "red").save(digits_folder / "1" / "big.jpg", format="JPEG")
    manifest = scan_images(digits_folder)
    assert {"width": 20, "height": 10, "count": 1} in manifest["size_distribution"]
    assert manifest["formats"] == {"PNG": 15, "JPEG": 1}
    assert "differ in size" in _invalid(load_images, manifest, digits_folder).message
    X, y = load_images(manifest, digits_folder, size=(8, 8))
    assert X.shape == (16, 8, 8, 3) and len(y) == 16


def test_thumbnails(digits_folder):
    manifest = scan_images(digits_folder)
    png = thumbnail(digits_folder, manifest["images"][0]["path"], size=4)
    with Image.open(io.BytesIO(png)) as img:
        assert img.format == "PNG" and max(img.size) <= 4
    thumbs = class_thumbnails(manifest, digits_folder, per_class=2)
    assert sorted(thumbs) == ["0", "1", "2"] and all(len(v) == 2 for v in thumbs.values())


def test_non_image_file_is_refused(digits_folder):
    (digits_folder / "2" / "notes.txt").write_text("hello")
    err = _invalid(scan_images, digits_folder)
    assert "2/notes.txt is not a PNG or JPEG image" in err.message


def test_other_image_formats_are_refused(digits_folder):
    Image.new("L", (8, 8)).save(digits_folder / "0" / "x.gif", format="GIF")
    assert "GIF" in _invalid(scan_images, digits_folder).message


def test_empty_class_is_refused(digits_folder):
    (digits_folder / "9").mkdir()
    assert "class folder '9' holds no images" in _invalid(scan_images, digits_folder).message


def test_file_outside_class_folders_is_refused(digits_folder):
    (digits_folder / "stray.png").write_bytes(_png(np.zeros((8, 8), np.uint8)))
    assert "stray.png is not inside a class folder" in _invalid(scan_images, digits_folder).message


def test_nested_folder_is_refused(digits_folder):
    (digits_folder / "0" / "deeper").mkdir()
    (digits_folder / "0" / "deeper" / "x.png").write_bytes(_png(np.zeros((8, 8), np.uint8)))
    assert "nested folder" in _invalid(scan_images, digits_folder).message


def test_hidden_files_are_ignored(digits_folder):
    (digits_folder / "0" / ".DS_Store").write_bytes(b"\0\1")
    assert scan_images(digits_folder)["num_images"] == 15


def test_empty_collection_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    assert "holds no files" in _invalid(scan_images, tmp_path / "empty").message


def test_unsafe_zip_is_refused_before_reading(tmp_path):
    path = tmp_path / "slip.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("0/a.png", _png(np.zeros((8, 8), np.uint8)))
        info = zipfile.ZipInfo("x")
        info.filename = "../1/b.png"
        zf.writestr(info, b"x")
    assert "zip-slip" in _invalid(scan_images, path).message


def test_zip_limits_apply_to_collections(digits_zip):
    with pytest.raises(MLHubError) as err:
        scan_images(digits_zip, ZipLimits(max_total_bytes=100))
    assert err.value.code == ErrorCode.TOO_LARGE
