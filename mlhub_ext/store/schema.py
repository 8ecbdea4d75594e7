"""Explicit schema management: create, check, back up and upgrade with Alembic.

The registry's own version table is ``mlhub_alembic_version`` so that ML Hub can share a
database with other Alembic users (JupyterHub's, MLflow's) without clashing.
"""
from __future__ import annotations

import logging
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url

from ..core.errors import ErrorCode, MLHubError
from .db import is_sqlite, safe_url

VERSION_TABLE = "mlhub_alembic_version"
MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger("mlhub.store")


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_revision()


def upgrade(url: str, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` (``mlhub db upgrade``)."""
    command.upgrade(alembic_config(url), revision)


def sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def backup_sqlite(path: Path, revision: str) -> Path:
    """Copy the database with SQLite's online backup (safe while other connections are open)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    dest = path.with_name(f"{path.name}.{revision}.{stamp}.bak")
    src = sqlite3.connect(str(path))
    try:
        out = sqlite3.connect(str(dest))
        with out:
            src.backup(out)
        out.close()
    finally:
        src.close()
    return dest


def prepare_database(url: str, engine: Engine, auto_upgrade: bool) -> str:
    """Bring the database to the current schema or refuse to start.

    - no ML Hub tables at all: create the schema (first start);
    - at the head revision: nothing to do;
    - older, SQLite and ``auto_upgrade``: back the file up, then upgrade;
    - older otherwise, or unknown: raise ``schema_outdated`` naming ``mlhub db upgrade``.
    Returns what was done: "created", "current" or "upgraded".
    """
    head = head_revision()
    current = current_revision(engine)
    if current is None:
        if "runs" in inspect(engine).get_table_names():
            raise MLHubError(ErrorCode.SCHEMA_OUTDATED,
                             f"database {safe_url(url)} has ML Hub tables but no {VERSION_TABLE} table; "
                             "it was not created by ML Hub's migrations")
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        upgrade(url)
        return "created"
    if current == head:
        return "current"
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config(url)).walk_revisions()}
    if current not in known:
        raise MLHubError(ErrorCode.SCHEMA_OUTDATED,
                         f"database {safe_url(url)} is at revision {current}, which this version of ML Hub "
                         f"does not know (its newest is {head}); was it upgraded by a newer ML Hub?")
    path = sqlite_path(url)
    if auto_upgrade and is_sqlite(url) and path is not None:
        backup = backup_sqlite(path, current)
        log.warning("ML Hub database %s upgraded from %s to %s; backup at %s", path, current, head, backup)
        upgrade(url)
        return "upgraded"
    raise MLHubError(ErrorCode.SCHEMA_OUTDATED,
                     f"database {safe_url(url)} is at revision {current} but this version of ML Hub needs {head}: "
                     f"back it up, then run `mlhub db upgrade --db-url <url>`")


def copy_file(src: Path, dest: Path) -> None:
    shutil.copy2(src, dest)
