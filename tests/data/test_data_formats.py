import io
import json
import zipfile

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.data import csvread
from mlhub_ext.data.formats import detect_format, read_table, scan_batches

FRAME = pd.DataFrame({"a": [1, 2, 3], "b": [0.5, None, 2.5], "c": ["x", "y", None]})


def _invalid(fn, *args, **kwargs) -> MLHubError:
    with pytest.raises(MLHubError) as err:
        fn(*args, **kwargs)
    assert err.value.code == ErrorCode.INVALID, err.value
    return err.value


def _check(table: pa.Table) -> None:
    df = table.to_pandas()
    assert list(df.columns) == ["a", "b", "c"]
    assert df["a"].tolist() == [1, 2, 3]
    assert df["b"].isna().tolist() == [False, True, False]
    assert df["c"].iloc[0] == "x" and pd.isna(df["c"].iloc[2])


@pytest.mark.parametrize("name, fmt", [
    ("t.csv", "csv"), ("t.tsv", "tsv"), ("t.json", "json"), ("cols.json", "json"), ("t.jsonl", "jsonl"),
    ("t.xlsx", "xlsx"), ("t.parquet", "parquet"), ("t.txt", "csv"), ("noext", "tsv"),
])
def test_every_format_reads(tmp_path, name, fmt):
    path = tmp_path / name
    if name in ("t.csv", "t.txt"):
        FRAME.to_csv(path, index=False)
    elif name in ("t.tsv", "noext"):
        FRAME.to_csv(path, index=False, sep="\t")
    elif name == "t.json":
        path.write_text(FRAME.to_json(orient="records"))
    elif name == "cols.json":
        path.write_text(json.dumps({"a": [1, 2, 3], "b": [0.5, None, 2.5], "c": ["x", "y", None]}))
    elif name == "t.jsonl":
        FRAME.to_json(path, orient="records", lines=True)
    elif name == "t.xlsx":
        FRAME.to_excel(path, index=False)
    else:
        FRAME.to_parquet(path)
    assert detect_format(path) == fmt
    _check(read_table(path))


def test_jsonl_under_json_extension_is_read_as_lines(tmp_path):
    path = tmp_path / "lines.json"
    FRAME.to_json(path, orient="records", lines=True)
    assert detect_format(path) == "jsonl"
    _check(read_table(path))


def test_semicolon_separated_csv(tmp_path):
    path = tmp_path / "eu.csv"
    path.write_text("a;b;c\n1;0,5;x\n2;;y\n3;2,5;\n")
    table = read_table(path)
    assert table.column_names == ["a", "b", "c"] and table.column("a").to_pylist() == [1, 2, 3]


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfa,b\n1,2\n")
    assert read_table(path).column_names == ["a", "b"]


@pytest.mark.parametrize("writer, found", [
    (lambda p: FRAME.to_parquet(p), "Parquet"),
    (lambda p: FRAME.to_excel(p, index=False, engine="openpyxl"), "Excel"),
    (lambda p: zipfile.ZipFile(p, "w").close(), "zip"),
])
def test_csv_extension_with_binary_content_is_a_mismatch(tmp_path, writer, found):
    path = tmp_path / "real.csv"
    with open(path, "wb") as fh:
        writer(fh)
    err = _invalid(read_table, path)
    assert "mismatch" in err.message and found in err.message


def test_parquet_extension_with_text_is_a_mismatch(tmp_path):
    path = tmp_path / "t.parquet"
    FRAME.to_csv(path, index=False)
    assert "mismatch" in _invalid(read_table, path).message


def test_json_extension_with_csv_content_is_refused(tmp_path):
    path = tmp_path / "t.json"
    FRAME.to_csv(path, index=False)
    assert "mismatch" in _invalid(read_table, path).message


def test_unknown_extension_with_binary_content(tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(bytes(range(256)) * 4)
    assert "unknown format" in _invalid(read_table, path).message


def test_unknown_extension_with_text_content(tmp_path):
    path = tmp_path / "page.xml"
    path.write_text("<rows><row a='1'/></rows>")
    assert "extension '.xml' is not supported" in _invalid(read_table, path).message


def test_unknown_extension_with_parquet_content_is_read(tmp_path):
    path = tmp_path / "export.bin"
    FRAME.to_parquet(path)
    assert detect_format(path) == "parquet"


def test_unknown_format_argument(tmp_path):
    path = tmp_path / "t.csv"
    FRAME.to_csv(path, index=False)
    assert "unknown format 'xml'" in _invalid(detect_format, path, "xml").message


def test_corrupt_excel_is_refused(tmp_path):
    good = io.BytesIO()
    FRAME.to_excel(good, index=False)
    truncated = tmp_path / "broken.xlsx"
    truncated.write_bytes(good.getvalue()[: len(good.getvalue()) // 2])
    assert "Excel workbook" in _invalid(read_table, truncated).message
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, b"<not xml" if item.filename.endswith("sheet1.xml") else data)
    assert "corrupt Excel" in _invalid(read_table, damaged).message
    text = tmp_path / "text.xlsx"
    text.write_text("a,b\n1,2\n")
    assert "not a valid Excel workbook" in _invalid(read_table, text).message


def test_legacy_xls_is_named(tmp_path):
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert ".xls" in _invalid(read_table, path).message


def test_ragged_csv_names_the_line(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b,c\n1,2,3\n4,5,6\n7,8\n9,10,11\n")
    err = _invalid(read_table, path)
    assert "line 4" in err.message and "2 fields" in err.message and "3" in err.message
    assert err.details["line"] == 4


def test_ragged_row_far_into_a_big_file(tmp_path, monkeypatch):
    monkeypatch.setattr(csvread, "BLOCK_SIZE", 4096)
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n" + "".join(f"{i},{i}\n" for i in range(5000)) + "1,2,3\n")
    assert "line 5002" in _invalid(read_table, path).message


def test_non_utf8_text_names_the_byte_offset(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("a,b\n1,ok\n2,café\n".encode("latin-1"))
    err = _invalid(read_table, path)
    offset = "a,b\n1,ok\n2,caf".__len__()
    assert f"byte offset {offset}" in err.message and "line 3" in err.message and "0xe9" in err.message
    assert err.details["offset"] == offset


def test_non_utf8_after_the_first_block(tmp_path, monkeypatch):
    monkeypatch.setattr(csvread, "BLOCK_SIZE", 4096)
    path = tmp_path / "late.csv"
    head = ("a,b\n" + "".join(f"{i},x\n" for i in range(3000))).encode()
    path.write_bytes(head + b"1,\xff\n")
    err = _invalid(read_table, path)
    assert f"byte offset {len(head) + 2}" in err.message


def test_non_utf8_json_is_refused(tmp_path):
    path = tmp_path / "bad.json"
    path.write_bytes(b'[{"a": "caf\xe9"}]')
    assert "byte offset 11" in _invalid(read_table, path).message


def test_utf16_is_named(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes("a,b\n1,2\n".encode("utf-16"))
    assert "UTF-16" in _invalid(read_table, path).message


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"\xef\xbb\xbf\n"])
def test_empty_file_is_refused(tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    assert "empty" in _invalid(read_table, path).message


def test_empty_json_array_is_refused(tmp_path):
    path = tmp_path / "e.json"
    path.write_text("[]")
    assert "no rows" in _invalid(read_table, path).message


def test_invalid_json_names_the_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('[\n{"a": 1},\n{"a": }\n]')
    assert "line 3" in _invalid(read_table, path).message


def test_json_with_wrong_shape(tmp_path):
    path = tmp_path / "scalar.json"
    path.write_text('[1, 2, 3]')
    assert "array of objects" in _invalid(read_table, path).message


def test_missing_file_is_not_found(tmp_path):
    with pytest.raises(MLHubError) as err:
        read_table(tmp_path / "nope.csv")
    assert err.value.code == ErrorCode.NOT_FOUND


def test_duplicate_header_names_are_refused(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("a,a\n1,2\n")
    assert "repeats column names ['a']" in _invalid(read_table, path).message


def test_column_type_widens_when_later_blocks_disagree(tmp_path, monkeypatch):
    monkeypatch.setattr(csvread, "BLOCK_SIZE", 2048)
    path = tmp_path / "wide.csv"
    rows = [f"{i},{i},,\n" for i in range(2000)] + ["2.5,oops,z,7\n"]
    path.write_text("a,b,c,d\n" + "".join(rows))
    calls = []

    def consume(schema, batches):
        calls.append(schema)
        return pa.Table.from_batches(list(batches), schema=schema)

    table = scan_batches(path, consume)
    assert table.schema.field("a").type == pa.float64()
    assert table.schema.field("b").type == pa.string()
    assert table.schema.field("c").type == pa.string()
    assert table.schema.field("d").type == pa.float64()  # empty at first, numbers later
    assert len(calls) > 1 and table.num_rows == 2001
    expected = pd.read_csv(path)
    assert np.allclose(table.column("a").to_numpy(), expected["a"].to_numpy())


def test_folder_is_an_image_collection(tmp_path):
    assert detect_format(tmp_path) == "images"
    _invalid(detect_format, tmp_path, "csv")


def test_corrupt_parquet_is_refused(tmp_path):
    good = tmp_path / "good.parquet"
    FRAME.to_parquet(good)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(good.read_bytes()[:-40])
    assert "not a readable Parquet file" in _invalid(read_table, broken).message


def test_jsonl_with_a_broken_line_is_refused(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"a": 1}\n{"a": 2\n')
    assert "rows.jsonl" in _invalid(read_table, path).message
