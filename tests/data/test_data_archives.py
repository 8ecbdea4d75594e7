import stat
import zipfile

import pytest

from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.data.archives import ZipLimits, inspect_zip, safe_extract


def _zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            if isinstance(name, zipfile.ZipInfo):
                zf.writestr(name, data)
            else:
                zf.writestr(name, data)
    return path


def _error(fn, *args, **kwargs) -> MLHubError:
    with pytest.raises(MLHubError) as err:
        fn(*args, **kwargs)
    return err.value


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


def test_extracts_a_good_archive(tmp_path):
    src = _zip(tmp_path / "ok.zip", [("a/1.txt", b"one"), ("a/b/2.txt", b"two"), ("top.txt", b"3")])
    out = safe_extract(src, tmp_path / "out")
    assert (out / "a" / "b" / "2.txt").read_bytes() == b"two"
    assert _leftovers(tmp_path) == ["ok.zip", "out"]
    assert [m.path for m in inspect_zip(src)] == ["a/1.txt", "a/b/2.txt", "top.txt"]


@pytest.mark.parametrize("name", ["../evil.txt", "a/../../evil.txt", "/etc/evil", "C:/evil.txt", "..\\evil.txt"])
def test_zip_slip_is_refused_and_nothing_is_left(tmp_path, name):
    src = tmp_path / "slip.zip"
    with zipfile.ZipFile(src, "w") as zf:
        zf.writestr("fine.txt", b"ok")
        info = zipfile.ZipInfo("member")
        info.filename = name  # ZipInfo would normalise some names; force the raw one
        zf.writestr(info, b"bad")
    err = _error(safe_extract, src, tmp_path / "out")
    assert err.code == ErrorCode.INVALID and "zip-slip" in err.message
    assert _leftovers(tmp_path) == ["slip.zip"]
    assert not (tmp_path.parent / "evil.txt").exists()


def test_symlink_member_is_refused(tmp_path):
    src = tmp_path / "link.zip"
    info = zipfile.ZipInfo("link")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    _zip(src, [("ok.txt", b"x"), (info, b"/etc/passwd")])
    err = _error(safe_extract, src, tmp_path / "out")
    assert err.code == ErrorCode.INVALID and "symbolic link" in err.message
    assert _leftovers(tmp_path) == ["link.zip"]


def test_zip_bomb_ratio_with_default_limits(tmp_path):
    src = _zip(tmp_path / "bomb.zip", [("zeros.bin", b"\0" * (20 * 1024 * 1024))])
    err = _error(safe_extract, src, tmp_path / "out")
    assert err.code == ErrorCode.TOO_LARGE and "compression ratio" in err.message
    assert _leftovers(tmp_path) == ["bomb.zip"]


def test_total_size_limit(tmp_path):
    data = bytes(range(256)) * 64  # 16 KiB of poorly compressible bytes
    src = _zip(tmp_path / "big.zip", [(f"f{i}.bin", data) for i in range(4)])
    limits = ZipLimits(max_total_bytes=40_000)
    err = _error(safe_extract, src, tmp_path / "out", limits)
    assert err.code == ErrorCode.TOO_LARGE and "40000" in err.message
    assert safe_extract(src, tmp_path / "out", ZipLimits(max_total_bytes=70_000)).exists()


def test_member_count_limit(tmp_path):
    src = _zip(tmp_path / "many.zip", [(f"{i}.txt", b"x") for i in range(20)])
    assert "members" in _error(inspect_zip, src, ZipLimits(max_members=10)).message


def test_failure_midway_leaves_nothing(tmp_path):
    src = tmp_path / "crc.zip"
    with zipfile.ZipFile(src, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.txt", b"hello world" * 100)
        zf.writestr("b.txt", b"second" * 100)
    raw = bytearray(src.read_bytes())
    raw[raw.index(b"secondsecond") + 3] ^= 0xFF  # b.txt's bytes no longer match its CRC
    src.write_bytes(bytes(raw))
    err = _error(safe_extract, src, tmp_path / "out")
    assert err.code == ErrorCode.INVALID
    assert _leftovers(tmp_path) == ["crc.zip"]


def test_not_a_zip(tmp_path):
    src = tmp_path / "x.zip"
    src.write_text("plain text")
    assert "not a readable zip" in _error(safe_extract, src, tmp_path / "out").message


def test_existing_target_is_a_conflict(tmp_path):
    src = _zip(tmp_path / "ok.zip", [("a.txt", b"x")])
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    assert _error(safe_extract, src, tmp_path / "out").code == ErrorCode.CONFLICT
    assert (tmp_path / "out" / "keep.txt").read_text() == "mine"
