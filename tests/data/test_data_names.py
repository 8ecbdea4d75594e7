import pytest

from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.data.names import is_normalized, normalize_name, strip_extension


@pytest.mark.parametrize("raw, expected", [
    ("My DataSet.csv", "my_dataset"),
    ("data/final_v3  clean!!.xlsx", "final_v3_clean"),
    ("C:\\Users\\me\\Sales 2024.parquet", "sales_2024"),
    ("__Iris--Data__.json", "iris_data"),
    ("Café Données.jsonl", "cafe_donnees"),
    ("already_ok", "already_ok"),
    ("archive.v2.zip", "archive_v2"),
    ("CamelCaseName.tsv", "camelcasename"),
])
def test_normalize_name(raw, expected):
    assert normalize_name(raw) == expected
    assert is_normalized(expected)


@pytest.mark.parametrize("raw", ["", "???.csv", "   ", "---.tsv", "---"])
def test_normalize_name_refuses_empty_result(raw):
    with pytest.raises(MLHubError) as err:
        normalize_name(raw)
    assert err.value.code == ErrorCode.INVALID
    assert "no letters or digits" in err.value.message


def test_long_names_are_truncated_without_trailing_underscore():
    name = normalize_name("a" * 127 + " b" * 10)
    assert len(name) <= 128 and not name.endswith("_")


def test_strip_extension_only_removes_known_ones():
    assert strip_extension("x/y/table.CSV") == "table"
    assert strip_extension("notes.md") == "notes.md"
    assert not is_normalized("Has Space")
