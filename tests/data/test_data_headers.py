"""Column names from headers (blank cells get generated names, repeated names are refused),
workbook sheets, and columns of mixed types read as text (issue 12, items 2-4)."""
import json

import openpyxl
import pandas as pd
import pyarrow as pa
import pytest

from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.data.formats import read_table, workbook_sheets
from mlhub_ext.data.frames import frame_to_table
from mlhub_ext.data.ingest import ingest
from mlhub_ext.data.names import ReadReport, column_names


def _invalid(fn, *args, **kwargs) -> MLHubError:
    with pytest.raises(MLHubError) as err:
        fn(*args, **kwargs)
    assert err.value.code == ErrorCode.INVALID, err.value
    return err.value


def _renamed(*positions: int) -> list[dict]:
    return [{"position": p, "original": "", "name": f"column_{p}"} for p in positions]


def test_column_names_rule():
    assert column_names(["a", "", None, "  ", "b"], "t") == (
        ["a", "column_2", "column_3", "column_4", "b"],
        [{"position": 2, "original": "", "name": "column_2"}, {"position": 3, "original": "", "name": "column_3"},
         {"position": 4, "original": "  ", "name": "column_4"}])
    # A generated name never takes one the file already has.
    assert column_names(["column_2", ""], "t")[0] == ["column_2", "column_2_2"]
    assert "repeats column names ['a']" in _invalid(column_names, ["a", "", "a", ""], "t.csv").message


@pytest.mark.parametrize("text, sep, names, renamed", [
    ("a,,\n1,2,3\n", ",", ["a", "column_2", "column_3"], _renamed(2, 3)),
    ("a,,b\n1,2,3\n", ",", ["a", "column_2", "b"], _renamed(2)),
    ("a\t\tb\n1\t2\t3\n", "\t", ["a", "column_2", "b"], _renamed(2)),
    ("a;;b\n1;2;3\n", ";", ["a", "column_2", "b"], _renamed(2)),
    ('"a\nx",,b\r\n1,2,3\r\n', ",", ["a\nx", "column_2", "b"], _renamed(2)),  # a line break inside the header
    ("\ufeffa,,b\n1,2,3\n", ",", ["a", "column_2", "b"], _renamed(2)),
])
def test_blank_csv_header_cells_get_generated_names(tmp_path, text, sep, names, renamed):
    path = tmp_path / ("t.tsv" if sep == "\t" else "t.csv")
    path.write_text(text, encoding="utf-8")
    report = ReadReport()
    table = read_table(path, report=report)
    assert table.column_names == names
    assert table.to_pylist() == [dict(zip(names, [1, 2, 3]))]
    assert report.renamed_columns == renamed


def test_blank_header_with_a_column_widened_later(tmp_path, monkeypatch):
    from mlhub_ext.data import csvread

    monkeypatch.setattr(csvread, "BLOCK_SIZE", 64)
    path = tmp_path / "late.csv"
    path.write_text("a,,\n" + "1,2,3\n" * 40 + "1,x,3\n")
    table = read_table(path)
    assert table.column_names == ["a", "column_2", "column_3"]
    assert table.schema.field("column_2").type == pa.string()
    assert table.column("column_2").to_pylist()[-2:] == ["2", "x"]


def test_header_only_with_blank_cells(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("a,,b\n")
    table = read_table(path)
    assert table.column_names == ["a", "column_2", "b"] and table.num_rows == 0


def test_a_truly_repeated_name_is_still_refused(tmp_path):
    path = tmp_path / "dupes.csv"
    path.write_text("a,,a\n1,2,3\n")
    assert "repeats column names ['a']" in _invalid(read_table, path).message


def test_ingest_records_the_renaming(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("a,,\n1,2,3\n4,,6\n")
    info = ingest(path, tmp_path / "blank.parquet")
    assert [c["name"] for c in info["schema"]] == ["a", "column_2", "column_3"]
    assert info["reading"] == {"renamed_columns": _renamed(2, 3)}
    plain = tmp_path / "plain.csv"
    plain.write_text("a,b\n1,2\n")
    assert ingest(plain, tmp_path / "plain.parquet")["reading"] == {}


def test_json_and_parquet_blank_names(tmp_path):
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([{"a": 1, "": 2}, {"a": 3, "": 4}]))
    report = ReadReport()
    table = read_table(path, report=report)
    assert table.column_names == ["a", "column_2"] and report.renamed_columns == _renamed(2)
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"x": [1], "": [2]}), tmp_path / "t.parquet")
    assert read_table(tmp_path / "t.parquet").column_names == ["x", "column_2"]


def test_json_column_of_mixed_types_becomes_text(tmp_path):
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([{"code": 1, "y": 0.1}, {"code": "A7", "y": 0.2}, {"code": None, "y": 0.3}]))
    report = ReadReport()
    table = read_table(path, report=report)
    assert table.column("code").to_pylist() == ["1", "A7", None]
    assert table.schema.field("y").type == pa.float64()
    assert report.text_columns == ["code"]


def _workbook(path, sheets: dict[str, list[list]]) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)


NOTE_AND_DATA = {
    "notes": [["data are on the next sheet"]],
    "data": [["id", None, "score", "code"], [1, 10, 0.5, 1], [2, None, 1.5, "A7"], [3, 30, None, 3]],
    "blank": [],
}


def test_workbook_without_a_choice_reads_the_first_sheet_with_rows(tmp_path):
    path = tmp_path / "book.xlsx"
    _workbook(path, NOTE_AND_DATA)
    assert workbook_sheets(path) == ["notes", "data", "blank"]
    info = ingest(path, tmp_path / "book.parquet")
    assert info["num_rows"] == 3
    assert info["schema"] == [{"name": "id", "type": "int64"}, {"name": "column_2", "type": "double"},
                              {"name": "score", "type": "double"}, {"name": "code", "type": "string"}]
    assert info["reading"] == {"renamed_columns": _renamed(2), "text_columns": ["code"], "sheet": "data",
                               "sheets": ["notes", "data", "blank"]}
    table = pd.read_parquet(tmp_path / "book.parquet")
    assert table["code"].tolist() == ["1", "A7", "3"]
    assert table["id"].tolist() == [1, 2, 3]


def test_workbook_sheet_chosen_by_name(tmp_path):
    path = tmp_path / "book.xlsx"
    _workbook(path, NOTE_AND_DATA)
    info = ingest(path, tmp_path / "notes.parquet", sheet="notes")
    assert info["num_rows"] == 0 and info["reading"]["sheet"] == "notes"
    assert [c["name"] for c in info["schema"]] == ["data are on the next sheet"]
    err = _invalid(ingest, path, tmp_path / "x.parquet", sheet="Data ")
    assert err.message == "book.xlsx has no sheet 'Data '; its sheets are 'notes', 'data', 'blank'"
    assert err.details["sheets"] == ["notes", "data", "blank"]
    assert "sheet 'blank' is empty" in _invalid(ingest, path, tmp_path / "x.parquet", sheet="blank").message
    assert not (tmp_path / "x.parquet").exists()


def test_sheet_only_for_workbooks(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a\n1\n")
    assert "applies to Excel workbooks" in _invalid(ingest, path, tmp_path / "t.parquet", sheet="data").message


def test_workbook_header_rules(tmp_path):
    path = tmp_path / "dupes.xlsx"
    _workbook(path, {"s": [["a", "b", "a"], [1, 2, 3]]})
    assert "repeats column names ['a']" in _invalid(read_table, path).message  # pandas would say a.1
    _workbook(path, {"s": [[], ["a", None, None], [1, 2, 3]]})  # a blank row above the table
    report = ReadReport()
    table = read_table(path, report=report)
    assert table.column_names == ["a", "column_2", "column_3"] and table.num_rows == 1
    assert report.renamed_columns == _renamed(2, 3)
    # Whole numbers under a blank header cell stay integers (as under a named one).
    assert table.schema.types == [pa.int64(), pa.int64(), pa.int64()]
    _workbook(path, {"one": [], "two": [[None]]})
    assert "no sheet of the workbook holds any cells" in _invalid(read_table, path).message


def test_frame_of_mixed_types_becomes_text():
    report = ReadReport()
    table = frame_to_table(pd.DataFrame({"code": [1, 2, "A7"], "y": [0.1, 0.2, 0.3]}), "codes", report)
    assert table.column("code").to_pylist() == ["1", "2", "A7"]
    assert table.column("y").to_pylist() == [0.1, 0.2, 0.3]
    assert report.to_json() == {"text_columns": ["code"]}
    frame = pd.DataFrame([[1, 2]], columns=["", "b"])
    assert frame_to_table(frame, "f", report).column_names == ["column_1", "b"]
    err = _invalid(frame_to_table, pd.DataFrame([[1, 2]], columns=["a", "a"]), "the DataFrame for 'x'")
    assert "the DataFrame for 'x': the header repeats column names ['a']" in err.message
