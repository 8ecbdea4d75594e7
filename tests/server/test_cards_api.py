"""POST /models with a model card: a catalogue entry with no weights (real Jupyter server, jp_fetch)."""
from __future__ import annotations

import json
from typing import Any

from tornado.httpclient import HTTPClientError

from mlhub_ext.core.model_service import ModelService
from mlhub_ext.data.cards import parse_card
from tests import model_cards as cards


async def call(jp_fetch, method: str, *path: str, body: Any = None, raw: bytes | None = None,  # type: ignore[no-untyped-def]
               params: dict[str, str] | None = None) -> tuple[int, Any]:
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    try:
        resp = await jp_fetch("mlhub", "api", "v1", *path, method=method, body=data, params=params or {},
                              allow_nonstandard_methods=True)
    except HTTPClientError as e:
        assert e.response is not None
        return e.code, json.loads(e.response.body)
    return resp.code, json.loads(resp.body) if resp.body else None


def models(jp_serverapp) -> ModelService:  # type: ignore[no-untyped-def]
    return jp_serverapp.web_app.settings["mlhub_services"].models


async def test_import_card_creates_a_catalogue_model_without_weights(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    code, got = await call(jp_fetch, "POST", "models", body={"card": cards.SENTIMENT})
    assert code == 201, got
    assert got["created"] is True
    model, version = got["model"], got["version"]
    assert model["name"] == "sentiment-distilbert" and model["latest_version"] == 1
    assert model["tags"] == ["sentiment", "distilbert"] and model["developer"] == "ACME Research"
    assert model["task"] == "text-classification" and model["model_type"] == "card"
    assert model["estimator"] == "transformers" and model["visibility"] == "private"
    assert version["param_count"] == 66_000_000 and version["status"] == "card"
    assert version["metrics"] == {"accuracy": 0.931, "f1": 0.928}
    assert version["artifact"] == {"sha256": "", "size": 0}
    assert version["spec"]["card"]["license"] == "apache-2.0"
    assert version["spec"]["card"]["results"][1]["metric"] == "f1"

    # the catalogue finds it by its card's tags and type
    code, listed = await call(jp_fetch, "GET", "models", params={"tag": "sentiment", "type": "card"})
    assert code == 200 and [m["name"] for m in listed["models"]] == ["sentiment-distilbert"]
    assert listed["models"][0]["latest"]["metrics"]["accuracy"] == 0.931

    # no weights: download, prediction and evaluation say so (409), they do not fail inside
    code, err = await call(jp_fetch, "GET", "models", "sentiment-distilbert", "versions", "1", "artifact")
    assert code == 409 and "imported from a model card and has no weights" in err["error"]["message"]
    code, err = await call(jp_fetch, "POST", "models", "sentiment-distilbert", "predictions", body={"inputs": [[1]]})
    assert code == 409 and err["error"]["code"] == "conflict"


async def test_malformed_front_matter_is_422_and_stores_nothing(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    for text, says in ((cards.BAD_YAML, "not valid YAML"), (cards.BAD_MODEL_INDEX, "model-index"),
                       (cards.UNCLOSED, "never closed")):
        code, err = await call(jp_fetch, "POST", "models", body={"card": text, "name": "broken"})
        assert code == 422, err
        assert err["error"]["code"] == "invalid" and says in err["error"]["message"]
    code, listed = await call(jp_fetch, "GET", "models")
    assert listed["total"] == 0


async def test_bad_requests(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    code, err = await call(jp_fetch, "POST", "models", body={"name": "x"})
    assert code == 400 and '"card"' in err["error"]["message"]
    code, err = await call(jp_fetch, "POST", "models", raw=b"not json")
    assert code == 400 and err["error"]["code"] == "malformed"
    code, err = await call(jp_fetch, "POST", "models", body={"card": cards.SENTIMENT, "weights": 1})
    assert code == 422 and "['weights']" in err["error"]["message"]
    code, err = await call(jp_fetch, "POST", "models", body={"card": cards.SENTIMENT, "name": "bad name!"})
    assert code == 422 and "model name 'bad name!' is not valid" in err["error"]["message"]


async def test_card_without_front_matter_needs_a_name(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    code, err = await call(jp_fetch, "POST", "models", body={"card": cards.NO_FRONT_MATTER})
    assert code == 422 and "names no model" in err["error"]["message"] and "give the model a name" in \
        err["error"]["message"]
    code, got = await call(jp_fetch, "POST", "models", body={"card": cards.NO_FRONT_MATTER, "name": "houses"})
    assert code == 201
    assert got["model"]["description"] == "This model predicts house prices. It has 12,345 parameters."
    assert got["version"]["param_count"] == 12_345 and got["version"]["metrics"] == {}


async def test_reimport_updates_the_model_and_loses_nothing(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    await call(jp_fetch, "POST", "models", body={"card": cards.SENTIMENT})
    code, _ = await call(jp_fetch, "PATCH", "models", "sentiment-distilbert",
                         body={"visibility": "public", "tags": ["mine", "sentiment"]})
    assert code == 200
    await call(jp_fetch, "PUT", "models", "sentiment-distilbert", "members", "bob", body={"role": "read"})
    await call(jp_fetch, "PUT", "models", "sentiment-distilbert", "aliases", "production", body={"version": 1})

    code, got = await call(jp_fetch, "POST", "models", body={"card": cards.SENTIMENT_V2})
    assert code == 201 and got["created"] is False
    model = got["model"]
    assert model["latest_version"] == 2 and model["version_count"] == 2
    assert model["visibility"] == "public"                       # kept
    assert model["tags"] == ["mine", "sentiment", "distilbert", "v2"]   # the user's tags kept, the card's added
    assert "fine-tuned longer" in model["description"]
    assert model["aliases"] == {"production": 1}                 # stages do not move
    assert got["version"]["metrics"]["accuracy"] == 0.945
    code, v1 = await call(jp_fetch, "GET", "models", "sentiment-distilbert", "versions", "1")
    assert v1["metrics"]["accuracy"] == 0.931                     # the earlier version is untouched
    code, members = await call(jp_fetch, "GET", "models", "sentiment-distilbert", "members")
    assert {m["user"] for m in members["members"]} >= {"bob"}


async def test_a_model_the_caller_may_only_read_is_403_and_unseen_is_404(jp_fetch, jp_serverapp) -> None:  # type: ignore[no-untyped-def]
    svc = models(jp_serverapp)
    svc.import_card("bob", parse_card(cards.SENTIMENT), "bobs-public")
    svc.update_model("bob", "bobs-public", {"visibility": "public"})
    svc.import_card("bob", parse_card(cards.SENTIMENT), "bobs-private")
    code, err = await call(jp_fetch, "POST", "models", body={"card": cards.SENTIMENT_V2, "name": "bobs-public"})
    assert code == 403 and err["error"]["code"] == "forbidden"
    code, err = await call(jp_fetch, "POST", "models", body={"card": cards.SENTIMENT_V2, "name": "bobs-private"})
    assert code == 404
    assert svc.get_model("bob", "bobs-public").latest_version == 1
