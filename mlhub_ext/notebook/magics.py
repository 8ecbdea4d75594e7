"""``%track`` and ``%%track``: experiment tracking without leaving the notebook.

``%load_ext mlhub_ext`` registers them.

- ``%track start project=mnist [name=baseline] [tags=a,b] [--no-live]`` starts a run,
  makes it the active run (``mh.log`` writes to it) and shows its live curves;
  ``%track stop [status=failed]`` finishes it.
- ``%%track project=mnist [name=...] [tags=...] [--params lr,epochs] [--no-live]`` runs
  the cell as one run: the cell's source is its provenance, the named variables are
  logged as params when the cell ends, and the run ends ``finished`` (or ``failed``
  with the error as its status reason and the traceback in its notes, the error then
  propagating as usual; ``killed`` on an interrupt; a stop from the lab ends the cell
  quietly, the run ``killed`` "stopped from the lab").
"""
from __future__ import annotations

import ast
import shlex
from typing import Any, Callable

from IPython.core import magic_arguments as ma
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class

from ..client import fluent
from ..client.run import INTERRUPTED, STOPPED_FROM_THE_LAB, RunStopped
from ..core.errors import ErrorCode, MLHubError

_OPTIONS = {"project", "name", "tags", "status", "params"}


def _track_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Give a track magic its options through IPython's ``magic_arguments``: ``func.parser``
    parses them, and its docstring (what ``%track?`` shows) becomes their help."""
    decorators = [
        ma.magic_arguments("track"),
        ma.argument("words", nargs="*", metavar="WORD",
                    help="start | stop (line magic), then key=value options: project=, name=, tags=, "
                         "status=, params= (the same as --project ... below)"),
        ma.argument("--project", help="the project of the run"),
        ma.argument("--name", help="the run's name"),
        ma.argument("--tags", help="comma-separated tags"),
        ma.argument("--status", help="%%track stop: how the run ended (default finished)"),
        ma.argument("--params", help="%%%%track: comma-separated variables logged as params when the cell ends"),
        ma.argument("--no-live", action="store_true", help="do not show the live curves widget"),
    ]
    for deco in reversed(decorators):   # as if stacked in this order above func
        func = deco(func)
    return func


def parse_args(line: str) -> dict[str, Any]:
    """The words and options of a track magic line: ``{"words": [...], option: value}``
    with only the options given (``key=value`` and ``--key value`` alike); ``no_live`` is
    True when ``--no-live`` is. An unknown ``key=`` raises ``MLHubError``, an unknown
    ``--option`` IPython's ``UsageError``."""
    parsed = vars(TrackMagics.track_line.parser.parse_intermixed_args(shlex.split(line)))
    out: dict[str, Any] = {"words": []}
    out.update({key: value for key, value in parsed.items() if key != "words" and value not in (None, False)})
    for word in parsed["words"]:
        key, eq, value = word.partition("=")
        if not eq:
            out["words"].append(word)
        elif key not in _OPTIONS:
            raise MLHubError(ErrorCode.INVALID, f"unknown option {key!r}; use {sorted(_OPTIONS)}")
        else:
            out[key] = value
    return out


def _split(value: Any) -> list[str]:
    return [v for v in str(value or "").split(",") if v]


@magics_class
class TrackMagics(Magics):
    """The ``track`` line and cell magics."""

    @line_magic("track")
    @_track_options
    def track_line(self, line: str) -> None:
        """``%track start project=NAME [name=...] [tags=a,b] [--no-live]`` starts a run and
        makes it the active run; ``%track stop [status=failed]`` finishes it."""
        args = parse_args(line)
        action = args["words"][0] if args["words"] else ""
        if action == "start":
            project = args.get("project") or (args["words"][1] if len(args["words"]) > 1 else None)
            if not project:
                raise MLHubError(ErrorCode.INVALID, "%track start needs project=NAME")
            run = fluent.init(project, name=args.get("name"), tags=_split(args.get("tags")) or None)
            print(f"mlhub: run {run.name or run.id} started in project {run.project!r}")
            self._show(run, args)
        elif action == "stop":
            run = fluent.active_run()
            if run is None:
                raise MLHubError(ErrorCode.CONFLICT, "%track stop: no active run")
            complete = run.finish(args.get("status") or "finished")
            print(f"mlhub: run {run.name or run.id} {run.status}"
                  + ("" if complete else " (some points are still in the local WAL)"))
        else:
            raise MLHubError(ErrorCode.INVALID, "usage: %track start project=NAME [name=...] | %track stop")

    @cell_magic("track")
    @_track_options
    def track_cell(self, line: str, cell: str) -> Any:
        """``%%track project=NAME [name=...] [tags=...] [--params lr,epochs] [--no-live]``
        runs the cell as one run."""
        args = parse_args(line)
        project = args.get("project") or (args["words"][0] if args["words"] else None)
        if not project:
            raise MLHubError(ErrorCode.INVALID, "%%track needs project=NAME")
        run = fluent.init(project, name=args.get("name"), tags=_split(args.get("tags")) or None)
        self._show(run, args)
        params = _split(args.get("params"))
        try:
            result = self._execute(cell)
        except RunStopped as exc:   # run.log ended the run already
            self._log_params(run, params)
            run.finish("killed", status_reason=STOPPED_FROM_THE_LAB)
            print(f"mlhub: {exc}")
            return None
        except BaseException as exc:
            self._log_params(run, params)
            if isinstance(exc, KeyboardInterrupt):
                run.finish("killed", status_reason=INTERRUPTED)
            else:
                run.fail(exc)
            raise
        self._log_params(run, params)
        run.finish("finished")
        return result

    def _execute(self, cell: str) -> Any:
        """Run the cell in the user namespace; the value of a last expression is returned."""
        shell = self.shell
        code = shell.transform_cell(cell)
        tree = ast.parse(code, filename="<%%track>")
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        ns = shell.user_ns
        exec(compile(tree, "<%%track>", "exec"), ns)
        if last is not None:
            return eval(compile(last, "<%%track>", "eval"), ns)
        return None

    def _log_params(self, run: Any, names: list[str]) -> None:
        ns = self.shell.user_ns
        values = {}
        for name in names:
            if name in ns:
                value = ns[name]
                try:
                    from ..client.run import jsonable

                    values[name] = jsonable(name, value)
                except (TypeError, ValueError):
                    values[name] = repr(value)
        if values:
            run.log_params(values)

    def _show(self, run: Any, args: dict[str, Any]) -> None:
        if args.get("no_live"):
            return
        from IPython.display import display

        from .live import live

        display(live(run))


def register(ipython: Any) -> None:
    ipython.register_magics(TrackMagics)
