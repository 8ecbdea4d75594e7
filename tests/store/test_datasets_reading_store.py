"""What reading a file records in the version (integers at the 64-bit extremes, renamed
columns, the workbook sheet) survives the SQL store, on SQLite and PostgreSQL."""
from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.services.dataset_worker import DataWorker
from mlhub_ext.store import open_registry
from mlhub_ext.store.datasets import open_datasets
from tests.object_store import STORE_CASES, store_case
from tests.store.test_datasets_store import register, upload


@pytest.fixture(params=STORE_CASES)
def svc(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """On SQLite and PostgreSQL with local blobs, and on SQLite with S3."""
    db_url, artifacts = store_case(request, tmp_path)
    reg = open_registry(db_url, **artifacts.open_kwargs())
    service = open_datasets(reg, DataWorker(in_process=True))
    yield service
    reg.store.close()


def test_extreme_integers_and_renamed_columns_are_stored_exactly(svc):  # type: ignore[no-untyped-def]
    data = b"id,,big\n-9223372036854775808,1,18446744073709551615\n9223372036854775807,2,0\n"
    v = register(svc, "alice", "extremes.csv", data)
    got = svc.get_version("alice", "extremes", v.version)
    assert got.manifest["reading"] == {"renamed_columns": [{"position": 2, "original": "", "name": "column_2"}]}
    stats = {c["name"]: c for c in svc.stats("alice", "extremes")["columns"]}
    assert (stats["id"]["min"], stats["id"]["max"]) == (-9223372036854775808, 9223372036854775807)
    # 18446744073709551615 is beyond int64: Arrow's CSV reader types that column uint64.
    assert (stats["big"]["type"], stats["big"]["min"], stats["big"]["max"]) == ("uint64", 0, 18446744073709551615)
    preview = svc.preview("alice", "extremes")
    assert preview["rows"] == [[-9223372036854775808, 1, 18446744073709551615], [9223372036854775807, 2, 0]]
    assert preview["reading"] == got.manifest["reading"]


def test_sheet_recorded_and_unknown_sheet_refused_with_nothing_stored(svc):  # type: ignore[no-untyped-def]
    wb = openpyxl.Workbook()
    wb.active.title = "notes"
    wb.active["A1"] = "see 'data'"
    ws = wb.create_sheet("data")
    ws.append(["k", "v"])
    ws.append(["a", 1])
    out = io.BytesIO()
    wb.save(out)
    up = upload(svc, "alice", "book.xlsx", out.getvalue())
    with pytest.raises(MLHubError) as err:
        svc.register("alice", up.id, sheet="Notes")
    assert err.value.code == ErrorCode.INVALID
    assert err.value.message == "book.xlsx has no sheet 'Notes'; its sheets are 'notes', 'data'"
    assert svc.list_datasets("alice")[1] == 0
    v = svc.register("alice", up.id)  # the same upload, registered once the choice is right
    assert v.num_rows == 1
    assert svc.get_version("alice", "book").manifest["reading"] == {"sheet": "data", "sheets": ["notes", "data"]}
