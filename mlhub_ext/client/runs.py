"""``mh.runs``: find runs and read what they recorded (to log into one, use ``mh.init``/``mh.attach``).

>>> runs = mh.runs.list("churn", filter="metrics.val_loss < 0.3", order_by="metrics.val_loss", descending=False)
>>> best = runs[0]                          # RunSummary(id=..., project='churn', name=..., status='finished')
>>> best.params["lr"], best.metrics["val_loss"]
>>> runs.to_pandas()                        # id, project, name, owner, status, ..., params.*, metrics.*

``filter`` is the runs table's search grammar (``params.lr > 0.01 and status = "finished"``,
see docs/tracking.md); ``q`` a free-text search over names, tags and notes.
"""
from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from ..core.numbers import decode_value
from .fluent import client
from .records import NotADict, Records, ts

RUN_COLUMNS = ("id", "project", "name", "owner", "status", "status_reason", "created_at", "finished_at", "tags")


def _number(value: Any) -> Any:
    try:
        return decode_value(value)   # "NaN"/"Infinity" as the server writes them
    except ValueError:
        return value


@dataclass(frozen=True)
class RunSummary(NotADict):
    """A run as the registry recorded it (read-only; ``mh.attach(id)`` logs into it).

    ``params``: its configuration; ``metrics``: the latest value of each metric (floats,
    NaN/inf included); ``summary``: ``run.summary``; ``status``: running, finished, failed
    or killed, with ``status_reason``; times UTC; ``raw``: the JSON as the server sent it.
    """

    id: str
    project: str
    name: str
    owner: str
    status: str
    created_at: datetime | None
    finished_at: datetime | None
    tags: builtins.list[str] = field(default_factory=builtins.list)
    params: dict[str, Any] = field(default_factory=dict, repr=False)
    metrics: dict[str, Any] = field(default_factory=dict, repr=False)
    summary: dict[str, Any] = field(default_factory=dict, repr=False)
    notes: str = field(default="", repr=False)
    status_reason: str = field(default="", repr=False)
    updated_at: datetime | None = field(default=None, repr=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "RunSummary":
        return cls(d["id"], d["project"], d.get("name") or "", d.get("owner") or "", d.get("status", "running"),
                   ts(d.get("created_at")), ts(d.get("finished_at")), builtins.list(d.get("tags") or []),
                   dict(d.get("params") or {}),
                   {k: _number(v) for k, v in (d.get("latest_metrics") or {}).items()},
                   dict(d.get("summary") or {}), d.get("notes") or "", d.get("status_reason") or "",
                   ts(d.get("updated_at")), d)

    def _row(self) -> dict[str, Any]:
        row: dict[str, Any] = {"id": self.id, "project": self.project, "name": self.name, "owner": self.owner,
                               "status": self.status, "status_reason": self.status_reason,
                               "created_at": self.created_at, "finished_at": self.finished_at, "tags": self.tags}
        row.update({f"params.{k}": v for k, v in self.params.items()})
        row.update({f"metrics.{k}": v for k, v in self.metrics.items()})
        return row


def list(project: str | None = None, filter: str | None = None, q: str | None = None,  # noqa: A001, A002
         order_by: str | None = None, descending: bool = True, limit: int = 100,
         offset: int = 0) -> Records[RunSummary]:
    """Runs you may read (of ``project``, or of every project), as :class:`RunSummary` objects.

    ``order_by``: ``created_at`` (default), ``updated_at``, ``name``, ``status``,
    ``metrics.<key>`` or ``params.<key>``; ``limit`` at most 1000. ``.to_pandas()`` gives one
    row per run with a ``params.<key>`` and ``metrics.<key>`` column for each one seen.
    Raises ``MLHubError`` (``invalid``) for a bad filter or order, naming it.
    """
    params: dict[str, Any] = {"limit": limit, "offset": offset, "desc": str(bool(descending)).lower()}
    for key, value in (("project", project), ("filter", filter), ("q", q), ("order_by", order_by)):
        if value:
            params[key] = value
    got = client().get("runs", params=params)["runs"]
    return Records((RunSummary.from_json(r) for r in got), RUN_COLUMNS)


def get(run_id: str) -> RunSummary:
    """The run ``run_id``; ``MLHubError`` (``not_found``) when it does not exist or you may not read it."""
    return RunSummary.from_json(client().get(f"runs/{quote(run_id, safe='')}"))
