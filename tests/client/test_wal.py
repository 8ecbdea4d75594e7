import fcntl
import json
import os
import time

import pytest

from mlhub_ext.client.wal import (KIND_METRICS, KIND_PATCH, NEW_SUFFIX, Damage, WALWriter, append_after,
                                  encode_record, pending_batches, read_acks, read_records, remove_stale_new,
                                  try_lock)
from mlhub_ext.core.errors import MLHubError


def _writer(tmp_path, run="r" * 32):
    return WALWriter(run, "http://h/", fsync=False, directory=tmp_path)


def test_records_round_trip_and_acks_select_pending(tmp_path):
    w = _writer(tmp_path)
    for seq in (1, 2, 3):
        w.append(KIND_METRICS, json.dumps({"seq": seq, "metrics": {}}).encode())
    w.append(KIND_PATCH, json.dumps({"status": "finished", "_n": 1}).encode())
    w.ack("m", 1)
    w.ack("r", 2)
    log = pending_batches(w.path)
    assert [s for s, _ in log.batches] == [3]
    assert log.patches == [(1, {"status": "finished"})] and log.finished
    assert log.header["url"] == "http://h/" and log.run_id == "r" * 32
    w.close(remove=False)


def test_torn_tail_is_skipped_at_every_cut(tmp_path):
    w = _writer(tmp_path)
    for seq in (1, 2):
        w.append(KIND_METRICS, json.dumps({"seq": seq, "metrics": {"x": 1}}).encode())
    w.close(remove=False)
    whole = w.path.read_bytes()
    last = encode_record(KIND_METRICS, json.dumps({"seq": 3, "metrics": {"x": 2}}).encode())
    for cut in range(len(last)):
        w.path.write_bytes(whole + last[:cut])
        kinds = [k for k, _ in read_records(w.path)]
        assert kinds == [b"H", b"M", b"M"], cut
        assert [s for s, _ in pending_batches(w.path).batches] == [1, 2]
    # a flipped byte in the last record is caught by its checksum
    broken = bytearray(whole + last)
    broken[-3] ^= 0xFF
    w.path.write_bytes(bytes(broken))
    assert [s for s, _ in pending_batches(w.path).batches] == [1, 2]


def test_torn_ack_line_is_ignored(tmp_path):
    p = tmp_path / "x.ack"
    p.write_bytes(b"m 1\nm 2\np 1\nm 1")
    assert read_acks(p) == {"m": {1, 2}, "p": {1}, "r": set()}


def test_lock_keeps_sync_away_from_a_live_run(tmp_path):
    w = _writer(tmp_path)
    assert try_lock(w.path) is None
    w.close(remove=False)
    handle = try_lock(w.path)
    assert handle is not None
    handle.close()
    w2 = _writer(tmp_path, "s" * 32)
    w2.close(remove=True)
    assert not w2.path.exists() and not w2.ack_path.exists()


def _fifteen_batches(tmp_path):
    """A closed WAL with a header and 15 batch records; returns the writer and each batch's offset."""
    w = _writer(tmp_path)
    offsets = []
    for seq in range(1, 16):
        offsets.append(w.path.stat().st_size)
        w.append(KIND_METRICS, json.dumps({"seq": seq, "metrics": {"x": {"steps": [seq], "values": [1.0]}}}).encode())
    w.close(remove=False)
    return w, offsets


def test_a_damaged_checksum_skips_one_record_and_reads_on(tmp_path):
    w, offsets = _fifteen_batches(tmp_path)
    data = bytearray(w.path.read_bytes())
    third, fourth = offsets[2], offsets[3]
    data[third + 5] ^= 0x40          # one byte of the third batch's crc32
    w.path.write_bytes(bytes(data))
    log = pending_batches(w.path)
    assert [s for s, _ in log.batches] == [1, 2] + list(range(4, 16))
    assert log.damage == [Damage(offset=third, length=fourth - third)]
    assert log.header["run"] == "r" * 32


def test_a_damaged_length_is_searched_past(tmp_path):
    w, offsets = _fifteen_batches(tmp_path)
    data = bytearray(w.path.read_bytes())
    data[offsets[2] + 1] ^= 0x01     # the third batch's length now points into the middle of the fourth
    w.path.write_bytes(bytes(data))
    log = pending_batches(w.path)
    assert [s for s, _ in log.batches] == [1, 2] + list(range(4, 16))
    assert log.damage == [Damage(offset=offsets[2], length=offsets[3] - offsets[2])]


def test_a_torn_or_corrupt_tail_is_not_damage(tmp_path):
    w, offsets = _fifteen_batches(tmp_path)
    whole = w.path.read_bytes()
    for cut in (offsets[14] + 3, offsets[14] + 12, len(whole) - 1):
        w.path.write_bytes(whole[:cut])
        log = pending_batches(w.path)
        assert (len(log.batches), log.damage, log.end) == (14, [], offsets[14])
    broken = bytearray(whole)
    broken[-1] ^= 0xFF
    w.path.write_bytes(bytes(broken))
    log = pending_batches(w.path)
    assert (len(log.batches), log.damage) == (14, [])


def test_appending_after_a_torn_tail_cuts_it_first(tmp_path):
    """The sync's 'killed' update goes after the last whole record, not after torn bytes
    (which would then read as damage in the middle of the log)."""
    w, offsets = _fifteen_batches(tmp_path)
    w.path.write_bytes(w.path.read_bytes()[:offsets[14] + 7])
    handle = try_lock(w.path)
    log = pending_batches(w.path)
    append_after(handle, log.end, encode_record(KIND_PATCH, json.dumps({"status": "killed", "_n": 1}).encode()))
    handle.close()
    log = pending_batches(w.path)
    assert (len(log.batches), log.damage, log.patches) == (14, [], [(1, {"status": "killed"})])


def test_a_new_wal_never_races_a_sync_holding_its_name(tmp_path):
    """The sync of earlier versions created and locked `r1.wal` before the run's writer
    did (BlockingIOError in mh.init, 1 in 200). The writer now creates, locks and fills
    its WAL under another name, then links it into place."""
    old_sync = open(tmp_path / "r1.wal", "ab", buffering=0)   # exactly what that sync did
    fcntl.flock(old_sync.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    w = WALWriter("r1", "http://h/", fsync=False, directory=tmp_path)
    w.append(KIND_METRICS, json.dumps({"seq": 1, "metrics": {}}).encode())
    assert try_lock(w.path) is None, "the writer holds the lock of the file under its name"
    assert os.fstat(old_sync.fileno()).st_nlink == 0, "the sync's empty file was replaced"
    old_sync.close()
    assert [k for k, _ in read_records(w.path)] == [b"H", b"M"]
    w.close(remove=True)
    assert sorted(os.listdir(tmp_path)) == []


def test_locking_never_creates_a_file(tmp_path):
    assert try_lock(tmp_path / "gone.wal") is None
    assert not (tmp_path / "gone.wal").exists()


def test_a_wal_with_records_is_never_replaced(tmp_path):
    w = _writer(tmp_path, "r2")
    w.close(remove=False)
    with pytest.raises(MLHubError) as e:
        _writer(tmp_path, "r2")
    assert e.value.code.value == "conflict"
    assert sorted(os.listdir(tmp_path)) == ["r2.ack", "r2.wal"], "no half-created file left"


def test_half_created_wals_of_dead_processes_are_removed(tmp_path):
    stale = tmp_path / f".r3.0a0b0c0d{NEW_SUFFIX}"
    stale.write_bytes(encode_record(b"H", b"{}"))
    young = tmp_path / f".r4.0a0b0c0d{NEW_SUFFIX}"
    young.write_bytes(b"")
    os.utime(stale, (time.time() - 120, time.time() - 120))
    assert remove_stale_new(tmp_path) == 1
    assert sorted(os.listdir(tmp_path)) == [young.name], "a file being created right now is left alone"
