"""The ``mlhub`` command: serve, token, db, sync, demo."""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import timedelta
from typing import Any, Sequence

from .core.errors import ErrorCode, MLHubError


def _defaults() -> Any:
    from .server.config import MLHubConfigMixin

    return MLHubConfigMixin()


def _cmd_serve(args: argparse.Namespace) -> int:
    import logging

    from .server.standalone import TokenAuthHandler, make_app, serve
    from .services.settings import settings_from_config

    logging.basicConfig(level=getattr(logging, args.log_level),
                        format="[mlhub %(asctime)s %(levelname)s] %(message)s")
    cfg = _defaults()
    db_url = args.db_url or cfg.db_url
    artifacts = args.artifact_root or cfg.artifact_root
    if args.hub:
        from .server.hub_service import hub_app_and_address

        app, ip, port = hub_app_and_address(db_url, artifacts)
    else:
        app = make_app(settings_from_config(cfg, "standalone", db_url=db_url, artifact_root=artifacts),
                       auth_base=TokenAuthHandler)
        ip, port = args.ip, args.port
    asyncio.run(serve(app, ip, port))
    return 0


def _registry(args: argparse.Namespace) -> Any:
    from .store import open_registry

    cfg = _defaults()
    return open_registry(getattr(args, "db_url", None) or cfg.db_url, auto_upgrade=cfg.auto_upgrade)


_UNITS = {"d": 86400.0, "h": 3600.0, "m": 60.0}


def parse_expires(text: str | None) -> timedelta | None:
    """``--expires``: ``30d``, ``12h``, ``90m``, a bare number of days, or ``never``."""
    if text is None or text.strip().lower() == "never":
        return None
    value = text.strip().lower()
    unit = _UNITS.get(value[-1:], None)
    number = value[:-1] if unit else value
    try:
        amount = float(number)
    except ValueError:
        raise MLHubError(ErrorCode.INVALID, f"--expires {text!r} is not a duration: use e.g. 30d, 12h, 90m, 7 "
                         "(days) or never") from None
    if not amount > 0 or amount == float("inf"):
        raise MLHubError(ErrorCode.INVALID, f"--expires {text!r} must be a positive duration (or never)")
    return timedelta(seconds=amount * (unit or _UNITS["d"]))


def _cmd_token(args: argparse.Namespace) -> int:
    reg = _registry(args)
    user = args.user or _defaults().user
    if args.token_cmd == "create":
        if args.expires is not None and args.expires_days is not None:
            raise MLHubError(ErrorCode.INVALID, "give --expires or --expires-days, not both")
        expires = parse_expires(args.expires) if args.expires_days is None else parse_expires(str(args.expires_days))
        token, rec = reg.create_token(user, note=args.name or "", expires_in=expires,
                                      scope="read" if args.read_only else "write")
        print(token)
        print(f"token {rec.id} {rec.note!r} for {rec.user}, {rec.scope.value}"
              + (f", expires {rec.expires_at:%Y-%m-%d %H:%M} UTC" if rec.expires_at else ", never expires")
              + " (shown once: store it now)", file=sys.stderr)
    elif args.token_cmd == "list":
        for t in reg.list_tokens(user, include_revoked=args.all):
            print(json.dumps(t.to_json()))
    elif args.token_cmd == "revoke":
        from .services.fanout import announce_token_revocation

        reg.revoke_token(args.id, args.user)
        # The running replicas keep valid tokens' records for a while: told now, they refuse it at once.
        try:
            announce_token_revocation(getattr(args, "db_url", None) or _defaults().db_url)
        except Exception as e:
            print(f"token {args.id} revoked; the running replicas could not be told ({e}), so they refuse it "
                  "within MLHUB_TOKEN_CACHE_TTL seconds", file=sys.stderr)
            return 0
        print(f"token {args.id} revoked", file=sys.stderr)
    return 0


def _cmd_db(args: argparse.Namespace) -> int:
    from sqlalchemy import create_engine

    from .store.db import safe_url
    from .store.schema import current_revision, head_revision, upgrade

    url = args.db_url or _defaults().db_url
    if args.db_cmd == "upgrade":
        upgrade(url)
        print(f"database {safe_url(url)} is at revision {head_revision()}")
    else:
        engine = create_engine(url)
        print(f"current: {current_revision(engine)}  head: {head_revision()}")
        engine.dispose()
    return 0


def _cmd_sync(args: argparse.Namespace) -> int:
    from .client.sync import sync_all

    summary = sync_all()   # each damaged stretch of a WAL is also a warning on stderr
    print(json.dumps(summary, default=str))
    # Non-zero when something was not delivered: errors, or damaged WAL records (kept aside).
    return 1 if summary.get("errors") or summary.get("damaged") else 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mlhub", description="ML Hub: registry server and tools")
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("serve", help="run the registry API standalone (token auth) or as a JupyterHub service")
    s.add_argument("--ip", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8765)
    s.add_argument("--db-url", help="SQLAlchemy URL (default: MLHUB_DB_URL or SQLite in the data dir)")
    s.add_argument("--artifact-root", help="blob store folder (default: MLHUB_ARTIFACT_ROOT)")
    s.add_argument("--hub", action="store_true", help="run as a JupyterHub-managed service (JUPYTERHUB_* env)")
    s.add_argument("--log-level", default="INFO", type=str.upper, choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                   help="log level (default INFO; successful requests are logged at DEBUG, as in jupyter_server)")
    s.set_defaults(func=_cmd_serve)

    t = sub.add_parser("token", help="manage ML Hub API tokens (the profile view manages the same ones)")
    tsub = t.add_subparsers(dest="token_cmd", required=True)
    tc = tsub.add_parser("create", help="print a new API token (shown once; stored hashed)")
    tc.add_argument("--name", "--note", dest="name", default="", help="what the token is for")
    tc.add_argument("--expires", default=None, help="30d, 12h, 90m, a number of days, or never (default)")
    tc.add_argument("--expires-days", type=float, default=None, help=argparse.SUPPRESS)
    tc.add_argument("--read-only", action="store_true", help="the token may only read (writes get 403)")
    tl = tsub.add_parser("list", help="list a user's tokens (never their values)")
    tl.add_argument("--all", action="store_true", help="include revoked tokens")
    tr = tsub.add_parser("revoke", help="revoke a token by id")
    tr.add_argument("id", type=int)
    for x in (tc, tl, tr):
        x.add_argument("--user", default=None,
                       help="whose tokens (default: MLHUB_USER, JUPYTERHUB_USER or the system user); "
                            "revoke: only if it is theirs")
        x.add_argument("--db-url")
    t.set_defaults(func=_cmd_token)

    d = sub.add_parser("db", help="database schema")
    dsub = d.add_subparsers(dest="db_cmd", required=True)
    for name, text in (("upgrade", "upgrade the schema to this version"), ("current", "show the schema revision")):
        x = dsub.add_parser(name, help=text)
        x.add_argument("--db-url")
    d.set_defaults(func=_cmd_db)

    y = sub.add_parser("sync", help="send logged points the server never acknowledged (after a crash)")
    y.set_defaults(func=_cmd_sync)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except MLHubError as e:
        print(f"mlhub: error: {e.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
