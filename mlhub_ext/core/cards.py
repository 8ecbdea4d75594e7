"""What a model card says about a model, as the catalogue stores it.

A Hugging Face model card (README.md: YAML front matter and a Markdown body) is parsed by
:func:`mlhub_ext.data.cards.parse_card` into :class:`CardFacts`; the model service turns
those into a catalogue entry with no weights (:meth:`.ModelService.import_card`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CARD_MODEL_TYPE = "card"     # the model_type of a version imported from a card: no weights
CARD_STATUS = "card"         # its status: documented, not trained here


@dataclass
class CardFacts:
    """The catalogue fields a card states; empty where it states nothing.

    ``name`` is the model name the card gives (model-index, else ``model_name``) or None;
    ``task`` the ``pipeline_tag``; ``param_count`` 0 where no count is stated; ``metrics``
    maps a reported metric to its value (``{"accuracy": 0.93}``; the dataset is added to
    the key when several datasets report the same metric); ``card`` keeps the front matter
    facts with no catalogue column (license, datasets, base_model, library_name, language,
    the full model-index results as ``results``) and is stored as the version's
    ``spec["card"]``.
    """

    name: str | None = None
    developer: str = ""
    task: str | None = None
    param_count: int = 0
    tags: list[str] = field(default_factory=list)
    license: str | None = None
    library: str = ""
    description: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)
    card: dict[str, Any] = field(default_factory=dict)
