"""Datasets over REST as real files make them: 64-bit integers, blank header cells and
workbooks with several sheets (issue 12, items 1, 3 and 4), through ``jp_fetch``."""
from __future__ import annotations

import io
import json

import openpyxl
import pytest

from tests.server.test_datasets_api import call, register, send

TWEET_IDS = b"id\n1577134800018164904\n1577134800018267738\n"


@pytest.fixture
def jp_server_config(jp_server_config):  # type: ignore[no-untyped-def]
    cfg = dict(jp_server_config)
    cfg["ServerApp"] = {**cfg["ServerApp"], "tornado_settings": {"mlhub.datasets_in_process": True}}
    return cfg


async def manifest(jp_fetch, name: str, version: int | str = "latest") -> dict:  # type: ignore[no-untyped-def]
    code, body = await call(jp_fetch, "GET", "datasets", name, "versions", str(version))
    assert code == 200, body
    return body["manifest"]


def workbook(sheets: dict[str, list[list]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


NOTE_AND_DATA = workbook({
    "readme": [["data are on the next sheet"]],
    "data": [["city", "people"], ["Lyon", 522_250], ["Oslo", 709_037]],
    "other": [["x"], [1]],
})


async def test_integers_beyond_2_53_register_preview_and_stats_exactly(jp_fetch):  # type: ignore[no-untyped-def]
    code, body = await register(jp_fetch, "tweets.csv", TWEET_IDS)
    assert code == 201, body
    assert body["version"]["num_rows"] == 2
    code, preview = await call(jp_fetch, "GET", "datasets", "tweets", "versions", "1", "preview")
    assert code == 200
    assert preview["columns"] == [{"name": "id", "type": "int64"}]
    assert preview["rows"] == [[1577134800018164904], [1577134800018267738]]
    assert preview["reading"] == {}
    code, stats = await call(jp_fetch, "GET", "datasets", "tweets", "versions", "1", "stats")
    col = stats["columns"][0]
    assert (col["count"], col["unique"], col["min"], col["max"]) == (2, 2, 1577134800018164904, 1577134800018267738)
    # The wire carries every digit (a float would end in ...164900).
    resp = await jp_fetch("mlhub", "api", "v1", "datasets", "tweets", "versions", "1", "preview")
    assert b"[[1577134800018164904],[1577134800018267738]]" in resp.body.replace(b" ", b"")


async def test_blank_header_cells_named_and_recorded(jp_fetch):  # type: ignore[no-untyped-def]
    code, body = await register(jp_fetch, "blanks.csv", b"a,,\n1,2,3\n")
    assert code == 201, body
    renamed = [{"position": 2, "original": "", "name": "column_2"},
               {"position": 3, "original": "", "name": "column_3"}]
    m = await manifest(jp_fetch, "blanks")
    assert m["reading"] == {"renamed_columns": renamed}
    assert [c["name"] for c in m["schema"]] == ["a", "column_2", "column_3"]
    code, preview = await call(jp_fetch, "GET", "datasets", "blanks", "versions", "latest", "preview")
    assert preview["reading"] == {"renamed_columns": renamed}
    assert preview["columns"] == [{"name": "a", "type": "int64"}, {"name": "column_2", "type": "int64"},
                                  {"name": "column_3", "type": "int64"}]
    assert preview["rows"] == [[1, 2, 3]]
    code, body = await register(jp_fetch, "middle.csv", b"a,,b\n1,2,3\n")
    assert code == 201
    assert [c["name"] for c in (await manifest(jp_fetch, "middle"))["schema"]] == ["a", "column_2", "b"]
    code, body = await register(jp_fetch, "dupes.csv", b"a,,a\n1,2,3\n")
    assert code == 422 and body["error"]["code"] == "invalid"
    assert "repeats column names ['a']" in body["error"]["message"]


async def test_workbook_sheets_by_default_by_query_and_by_body(jp_fetch):  # type: ignore[no-untyped-def]
    code, body = await register(jp_fetch, "cities.xlsx", NOTE_AND_DATA)
    assert code == 201, body
    assert body["version"]["num_rows"] == 2
    assert (await manifest(jp_fetch, "cities", 1))["reading"] == {"sheet": "data", "sheets": ["readme", "data", "other"]}
    code, preview = await call(jp_fetch, "GET", "datasets", "cities", "versions", "1", "preview")
    assert preview["rows"] == [["Lyon", 522250], ["Oslo", 709037]]
    assert preview["reading"]["sheet"] == "data"

    code, up = await send(jp_fetch, "cities.xlsx", NOTE_AND_DATA)
    code, body = await call(jp_fetch, "POST", "datasets", body={"upload_id": up["id"], "new_version": True},
                            params={"sheet": "other"})
    assert code == 201, body
    assert body["version"]["num_rows"] == 1
    assert (await manifest(jp_fetch, "cities", 2))["reading"]["sheet"] == "other"

    code, up = await send(jp_fetch, "cities.xlsx", NOTE_AND_DATA)
    code, body = await call(jp_fetch, "POST", "datasets", body={"upload_id": up["id"], "new_version": True,
                                                                 "sheet": "readme"})
    assert code == 201 and (await manifest(jp_fetch, "cities", 3))["reading"]["sheet"] == "readme"


async def test_unknown_sheet_is_a_422_naming_the_sheets_and_can_be_retried(jp_fetch):  # type: ignore[no-untyped-def]
    code, up = await send(jp_fetch, "book.xlsx", NOTE_AND_DATA)
    assert code == 200
    code, body = await call(jp_fetch, "POST", "datasets", body={"upload_id": up["id"]}, params={"sheet": "Data"})
    assert code == 422
    assert body["error"] == {"code": "invalid", "message":
                             "book.xlsx has no sheet 'Data'; its sheets are 'readme', 'data', 'other'",
                             "details": {"sheet": "Data", "sheets": ["readme", "data", "other"]}}
    code, listing = await call(jp_fetch, "GET", "datasets")
    assert "book" not in [d["name"] for d in listing["datasets"]]
    # The same upload registers once the sheet is named right.
    code, body = await call(jp_fetch, "POST", "datasets", body={"upload_id": up["id"]}, params={"sheet": "data"})
    assert code == 201, body
    assert (await manifest(jp_fetch, "book"))["reading"]["sheet"] == "data"


async def test_sheet_query_and_body_must_agree_and_fit_the_format(jp_fetch):  # type: ignore[no-untyped-def]
    code, up = await send(jp_fetch, "agree.xlsx", NOTE_AND_DATA)
    code, body = await call(jp_fetch, "POST", "datasets", body={"upload_id": up["id"], "sheet": "data"},
                            params={"sheet": "other"})
    assert code == 422 and "disagree" in body["error"]["message"]
    code, body = await call(jp_fetch, "POST", "datasets", body={"upload_id": up["id"], "sheet": 3})
    assert code == 422 and "sheet must be the name of a sheet" in body["error"]["message"]
    code, body = await register(jp_fetch, "plain.csv", b"a\n1\n", sheet="data")
    assert code == 422 and "applies to Excel workbooks" in body["error"]["message"]


async def test_openapi_documents_sheet_and_reading(jp_fetch):  # type: ignore[no-untyped-def]
    resp = await jp_fetch("mlhub", "api", "v1", "openapi.json")
    doc = json.loads(resp.body)
    post = doc["paths"]["/datasets"]["post"]
    assert [p["name"] for p in post["parameters"]] == ["sheet"]
    assert "sheet" in doc["components"]["schemas"]["Registration"]["properties"]
    assert doc["components"]["schemas"]["Preview"]["properties"]["reading"] == {"$ref": "#/components/schemas/Reading"}


async def test_mixed_type_csv_columns_are_recorded_as_read_as_text(jp_fetch):  # type: ignore[no-untyped-def]
    # In the first block (Arrow types "code" as text at once) and past it (a widened column).
    code, body = await register(jp_fetch, "codes.csv", b"code,y,name\n1,0.1,ann\n2,0.2,bo\nA7,0.3,cy\n4,0.4,\n")
    assert code == 201, body
    code, preview = await call(jp_fetch, "GET", "datasets", "codes", "versions", "1", "preview")
    assert preview["columns"] == [{"name": "code", "type": "string"}, {"name": "y", "type": "double"},
                                  {"name": "name", "type": "string"}]
    assert preview["rows"][2] == ["A7", 0.3, "cy"]
    assert preview["reading"] == {"text_columns": ["code"]}
    assert (await manifest(jp_fetch, "codes"))["reading"] == {"text_columns": ["code"]}
    late = b"n,code\n" + b"".join(b"%d,%d\n" % (i, i) for i in range(200_000)) + b"9,A7\n"
    code, body = await register(jp_fetch, "late.csv", late)
    assert code == 201, body
    m = await manifest(jp_fetch, "late")
    assert [c["type"] for c in m["schema"]] == ["int64", "string"]
    assert m["reading"] == {"text_columns": ["code"]}
