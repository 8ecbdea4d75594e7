"""``mh.insights(project, metric)``: parameter importance of a project's runs for a metric.

```python
table = mh.insights("churn", "val_loss", filter="tags = sweep-3")
table.head()          # param, importance, correlation, n, kind (most important first)
table.attrs["runs"]   # runs it was computed over; attrs["skipped"]: {"without_metric": n}
```
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence
from urllib.parse import quote

from ..core.errors import invalid
from .fluent import client

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ["param", "importance", "correlation", "n", "kind"]


def insights(project: str, metric: str, filter: str | None = None, runs: Sequence[str] | None = None,
             q: str | None = None) -> "pd.DataFrame":
    """Each param's importance for ``metric`` over ``project``'s runs, as W&B's
    parameter-importance panel computes it (the server does the work).

    Runs: every run matching ``filter`` (the run filter language, e.g. ``"params.opt = adam and
    tags = sweep"``) and ``q`` (text in names or tags), or the run ids ``runs``. A run counts
    when its ``metric`` (the latest logged value, else the summary's) is a finite number.

    Returns a DataFrame, most important first, with columns ``param``, ``importance``
    (random-forest impurity importance; all sum to 1), ``correlation`` (Pearson, NaN for
    text params or a constant one), ``n`` (counted runs that have the param) and ``kind``
    (``number`` or ``category``); ``attrs`` holds ``metric``, ``runs`` and ``skipped``.
    Raises :class:`~mlhub_ext.core.errors.MLHubError` ``invalid`` for an unknown or
    non-numeric metric or fewer than 2 runs with it, ``not_found`` for a project you cannot read.
    """
    import pandas as pd

    if not isinstance(project, str) or not project:
        raise invalid(f"project must be a project name, not {project!r}")
    if not isinstance(metric, str) or not metric:
        raise invalid(f"metric must be a metric key, not {metric!r}")
    path = f"projects/{quote(project, safe='')}/insights"
    if runs is not None:
        body: dict[str, Any] = {"metric": metric, "runs": [str(r) for r in runs]}
        if filter:
            body["filter"] = filter
        if q:
            body["q"] = q
        answer = client().post(path, json=body)
    else:
        params = {"metric": metric, **({"filter": filter} if filter else {}), **({"q": q} if q else {})}
        answer = client().get(path, params=params)
    frame = pd.DataFrame(answer["params"], columns=COLUMNS)
    frame["importance"] = frame["importance"].astype(float)
    frame["correlation"] = pd.to_numeric(frame["correlation"], errors="coerce").astype(float)
    frame["n"] = frame["n"].astype(int)
    frame.attrs.update({"metric": answer["metric"], "runs": answer["runs"], "skipped": answer.get("skipped", {})})
    return frame
