"""``mh.models.import_card`` against a real `mlhub serve`; a card fetched by huggingface_hub
from a small hub of ours on 127.0.0.1 (the hub's URL layout: /<repo>/resolve/<rev>/README.md)."""
from __future__ import annotations

import hashlib
import http.server
import threading
import uuid
from typing import Iterator

import pytest

import mlhub_ext as mh
from mlhub_ext.core.errors import ErrorCode, MLHubError
from tests import model_cards as cards


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class FakeHub(http.server.ThreadingHTTPServer):
    """Serves README.md of the repositories in ``cards`` as the Hugging Face hub does."""

    def __init__(self, cards: dict[str, str]) -> None:
        self.cards = {repo: text.encode() for repo, text in cards.items()}
        self.requests: list[str] = []
        super().__init__(("127.0.0.1", 0), _HubHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _HubHandler(http.server.BaseHTTPRequestHandler):
    server: FakeHub

    def _answer(self, with_body: bool) -> None:
        self.server.requests.append(f"{self.command} {self.path}")
        repo, sep, rest = self.path.lstrip("/").partition("/resolve/")
        body = self.server.cards.get(repo)
        if not sep or body is None or rest.split("/", 1)[-1] != "README.md":
            self.send_response(404)
            self.send_header("X-Error-Code", "RepoNotFound")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", f'"{hashlib.sha1(body).hexdigest()}"')
        self.send_header("X-Repo-Commit", hashlib.sha1(repo.encode()).hexdigest())
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(False)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(True)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    server = FakeHub({"acme/sentiment-distilbert": cards.SENTIMENT})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("MLHUB_HF_ENDPOINT", server.url)
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    yield server
    server.shutdown()
    server.server_close()


def test_import_a_card_file_then_update_it(tracking, tmp_path) -> None:  # type: ignore[no-untyped-def]
    name = unique("sentiment")
    readme = tmp_path / "README.md"
    readme.write_text(cards.SENTIMENT, encoding="utf-8")
    mv = mh.models.import_card(readme, name=name)
    assert (mv.name, mv.version) == (name, 1)
    assert mv.info["model_type"] == "card" and mv.metrics == {"accuracy": 0.931, "f1": 0.928}
    assert mv.info["param_count"] == 66_000_000 and mv.info["developer"] == "ACME Research"
    model = mh.models.model(name)
    assert model.info["tags"] == ["sentiment", "distilbert"] and model.info["task"] == "text-classification"

    model.update(tags=["team-nlp"])
    mv2 = mh.models.import_card(str(tmp_path), name=name)   # a folder holding README.md
    assert mv2.version == 2
    info = mh.models.model(name).info
    assert info["tags"] == ["team-nlp", "sentiment", "distilbert"]
    assert mh.models.get(name, 1).metrics["accuracy"] == 0.931
    with pytest.raises(MLHubError) as e:
        mv2.download()
    assert e.value.code == ErrorCode.CONFLICT and "no weights" in e.value.message


def test_card_text_takes_its_name_from_the_model_index(tracking) -> None:  # type: ignore[no-untyped-def]
    name = unique("indexed")
    mv = mh.models.import_card(cards.TWO_DATASETS.replace("name: two-sets", f"name: org/{name}"))
    assert mv.name == name
    assert mv.metrics == {"accuracy (IMDB, test)": 0.9, "accuracy (SST-2, validation)": 0.8}


def test_malformed_card_raises_and_stores_nothing(tracking) -> None:  # type: ignore[no-untyped-def]
    name = unique("broken")
    with pytest.raises(MLHubError) as e:
        mh.models.import_card(cards.BAD_YAML, name=name)
    assert e.value.code == ErrorCode.INVALID
    assert "front matter is not valid YAML" in e.value.message and "line 3" in e.value.message
    with pytest.raises(MLHubError) as e:
        mh.models.model(name)
    assert e.value.code == ErrorCode.NOT_FOUND


def test_missing_file_and_repo_id_without_endpoint(tracking, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("MLHUB_HF_ENDPOINT", raising=False)
    with pytest.raises(MLHubError) as e:
        mh.models.import_card("acme/sentiment-distilbert")
    assert e.value.code == ErrorCode.INVALID and "set MLHUB_HF_ENDPOINT" in e.value.message
    with pytest.raises(MLHubError) as e:
        mh.models.import_card(tmp_path / "nowhere" / "README.md")
    assert e.value.code == ErrorCode.NOT_FOUND and "no model card at" in e.value.message


def test_repo_id_is_fetched_from_the_configured_hub(tracking, hub) -> None:  # type: ignore[no-untyped-def]
    name = unique("fetched")
    mv = mh.models.import_card("acme/sentiment-distilbert", name=name)
    assert mv.metrics["accuracy"] == 0.931 and mv.info["spec"]["card"]["base_model"] == ["distilbert-base-uncased"]
    assert any(r.startswith("GET /acme/sentiment-distilbert/resolve/main/README.md") for r in hub.requests)
    with pytest.raises(MLHubError) as e:
        mh.models.import_card("acme/nothing-here")
    assert e.value.code == ErrorCode.NOT_FOUND and f"'acme/nothing-here' on {hub.url}" in e.value.message
