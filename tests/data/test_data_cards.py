"""Model cards parsed into catalogue facts (mlhub_ext.data.cards) with huggingface_hub's parser."""
from __future__ import annotations

import pytest

from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.data.cards import MAX_DESCRIPTION, parse_card
from tests import model_cards as cards


def test_front_matter_and_model_index_become_catalogue_facts() -> None:
    facts = parse_card(cards.SENTIMENT)
    assert facts.name == "sentiment-distilbert"          # the model-index name, without its org
    assert facts.developer == "ACME Research"            # the template's "Developed by" line
    assert facts.task == "text-classification"
    assert facts.param_count == 66_000_000
    assert facts.tags == ["sentiment", "distilbert"]
    assert facts.license == "apache-2.0"
    assert facts.library == "transformers"
    assert facts.metrics == {"accuracy": 0.931, "f1": 0.928}
    assert facts.description == "A DistilBERT fine-tuned on IMDB reviews: 66M parameters, English."
    card = facts.card
    assert card["datasets"] == ["imdb"] and card["base_model"] == ["distilbert-base-uncased"]
    assert card["language"] == ["en"] and card["metrics"] == ["accuracy", "f1"]
    assert card["model_index_name"] == "acme/sentiment-distilbert"
    assert card["results"][0] == {"task": "text-classification", "task_name": "Text Classification",
                                  "dataset": "IMDB", "dataset_type": "imdb", "split": "test", "metric": "accuracy",
                                  "metric_name": "Accuracy", "value": 0.931}


def test_same_metric_on_two_datasets_keeps_both_and_front_matter_counts() -> None:
    facts = parse_card(cards.TWO_DATASETS)
    assert facts.metrics == {"accuracy (IMDB, test)": 0.9, "accuracy (SST-2, validation)": 0.8}
    assert facts.param_count == 1_500_000_000
    assert facts.developer == "Ada, Grace"


def test_card_without_front_matter_is_its_text() -> None:
    facts = parse_card(cards.NO_FRONT_MATTER)
    assert facts.name is None and facts.tags == [] and facts.metrics == {} and facts.card == {}
    assert facts.param_count == 12_345
    assert facts.description == "This model predicts house prices. It has 12,345 parameters."


@pytest.mark.parametrize("text, says", [
    (cards.BAD_YAML, "front matter is not valid YAML"),
    (cards.BAD_MODEL_INDEX, "model-index is not in the hub's format (the key 'dataset' is missing)"),
    (cards.NOT_A_MAPPING, "must be a mapping of keys"),
    (cards.UNCLOSED, "never closed"),
    ("---\nparameters: lots\n---\n", "parameters must be a parameter count such as 110000000 or '110M', not 'lots'"),
    ("---\nlicense: [mit, apache]\n---\n", "license must be a single name"),
    ("   \n", "the model card is empty"),
    (42, "not 42"),
])
def test_malformed_cards_name_what_is_wrong(text: object, says: str) -> None:
    with pytest.raises(MLHubError) as e:
        parse_card(text)
    assert e.value.code == ErrorCode.INVALID
    assert says in e.value.message


def test_yaml_error_points_at_the_card_line() -> None:
    with pytest.raises(MLHubError) as e:
        parse_card(cards.BAD_YAML)
    assert "at line 3, column 26" in e.value.message   # the unclosed list, counted from the card's first line


@pytest.mark.parametrize("body, description", [
    # the hub template: a title, a comment, then the summary
    ("# Model Card for x\n\n<!-- Provide a quick summary. -->\n\nThis model classifies.\n\n## Details\n\nMore.",
     "This model classifies."),
    ("# Title\n\n- **Developed by:** me\n\n```\ncode\n\nstill code\n```\n\nFirst\nprose.", "First prose."),
    ("# Only a title\n\n| a | b |\n|---|---|\n", "Only a title"),
    ("x" * (MAX_DESCRIPTION + 50), "x" * (MAX_DESCRIPTION - 1) + "…"),
])
def test_description_is_the_first_paragraph_of_prose(body: str, description: str) -> None:
    assert parse_card("---\nlicense: mit\n---\n" + body).description == description
