"""Model card imports (``POST /models`` with a card's text): a catalogue entry with no weights,
created or updated. The card is parsed by :mod:`mlhub_ext.data.cards` and recorded by
:meth:`~mlhub_ext.core.model_service.ModelService.import_card`; see docs/models.md."""
from __future__ import annotations

from typing import Any

from ..core.errors import invalid, malformed
from ..core.model_service import ModelService
from ..data.cards import parse_card


def import_card(svc: ModelService, user: str, body: dict[str, Any]) -> dict[str, Any]:
    """``body``: ``{"card": "<README.md text>", "name": "<model>"?}``. Returns
    ``{"model": Model, "version": ModelVersion, "created": bool}``; the card is parsed
    before anything is stored, so a bad card stores nothing."""
    unknown = sorted(set(body) - {"card", "name"})
    if unknown:
        raise invalid(f"unknown field(s) {unknown}; a card import takes card (the README.md text) and name")
    if "card" not in body:
        raise malformed('a card import needs "card": the text of the model card (README.md)')
    facts = parse_card(body["card"])
    version, created = svc.import_card(user, facts, body.get("name"))
    return {"model": svc.get_model(user, version.model).to_json(), "version": version.to_json(), "created": created}
