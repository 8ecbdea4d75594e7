"""Hugging Face model cards: the README.md of a model repository, parsed into catalogue facts.

The front matter is read by ``huggingface_hub``'s :class:`~huggingface_hub.ModelCard`
(its YAML block, ``model-index`` into ``EvalResult`` objects); what it does not model
(a developer, a parameter count) is read from further front matter keys or from the lines
the hub's card template writes ("**Developed by:** ...", "110M parameters"). Pure: no I/O.
"""
from __future__ import annotations

import logging
import math
import re
from typing import Any

import yaml

from ..core.cards import CardFacts
from ..core.errors import invalid, quoted

MAX_CARD_CHARS = 1_000_000        # a README larger than this is not a model card
MAX_DESCRIPTION = 10_000          # as ModelService's description limit
PLACEHOLDER = "[More Information Needed]"   # the hub template's empty field

_PARAM_KEYS = ("param_count", "parameters", "num_parameters", "params", "parameter_count")
_DEVELOPER_KEYS = ("developer", "developers", "model_creator", "author")
_UNITS = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "billion": 1e9, "t": 1e12,
          "trillion": 1e12}
_NUMBER = r"(\d[\d,_]*(?:\.\d+)?)\s*(k|m|b|t|thousand|million|billion|trillion)?"
_PARAMS_BODY = [
    re.compile(_NUMBER + r"\s*(?:trainable\s+)?param(?:eter)?s\b", re.IGNORECASE),
    re.compile(r"\b(?:#\s*)?param(?:eter)?s?(?:\s+count)?\**\s*[:=|]\s*\**\s*" + _NUMBER + r"\b", re.IGNORECASE),
]
_DEVELOPED_BY = re.compile(r"developed\s+by:?\**:?\s*(.+)", re.IGNORECASE)
_FRONT_MATTER_OPEN = re.compile(r"\A\ufeff?\s*---\s*\r?\n")


def parse_card(text: Any) -> CardFacts:
    """The facts a model card states.

    ``text``: the whole README.md (front matter optional). Raises ``MLHubError`` (invalid)
    naming what is wrong: not text, too large, front matter that is not closed, not YAML,
    not a mapping, a ``model-index`` the hub's parser rejects, a field of the wrong type.
    """
    from huggingface_hub import ModelCard

    if not isinstance(text, str):
        raise invalid(f"a model card is the text of its README.md, not {quoted(text)}")
    if len(text) > MAX_CARD_CHARS:
        raise invalid(f"the model card has {len(text):,} characters; at most {MAX_CARD_CHARS:,} are read")
    if not text.strip():
        raise invalid("the model card is empty")
    if _FRONT_MATTER_OPEN.match(text) and not re.search(r"\r?\n---\s*(\r?\n|\Z)", text[3:]):
        raise invalid("the model card's front matter opens with '---' on its first line but is never closed "
                      "by a line '---'")
    try:
        # The hub's parser logs a warning for a card without front matter: that is a valid card here.
        logging.getLogger("huggingface_hub.repocard").disabled = True
        card = ModelCard(text)
    except yaml.YAMLError as e:
        raise invalid(f"the model card's front matter is not valid YAML: {_yaml_problem(e)}") from None
    except ValueError as e:
        raise invalid(f"the model card's front matter cannot be read: {_hub_problem(e)}") from None
    finally:
        logging.getLogger("huggingface_hub.repocard").disabled = False
    return _facts(card.data, card.data.to_dict(), card.text)


def _facts(data: Any, meta: dict[str, Any], body: str) -> CardFacts:
    index_name = data.model_name if isinstance(data.model_name, str) else None
    name = index_name.rsplit("/", 1)[-1] if index_name else None
    tags = _names("tags", data.tags)
    license_ = _name("license", data.license)
    library = _name("library_name", data.library_name) or ""
    task = _name("pipeline_tag", data.pipeline_tag)
    if task is not None and len(task) > 32:
        raise invalid(f"pipeline_tag {quoted(task)} is longer than 32 characters")
    metrics, results = _metrics(data.eval_results or [])
    card = {
        "license": license_, "license_name": _name("license_name", data.license_name),
        "license_link": _name("license_link", data.license_link), "datasets": _names("datasets", data.datasets),
        "base_model": _names("base_model", data.base_model), "pipeline_tag": task, "library_name": library or None,
        "language": _names("language", data.language), "metrics": _names("metrics", data.metrics),
        "model_index_name": index_name, "results": results,
    }
    return CardFacts(
        name=name, developer=_developer(meta, body, index_name), task=task, param_count=_param_count(meta, body),
        tags=tags, license=license_, library=library, description=_description(body), metrics=metrics,
        card={k: v for k, v in card.items() if v not in (None, [], "")})


def _yaml_problem(e: yaml.YAMLError) -> str:
    mark = getattr(e, "problem_mark", None)
    problem = getattr(e, "problem", None) or str(e).splitlines()[0]
    # The YAML block starts on the card's second line (after '---').
    return f"{problem} at line {mark.line + 2}, column {mark.column + 1}" if mark is not None else problem


def _hub_problem(e: ValueError) -> str:
    msg = str(e)
    if "metadata block should be a dict" in msg:
        return "it must be a mapping of keys (license: ..., tags: ...), not a list or a single value"
    got = re.search(r"Invalid `model_index` in metadata cannot be parsed: <class '(\w+)'> (.*?)\. Pass", msg, re.S)
    if got:
        kind, detail = got.groups()
        what = f"the key {detail} is missing" if kind == "KeyError" else detail
        return (f"its model-index is not in the hub's format ({what}); each entry needs a name and results, "
                "each result a task, a dataset and metrics with a type and a value")
    return msg.split(" Pass `ignore_metadata_errors")[0]


def _name(key: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value).strip() or None
    raise invalid(f"{key} must be a single name, not {quoted(value)}")


def _names(key: str, value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        got = _name(key, item) if not isinstance(item, list) else None
        if isinstance(item, list) or (item is not None and got is None and not isinstance(item, str)):
            raise invalid(f"{key} must be a name or a list of names, not {quoted(value)}")
        if got:
            if len(got) > 128:
                raise invalid(f"{key} entry {quoted(got)} is longer than 128 characters")
            out.append(got)
    return list(dict.fromkeys(out))


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return str(value)


def _metrics(results: list[Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``({metric: value}, [result rows])`` from the model-index's ``EvalResult`` objects."""
    rows = [{k: v for k, v in {
        "task": r.task_type, "task_name": r.task_name, "dataset": r.dataset_name, "dataset_type": r.dataset_type,
        "split": r.dataset_split, "metric": r.metric_type, "metric_name": r.metric_name,
        "value": _json_value(r.metric_value), "verified": r.verified}.items() if v is not None} for r in results]
    counts: dict[str, int] = {}
    for row in rows:
        counts[str(row["metric"])] = counts.get(str(row["metric"]), 0) + 1
    metrics: dict[str, Any] = {}
    for row in rows:
        key = str(row["metric"])
        if counts[key] > 1:
            where = ", ".join(str(row[k]) for k in ("dataset", "split") if row.get(k))
            key = f"{key} ({where})" if where else key
        if key not in metrics:
            metrics[key] = row.get("value")
    return metrics, rows


def _count(number: str, unit: str | None) -> int:
    value = float(number.replace(",", "").replace("_", ""))
    return int(round(value * _UNITS[unit.lower()])) if unit else int(value)


def _param_count(meta: dict[str, Any], body: str) -> int:
    for key in _PARAM_KEYS:
        if key in meta:
            value = meta[key]
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                return value
            got = re.fullmatch(_NUMBER + r"\s*(?:param(?:eter)?s)?", str(value).strip(), re.IGNORECASE)
            if isinstance(value, (str, float)) and got:
                return _count(*got.groups())
            raise invalid(f"{key} must be a parameter count such as 110000000 or '110M', not {quoted(value)}")
    for pattern in _PARAMS_BODY:
        got = pattern.search(body)
        if got:
            return _count(*got.groups())
    return 0


def _developer(meta: dict[str, Any], body: str, index_name: str | None) -> str:
    for key in _DEVELOPER_KEYS:
        if key in meta:
            names = _names(key, meta[key])
            return ", ".join(names)[:128]
    for line in body.splitlines():
        got = _DEVELOPED_BY.search(line.strip().lstrip("-* "))
        if got:
            who = got.group(1).strip().strip("*").strip()
            if who and PLACEHOLDER not in who:
                return who[:128]
    if index_name and "/" in index_name:
        return index_name.split("/", 1)[0][:128]
    return ""


def _description(body: str) -> str:
    """The card's summary: its first paragraph of prose (not a heading, list, table, quote,
    image, code or HTML comment), else its title; the whole card stays in its README."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", re.sub(r"<!--.*?-->", "", body, flags=re.S))]
    fence = False
    title = ""
    for block in blocks:
        if block.startswith(("```", "~~~")) or fence:
            fence = fence != (block.count("```") + block.count("~~~")) % 2 == 1
            continue
        if not block:
            continue
        if block.startswith("#"):
            title = title or block.splitlines()[0].lstrip("#").strip()
            continue
        if block.startswith(("-", "*", "|", ">", "![", "[![", "<", "+")) or re.match(r"\d+\.\s", block):
            continue
        text = " ".join(line.strip() for line in block.splitlines())
        return text if len(text) <= MAX_DESCRIPTION else text[:MAX_DESCRIPTION - 1] + "…"
    return title[:MAX_DESCRIPTION]
