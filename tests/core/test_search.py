import pytest

from mlhub_ext.core.errors import MLHubError
from mlhub_ext.core.search import Clause, parse_filter


def test_parses_the_documented_example():
    assert parse_filter("metrics.acc > 0.9 and params.lr < 0.01 and tags = baseline") == [
        Clause("metric", "acc", ">", 0.9), Clause("param", "lr", "<", 0.01), Clause("tag", "tags", "=", "baseline")]


def test_quoted_strings_and_text_fields():
    assert parse_filter('name ~ "my run" AND status = finished') == [
        Clause("field", "name", "~", "my run"), Clause("field", "status", "=", "finished")]
    assert parse_filter("") == [] and parse_filter(None) == []


@pytest.mark.parametrize("bad", ["metrics.acc", "metrics.acc >", "x = 1", "metrics.a > b", "tags < 1",
                                 "a = 1 or b = 2", "metrics.a > 1 and", "metrics.a ~ 1"])
def test_bad_filters_name_the_problem(bad):
    with pytest.raises(MLHubError) as e:
        parse_filter(bad)
    assert e.value.code.value == "invalid" and e.value.message
