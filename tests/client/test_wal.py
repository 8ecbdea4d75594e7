import json

from mlhub_ext.client.wal import (KIND_METRICS, KIND_PATCH, WALWriter, encode_record, pending_batches,
                                  read_acks, read_records, try_lock)


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
