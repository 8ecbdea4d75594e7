"""Model cards recorded by the model service over the SQL store (SQLite and PostgreSQL)."""
from __future__ import annotations

from pathlib import Path

import pytest

from mlhub_ext.core.entities import Role
from mlhub_ext.core.errors import MLHubError
from mlhub_ext.data.cards import parse_card
from mlhub_ext.store import open_registry
from mlhub_ext.store.models import open_models
from tests import model_cards as cards


@pytest.fixture
def svc(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    reg = open_registry(db_url, artifact_root=str(tmp_path / "blobs"))
    yield open_models(reg)
    reg.store.close()


def trained() -> dict[str, object]:
    return {"model_bytes": b"weights", "model_type": "sklearn", "task": "classification",
            "estimator_name": "LogisticRegression", "metrics": {"accuracy": 0.8}, "evaluation": {"accuracy": 0.8},
            "input_schema": [{"name": "x", "dtype": "float"}], "classes": ["a", "b"], "param_count": 3,
            "spec": {"kind": "sklearn"}}


def test_card_on_a_trained_model_adds_a_version_and_loses_nothing(svc) -> None:  # type: ignore[no-untyped-def]
    svc.register_version("alice", "sentiment", trained(), tags=["team"], description="ours")
    svc.promote("alice", "sentiment", "production", 1)
    svc.set_member("alice", "sentiment", "bob", "read")

    card, created = svc.import_card("alice", parse_card(cards.SENTIMENT), "sentiment")
    assert created is False and card.version == 2 and card.model_type == "card"
    assert card.artifact_sha256 == "" and card.metrics == {"accuracy": 0.931, "f1": 0.928}
    assert card.spec["card"]["base_model"] == ["distilbert-base-uncased"]

    model = svc.get_model("alice", "sentiment")
    assert model.aliases == {"production": 1} and model.tags == ["team", "sentiment", "distilbert"]
    assert model.description.startswith("A DistilBERT fine-tuned")
    v1 = svc.get_version("alice", "sentiment", 1)
    assert svc.model_bytes(v1) == b"weights" and v1.metrics == {"accuracy": 0.8}
    assert [m.user for m in svc.list_members("alice", "sentiment")] == ["alice", "bob"]
    # a prediction without a stage still uses production's weights
    served, stage = svc.serving_version("alice", "sentiment")
    assert (served.version, stage) == (1, "production")
    with pytest.raises(MLHubError) as e:
        svc.model_bytes(card)
    assert e.value.code.value == "conflict" and "version 2 of model 'sentiment'" in e.value.message


def test_only_editors_import_into_a_model(svc) -> None:  # type: ignore[no-untyped-def]
    svc.import_card("alice", parse_card(cards.SENTIMENT), "shared")
    svc.set_member("alice", "shared", "bob", Role.READ.value)
    with pytest.raises(MLHubError) as e:
        svc.import_card("bob", parse_card(cards.SENTIMENT_V2), "shared")
    assert e.value.code.value == "forbidden"
    svc.set_member("alice", "shared", "bob", Role.EDIT.value)
    v2, _ = svc.import_card("bob", parse_card(cards.SENTIMENT_V2), "shared")
    assert v2.version == 2 and v2.created_by == "bob"
    assert svc.get_model("alice", "shared").owner == "alice"


def test_a_card_name_that_is_not_a_model_name_asks_for_one(svc) -> None:  # type: ignore[no-untyped-def]
    facts = parse_card(cards.SENTIMENT.replace("acme/sentiment-distilbert", "acme/sentiment distilbert"))
    with pytest.raises(MLHubError) as e:
        svc.import_card("alice", facts)
    assert "'sentiment distilbert', which is not a valid model name" in e.value.message
    assert svc.list_models("alice")[1] == 0
