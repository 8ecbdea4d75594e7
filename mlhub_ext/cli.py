"""The ``mlhub`` command: serve, token, db, sync, demo."""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import timedelta
from typing import Any, Sequence

from .core.errors import MLHubError


def _defaults() -> Any:
    from .server.config import MLHubConfigMixin

    return MLHubConfigMixin()


def _cmd_serve(args: argparse.Namespace) -> int:
    import logging

    from .server.standalone import TokenAuthHandler, make_app, serve

    logging.basicConfig(level=logging.INFO, format="[mlhub %(asctime)s %(levelname)s] %(message)s")
    cfg = _defaults()
    db_url = args.db_url or cfg.db_url
    artifacts = args.artifact_root or cfg.artifact_root
    if args.hub:
        from .server.hub_service import hub_app_and_address

        app, ip, port = hub_app_and_address(db_url, artifacts)
    else:
        app = make_app(db_url, artifacts, auth_base=TokenAuthHandler, auto_upgrade=cfg.auto_upgrade)
        ip, port = args.ip, args.port
    asyncio.run(serve(app, ip, port))
    return 0


def _registry(args: argparse.Namespace) -> Any:
    from .store import open_registry

    cfg = _defaults()
    return open_registry(getattr(args, "db_url", None) or cfg.db_url, auto_upgrade=cfg.auto_upgrade)


def _cmd_token(args: argparse.Namespace) -> int:
    reg = _registry(args)
    if args.token_cmd == "create":
        expires = timedelta(days=args.expires_days) if args.expires_days else None
        token, rec = reg.create_token(args.user, note=args.note or "", expires_in=expires)
        print(token)
        print(f"token {rec.id} for {rec.user}" + (f", expires {rec.expires_at:%Y-%m-%d %H:%M} UTC" if rec.expires_at else ""),
              file=sys.stderr)
    elif args.token_cmd == "list":
        for t in reg.list_tokens(args.user):
            print(json.dumps(t.to_json()))
    elif args.token_cmd == "revoke":
        reg.revoke_token(args.id)
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
    s.set_defaults(func=_cmd_serve)

    t = sub.add_parser("token", help="manage API tokens for standalone mode")
    tsub = t.add_subparsers(dest="token_cmd", required=True)
    tc = tsub.add_parser("create", help="print a new API token for a user")
    tc.add_argument("--user", required=True)
    tc.add_argument("--note", default="")
    tc.add_argument("--expires-days", type=float, default=None)
    tl = tsub.add_parser("list", help="list a user's tokens (never their values)")
    tl.add_argument("--user", required=True)
    tr = tsub.add_parser("revoke", help="revoke a token by id")
    tr.add_argument("id", type=int)
    for x in (tc, tl, tr):
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
