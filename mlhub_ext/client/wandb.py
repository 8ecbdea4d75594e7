"""W&B-style code against ML Hub: the calls a typical training script makes, on :class:`Run`.

Used as ``import mlhub_ext.wandb as wandb`` (:mod:`mlhub_ext.wandb` re-exports this
module). Each call maps onto the SDK, so points go through the same buffer, write-ahead
log and batches as ``run.log``:

- ``wandb.init(project=, name=, config=, tags=, notes=, resume=, id=, group=, job_type=)``
  -> ``mh.init`` (``group``/``job_type`` become the tags ``group:<g>``/``job_type:<j>``;
  ``resume`` with ``id`` joins an existing run like ``mh.attach``);
- ``wandb.log(dict, step=, commit=)`` with W&B's step rules: each call without ``step``
  is a new step; ``commit=False`` adds to the current step until a committing call;
  ``step=n`` (n >= the current step) opens step n, written when a later call moves past
  it or commits; a smaller ``step`` is dropped with a warning, as W&B does;
- ``wandb.config`` (attribute and item access, ``update``, ``setdefaults``) -> the run's
  params; ``wandb.summary`` -> ``run.summary``, with W&B's default of each metric's last
  value (or ``define_metric``'s ``summary=`` aggregates, as ``"<key>.min"`` …) written
  at finish; ``wandb.finish(exit_code=)`` -> ``finished``, or ``failed`` when non-zero;
- ``wandb.run`` (``.id``, ``.name``, ``.url``, ``.project``, ``.config``, ``.summary``,
  ``.log``, ``.finish``) where ``.url`` is ``<server>/lab?mlhub-run=<id>``: JupyterLab
  with ML Hub opens that run's page (``mlhub:open-run``);
- ``wandb.define_metric(name, step_metric=, summary=, goal=)``: ``name`` may end in ``*``;
  a metric with a ``step_metric`` is stored at that metric's last logged value (an int)
  as its step.

Anything else W&B offers (``Table``, ``Artifact``, ``Image``, ``watch``, ``sweep`` …)
raises :class:`WandbNotSupported` naming it and what to use in ML Hub instead.
"""
from __future__ import annotations

import contextvars
import fnmatch
import logging
import math
from typing import Any, Iterator, Mapping

from ..core.errors import ErrorCode, MLHubError
from . import fluent
from .run import Run
from .values import coerce_value

_logger = logging.getLogger("mlhub_ext.client")

__all__ = ["init", "log", "finish", "define_metric", "WandbRun", "Config", "WandbNotSupported",
           "UNSUPPORTED"]

SUMMARY_KINDS = ("min", "max", "mean", "last", "first", "best", "none")


class WandbNotSupported(MLHubError, NotImplementedError):
    """A W&B feature the ML Hub shim does not provide; the message says what to use."""

    def __init__(self, name: str, instead: str) -> None:
        super().__init__(ErrorCode.INVALID,
                         f"wandb.{name} is not supported by ML Hub's W&B shim; {instead}")
        self.feature = name


# What W&B code may call that has no counterpart here, with what to do instead.
UNSUPPORTED: dict[str, str] = {
    "Table": "log scalars with wandb.log, or save the table as a file with run.log_artifact(path)",
    "Artifact": "upload files with run.log_artifact(path) or version data with mh.datasets.upload",
    "Image": "save the image to a file and call run.log_artifact(path)",
    "Histogram": "log summary statistics (mean, percentiles) as scalars with wandb.log",
    "Audio": "save the audio to a file and call run.log_artifact(path)",
    "Video": "save the video to a file and call run.log_artifact(path)",
    "Html": "save the page to a file and call run.log_artifact(path)",
    "Object3D": "save the object to a file and call run.log_artifact(path)",
    "plot": "draw with mh.plots or bokeh and save the figure with run.log_artifact(path)",
    "watch": "log gradient or weight norms yourself with wandb.log",
    "unwatch": "log gradient or weight norms yourself with wandb.log",
    "sweep": "run a sweep on Dask with mh.models (see docs/models.md)",
    "agent": "run a sweep on Dask with mh.models (see docs/models.md)",
    "controller": "run a sweep on Dask with mh.models (see docs/models.md)",
    "log_artifact": "call wandb.run.log_artifact(path) (a file of the run)",
    "use_artifact": "read data with mh.datasets.get(name, version)",
    "log_model": "register models with mh.models, or log the file with wandb.run.log_artifact(path)",
    "use_model": "load models with mh.models.get(name, version)",
    "link_model": "promote a version with mh.models.get(name, version).promote(stage)",
    "save": "call wandb.run.log_artifact(path) for each file",
    "restore": "download the artifact from the run page or the REST API",
    "alert": "watch the run page or the stream; ML Hub sends no alerts",
    "login": "ML Hub finds its server itself; outside Jupyter call mh.login(url, token)",
    "Api": "use mh (the SDK) or the REST API under /mlhub/api/v1/",
    "mark_preempting": "end the run with wandb.finish(exit_code=1)",
    "tensorboard": "log scalars with wandb.log",
}
_INIT_UNSUPPORTED = {
    "mode": "ML Hub keeps points in a local write-ahead log while offline; drop mode= "
            "(mode='disabled' has no counterpart: do not call wandb.init)",
    "sync_tensorboard": "log scalars with wandb.log",
    "monitor_gym": "log episode statistics with wandb.log",
    "save_code": "ML Hub records the notebook, cell and git state of every run already",
    "magic": "use %track (see docs/tracking.md)",
    "allow_val_change": "change config values with wandb.config.update(..., allow_val_change=True)",
    "config_exclude_keys": "filter the dict before passing config=",
    "config_include_keys": "filter the dict before passing config=",
    "fork_from": "start a new run with wandb.init",
    "resume_from": "start a new run with wandb.init",
}
# Accepted and without effect here (why in docs/wandb.md).
_INIT_IGNORED = ("entity", "dir", "reinit", "settings", "anonymous", "force", "quiet")


def _unsupported(name: str) -> Any:
    instead = UNSUPPORTED[name]

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise WandbNotSupported(name, instead)

    refuse.__name__ = refuse.__qualname__ = name
    refuse.__doc__ = f"Not supported: raises WandbNotSupported ({instead})."
    return refuse


class Config:
    """``wandb.config``: the run's params, by attribute or item; changes reach the server.

    Reading a missing name raises ``AttributeError``/``KeyError`` like W&B's config.
    Changing a value that is set already needs ``update(..., allow_val_change=True)``.
    """

    def __init__(self, run: "WandbRun | None" = None, data: Mapping[str, Any] | None = None) -> None:
        object.__setattr__(self, "_run", run)
        object.__setattr__(self, "_data", dict(data or {}))

    def _set(self, values: dict[str, Any], allow_val_change: bool) -> None:
        if not allow_val_change:
            for k, v in values.items():
                if k in self._data and self._data[k] != v:
                    raise MLHubError(ErrorCode.CONFLICT,
                                     f"config key {k!r} is {self._data[k]!r} already; pass "
                                     "allow_val_change=True to wandb.config.update to change it")
        if self._run is None:
            raise MLHubError(ErrorCode.CONFLICT, "no active run: call wandb.init() before setting config")
        self._run._run.log_params(values)
        self._data.update(values)

    def update(self, d: Mapping[str, Any] | Any, allow_val_change: bool = False) -> None:
        """Merge ``d`` (a dict or an ``argparse.Namespace``) into the params."""
        self._set(_as_dict(d, "config"), allow_val_change)

    def setdefaults(self, d: Mapping[str, Any]) -> None:
        """Set the keys of ``d`` that are not set yet."""
        missing = {k: v for k, v in _as_dict(d, "config").items() if k not in self._data}
        if missing:
            self._set(missing, False)

    def as_dict(self) -> dict[str, Any]:
        return dict(self._data)

    def keys(self) -> Any:
        return self._data.keys()

    def items(self) -> Any:
        return self._data.items()

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._set({str(key): value}, False)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(f"wandb.config has no key {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self._set({name: value}, False)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Config({self._data!r})"


class _Summary:
    """``wandb.summary``: explicit values over each metric's automatic one."""

    def __init__(self, run: "WandbRun") -> None:
        self._wrun = run

    def _merged(self) -> dict[str, Any]:
        return {**self._wrun._auto_summary(), **self._wrun._run.summary}

    def __getitem__(self, key: str) -> Any:
        return self._merged()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._wrun._run.summary[key] = value

    def __delitem__(self, key: str) -> None:
        del self._wrun._run.summary[key]

    def __contains__(self, key: object) -> bool:
        return key in self._merged()

    def __iter__(self) -> Iterator[str]:
        return iter(self._merged())

    def __len__(self) -> int:
        return len(self._merged())

    def get(self, key: str, default: Any = None) -> Any:
        return self._merged().get(key, default)

    def keys(self) -> Any:
        return self._merged().keys()

    def items(self) -> Any:
        return self._merged().items()

    def update(self, d: Mapping[str, Any]) -> None:
        for k, v in dict(d).items():
            self[k] = v

    def __repr__(self) -> str:
        return f"Summary({self._merged()!r})"


class _Metric:
    __slots__ = ("step_metric", "kinds", "goal")

    def __init__(self, step_metric: str | None, kinds: tuple[str, ...], goal: str | None) -> None:
        self.step_metric = step_metric
        self.kinds = kinds
        self.goal = goal


class WandbRun:
    """What ``wandb.init`` returns and ``wandb.run`` holds: a W&B-shaped view of a :class:`Run`."""

    def __init__(self, run: Run) -> None:
        self._run = run
        self.config = Config(self, run.config)
        self.summary = _Summary(self)
        self._step = 0
        self._pending: dict[str, Any] = {}
        self._last: dict[str, float] = {}      # key -> last logged value
        self._agg: dict[str, list[float]] = {}  # key -> [first, min, max, sum, count]
        self._defined: dict[str, _Metric] = {}
        self._patterns: list[tuple[str, _Metric]] = []
        self._resolved: dict[str, _Metric | None] = {}
        self._plain_off = False   # True once define_metric is used: rows need splitting

    # -- identity ----------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self._run.id

    @property
    def name(self) -> str | None:
        return self._run.name

    @property
    def project(self) -> str:
        return self._run.project

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(self._run.tags)

    @property
    def notes(self) -> str:
        return self._run.notes

    @property
    def url(self) -> str:
        """JupyterLab on the run's server with ``?mlhub-run=<id>``: opens the run's page."""
        return f"{self._run._http.conn.url}lab?mlhub-run={self._run.id}"

    @property
    def step(self) -> int:
        """The current W&B step (the next one written by a committing ``log``)."""
        return self._step

    @property
    def mlhub_run(self) -> Run:
        """The underlying ML Hub :class:`Run` (``log_artifact``, ``history``, ``flush`` …)."""
        return self._run

    def __repr__(self) -> str:
        return f"<wandb-style run {self.project}/{self.name or self.id}>"

    # -- logging -----------------------------------------------------------------------
    def log(self, data: Mapping[str, Any], step: int | None = None, commit: bool | None = None) -> None:
        """W&B's ``log``: see the module docstring for the step rules. Values are numbers
        (what ``run.log`` takes); anything else raises ``TypeError`` naming its key."""
        if step is None and commit is None and not self._pending and not self._plain_off \
                and type(data) is dict:
            # The common call, one step per log: straight to run.log (which copies ``data``).
            at = self._step
            self._run.log(data, at)
            self._last.update(data)
            self._step = at + 1
            return
        if not isinstance(data, Mapping):
            raise TypeError(f"wandb.log expects a dict of metric name -> number, not {type(data).__name__}")
        if step is not None:
            from .values import check_step

            step = check_step(step)
            if step < self._step:
                _logger.warning("mlhub: wandb.log: step %d is below the current step %d; dropping %s "
                            "(steps must only increase, as in W&B)", step, self._step, sorted(data))
                return
            if step > self._step:
                self._commit()
                self._step = step
            if commit is None:
                commit = False
        elif commit is None:
            commit = True
        if not commit:   # kept for a later call: checked now, so the error names this one
            from .values import coerce_metrics

            data = coerce_metrics(data)
        self._pending.update(data)
        if commit:
            self._commit()

    def _commit(self) -> None:
        row = self._pending
        if not row:
            return
        self._pending = {}
        step = self._step
        if self._defined or self._patterns:
            plain, other = self._split(row, step)
            if plain:
                self._run.log(plain, step)
            for at, values in other.items():
                self._run.log(values, at)
        else:
            self._run.log(row, step)
        self._track(row)
        self._step = step + 1

    def _split(self, row: dict[str, Any], step: int) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
        plain: dict[str, Any] = {}
        other: dict[int, dict[str, Any]] = {}
        for k, v in row.items():
            metric = self._metric(k)
            sm = metric.step_metric if metric is not None else None
            if sm is None or sm == k:
                plain[k] = v
                continue
            x = row.get(sm, self._last.get(sm))
            at = _as_step(x)
            if at is None:   # its step metric not logged yet: W&B's own step
                plain[k] = v
            else:
                other.setdefault(at, {})[k] = v
        return plain, other

    def _metric(self, key: str) -> _Metric | None:
        try:
            return self._resolved[key]
        except KeyError:
            pass
        found = self._defined.get(key)
        if found is None:
            for pattern, metric in self._patterns:
                if fnmatch.fnmatchcase(key, pattern):
                    found = metric
                    break
        self._resolved[key] = found
        return found

    def _track(self, row: dict[str, Any]) -> None:
        """Last value per key (kept raw: a dict update is all a plain ``log`` pays), and
        first/min/max/sum/count for metrics whose define_metric asks for aggregates."""
        self._last.update(row)
        if not (self._defined or self._patterns):
            return
        agg = self._agg
        for k, v in row.items():
            metric = self._metric(k)
            if metric is None or not set(metric.kinds) - {"last", "none"}:
                continue
            x = float(coerce_value(k, v))
            if x != x:   # NaN changes no aggregate
                continue
            a = agg.get(k)
            if a is None:
                agg[k] = [x, x, x, x, 1.0]
            else:
                if x < a[1]:
                    a[1] = x
                if x > a[2]:
                    a[2] = x
                a[3] += x
                a[4] += 1

    def _auto_summary(self) -> dict[str, Any]:
        """W&B's automatic summary: each metric's last value, or its define_metric kinds
        (``"<key>.<kind>"``); non-finite values are left out."""
        out: dict[str, Any] = {}
        for k, raw in self._last.items():
            metric = self._metric(k)
            kinds = metric.kinds if metric is not None and metric.kinds else ("last",)
            a = self._agg.get(k)
            for kind in kinds:
                if kind == "none":
                    continue
                name = k if kinds == ("last",) else f"{k}.{kind}"
                if kind == "best":
                    kind = "max" if metric is not None and metric.goal == "maximize" else "min"
                if kind == "last":
                    value = coerce_value(k, raw)
                elif a is None:
                    continue
                else:
                    value = {"first": a[0], "min": a[1], "max": a[2], "mean": a[3] / a[4]}[kind]
                if math.isfinite(value):
                    out[name] = value
        return out

    def define_metric(self, name: str, step_metric: str | None = None, summary: str | None = None,
                      goal: str | None = None, hidden: bool | None = None, **kwargs: Any) -> None:
        """Set a metric's step metric and summary aggregates (``"min"``, ``"max"``, ``"mean"``,
        ``"first"``, ``"last"``, ``"best"`` with ``goal``, ``"none"``; comma-separated)."""
        if kwargs:
            raise WandbNotSupported(f"define_metric({', '.join(sorted(kwargs))}=...)",
                                    "pass only name, step_metric, summary, goal or hidden")
        if not isinstance(name, str) or not name:
            raise MLHubError(ErrorCode.INVALID, f"define_metric: name must be a non-empty string, not {name!r}")
        kinds: tuple[str, ...] = ()
        if summary is not None:
            kinds = tuple(s.strip() for s in str(summary).split(",") if s.strip())
            bad = [k for k in kinds if k not in SUMMARY_KINDS]
            if bad:
                raise MLHubError(ErrorCode.INVALID, f"define_metric({name!r}): summary {bad[0]!r} is not one "
                                                    f"of {', '.join(SUMMARY_KINDS)}")
        if goal is not None and goal not in ("minimize", "maximize"):
            raise MLHubError(ErrorCode.INVALID, f"define_metric({name!r}): goal must be 'minimize' or "
                                                f"'maximize', not {goal!r}")
        metric = _Metric(step_metric, kinds, goal)
        self._plain_off = True
        if name.endswith("*"):
            self._patterns.append((name, metric))
        else:
            self._defined[name] = metric
        self._resolved.clear()

    def log_artifact(self, path: Any, name: str | None = None, **kwargs: Any) -> dict[str, Any]:
        """Upload one file as an artifact of the run (``run.log_artifact``); W&B's
        ``Artifact`` objects are not supported."""
        if not isinstance(path, (str, bytes)) and not hasattr(path, "__fspath__"):
            raise WandbNotSupported("Artifact", UNSUPPORTED["Artifact"])
        if kwargs:
            raise WandbNotSupported(f"log_artifact({', '.join(sorted(kwargs))}=...)",
                                    "pass the path of one file (and a name)")
        return self._run.log_artifact(path, name)

    def _prepare_end(self) -> None:
        """Write the pending step and the automatic summary (one push, with the end)."""
        run = self._run
        self._commit()
        explicit = dict(run.summary)
        for k, v in self._auto_summary().items():
            if k not in explicit:
                run.summary._data[k] = v
        if _current.get() is self:
            _current.set(None)

    def finish(self, exit_code: int | None = None, quiet: bool | None = None) -> bool:
        """Write the pending step and the automatic summary, then end the run: ``finished``,
        or ``failed`` with the reason ``"exit code <n>"`` for a non-zero ``exit_code``."""
        if self._run._closed:
            return True
        self._prepare_end()
        if exit_code:
            return self._run.finish("failed", status_reason=f"exit code {exit_code}")
        return self._run.finish("finished")

    def __enter__(self) -> "WandbRun":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        """As ``with mh.init(...)``: finished, failed with the traceback, or killed."""
        if not self._run._closed:
            self._prepare_end()
        return self._run.__exit__(exc_type, exc, tb)


def _as_step(x: Any) -> int | None:
    if x is None or isinstance(x, bool):
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(f) or f < 0:
        return None
    return int(f)


def _as_dict(d: Any, what: str) -> dict[str, Any]:
    if d is None:
        return {}
    if isinstance(d, Mapping):
        return {str(k): v for k, v in d.items()}
    if hasattr(d, "__dict__") and type(d).__name__ == "Namespace":   # argparse
        return dict(vars(d))
    raise MLHubError(ErrorCode.INVALID, f"{what} must be a dict or an argparse.Namespace, not {type(d).__name__}")


# The W&B-style run of this context (a ContextVar, as mh's own active run).
_current: contextvars.ContextVar[WandbRun | None] = contextvars.ContextVar("mlhub_wandb_run", default=None)


def current() -> WandbRun | None:
    """The run ``wandb.init`` started in this context and not finished yet."""
    wrun = _current.get()
    if wrun is not None and wrun._run._closed:
        _current.set(None)
        return None
    return wrun


def init(project: str | None = None, name: str | None = None, config: Any = None,
         tags: list[str] | tuple[str, ...] | None = None, notes: str | None = None,
         resume: bool | str | None = None, id: str | None = None, group: str | None = None,
         job_type: str | None = None, **kwargs: Any) -> WandbRun:
    """Start a run (``mh.init``) and make it ``wandb.run``; returns it.

    ``project`` defaults to ``WANDB_PROJECT`` or ``"uncategorized"`` (as in W&B).
    ``resume``: ``None``/``False``/``"never"`` start a new run; ``True``, ``"allow"``,
    ``"must"`` or ``"auto"`` with ``id`` (or ``WANDB_RUN_ID``) join that run, which must
    exist for ``"must"`` (else ``MLHubError(NOT_FOUND)``); without one ``"allow"`` and
    ``"auto"`` start a new run. Raises :class:`WandbNotSupported` for W&B-only arguments.
    """
    import os

    for key in kwargs:
        if key in _INIT_UNSUPPORTED:
            if key == "mode" and kwargs[key] in ("online", "offline", None):
                continue
            raise WandbNotSupported(f"init({key}=...)", _INIT_UNSUPPORTED[key])
        if key not in _INIT_IGNORED:
            raise TypeError(f"wandb.init() got an unexpected keyword argument {key!r}")
    project = project or os.environ.get("WANDB_PROJECT") or "uncategorized"
    previous = current()
    if previous is not None:
        previous.finish()
    if resume not in (None, False, True, "never", "allow", "must", "auto"):
        raise MLHubError(ErrorCode.INVALID, f"resume must be True, False, 'allow', 'must', 'auto' or "
                                            f"'never', not {resume!r}")
    run_id = id or os.environ.get("WANDB_RUN_ID")
    conf = _as_dict(config, "config")
    if resume not in (None, False, "never") and run_id:
        run = _resume(run_id, resume)
        if run is not None:
            wrun = WandbRun(run)
            wrun._step = _next_step(run)
            if conf:
                wrun.config.update(conf, allow_val_change=True)
            _current.set(wrun)
            return wrun
    elif resume == "must":
        raise MLHubError(ErrorCode.INVALID, "resume='must' needs the run's id: pass id= or set WANDB_RUN_ID")
    all_tags = [str(t) for t in (tags or ())]
    if group:
        all_tags.append(f"group:{group}")
    if job_type:
        all_tags.append(f"job_type:{job_type}")
    run = fluent.init(project, name=name, config=conf or None, tags=all_tags or None, notes=notes)
    wrun = WandbRun(run)
    _current.set(wrun)
    return wrun


def _resume(run_id: str, resume: Any) -> Run | None:
    try:
        return fluent.attach(run_id)
    except MLHubError as exc:
        if exc.code != ErrorCode.NOT_FOUND:
            raise
        if resume == "must":
            raise MLHubError(ErrorCode.NOT_FOUND, f"resume='must': there is no run {run_id!r} to resume") from None
        return None


def _next_step(run: Run) -> int:
    """One past the largest step of the run's non-system series."""
    infos = run._http.get(f"runs/{run.id}/metrics").get("metrics") or []
    steps = [int(m["last_step"]) for m in infos if not str(m.get("key", "")).startswith("system/")]
    return max(steps, default=-1) + 1


def _require() -> WandbRun:
    wrun = current()
    if wrun is None:
        raise MLHubError(ErrorCode.CONFLICT, "no active run: call wandb.init() first")
    return wrun


def log(data: Mapping[str, Any], step: int | None = None, commit: bool | None = None) -> None:
    """``wandb.run.log``; raises ``MLHubError(CONFLICT)`` before ``wandb.init``."""
    _require().log(data, step=step, commit=commit)


def define_metric(name: str, step_metric: str | None = None, summary: str | None = None,
                  goal: str | None = None, hidden: bool | None = None, **kwargs: Any) -> None:
    """``wandb.run.define_metric`` on the active run."""
    _require().define_metric(name, step_metric=step_metric, summary=summary, goal=goal,
                             hidden=hidden, **kwargs)


def finish(exit_code: int | None = None, quiet: bool | None = None) -> bool:
    """End the active run (no-op without one); non-zero ``exit_code`` -> ``failed``."""
    wrun = current()
    return True if wrun is None else wrun.finish(exit_code=exit_code)


_DETACHED_CONFIG = Config()


def __getattr__(name: str) -> Any:
    if name == "run":
        return current()
    if name == "config":
        wrun = current()
        return wrun.config if wrun is not None else _DETACHED_CONFIG
    if name == "summary":
        wrun = current()
        if wrun is None:
            raise MLHubError(ErrorCode.CONFLICT, "no active run: call wandb.init() first")
        return wrun.summary
    if name in UNSUPPORTED:
        return _unsupported(name)
    raise AttributeError(f"module 'mlhub_ext.wandb' has no attribute {name!r} (see docs/wandb.md "
                         "for what ML Hub's W&B shim supports)")
