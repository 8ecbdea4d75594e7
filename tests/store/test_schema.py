"""Schema handling at start: create, back up and upgrade SQLite, refuse other old databases."""
from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import create_engine, inspect

from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.store import open_registry
from mlhub_ext.store.schema import VERSION_TABLE, current_revision, head_revision, upgrade


def test_new_database_is_created_at_head(db_url):
    reg = open_registry(db_url)
    assert current_revision(reg.store.write_engine) == head_revision()
    tables = inspect(reg.store.write_engine).get_table_names()
    assert VERSION_TABLE in tables and "alembic_version" not in tables
    reg.store.close()



def test_old_sqlite_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0001")
    with pytest.raises(MLHubError) as e:
        open_registry(url, auto_upgrade=False)
    assert e.value.code == ErrorCode.SCHEMA_OUTDATED and "mlhub db upgrade" in e.value.message
    reg = open_registry(url, auto_upgrade=True)
    reg.create_run("alice", "p")
    assert current_revision(reg.store.write_engine) == head_revision()
    reg.store.close()
    backups = list(tmp_path.glob("old.db.0001.*.bak"))
    assert len(backups) == 1
    assert current_revision(create_engine(f"sqlite:///{backups[0]}")) == "0001"


def test_postgres_at_old_revision_refuses_until_db_upgrade(db_url):
    if db_url.startswith("sqlite"):
        pytest.skip("the PostgreSQL half of the schema rule")
    upgrade(db_url, "0001")
    with pytest.raises(MLHubError) as e:
        open_registry(db_url, auto_upgrade=True)  # never implicit on a shared database
    assert "mlhub db upgrade" in e.value.message and "0001" in e.value.message
    assert "mlhub:mlhub@" not in e.value.message  # no password in messages
    out = subprocess.run([sys.executable, "-m", "mlhub_ext.cli", "db", "upgrade", "--db-url", db_url],
                         capture_output=True, text=True, check=True)
    assert head_revision() in out.stdout
    open_registry(db_url).store.close()


def test_unknown_revision_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'future.db'}"
    open_registry(url).store.close()
    engine = create_engine(url)
    with engine.begin() as c:
        c.exec_driver_sql(f"UPDATE {VERSION_TABLE} SET version_num = 'ffff'")
    with pytest.raises(MLHubError) as e:
        open_registry(url, auto_upgrade=True)
    assert "ffff" in e.value.message


def test_0006_adds_status_reason_and_stop_and_matches_the_tables(db_url):
    """A database at 0005 with a run upgrades to head: the run keeps its data, gains an
    empty status_reason and stop_requested false, and the migrated schema is what the ORM
    declares (on SQLite, INTEGER and BIGINT are the same 64-bit type)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import text

    from mlhub_ext.store import orm, orm_datasets, orm_models  # noqa: F401 (all tables declared)

    upgrade(db_url, "0005")
    engine = create_engine(db_url)
    with engine.begin() as c:
        c.execute(text("INSERT INTO users (name, created_at) VALUES ('alice', CURRENT_TIMESTAMP)"))
        c.execute(text("INSERT INTO projects (name, owner, description, visibility, created_at, updated_at) "
                       "VALUES ('p', 'alice', '', 'private', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        c.execute(text("INSERT INTO runs (id, project_id, owner, name, status, summary, provenance, notes, "
                       "created_at, updated_at, last_seq) SELECT 'r1', id, 'alice', 'old', 'finished', '{}', "
                       "'{}', 'kept', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 3 FROM projects"))
    upgrade(db_url)
    with engine.connect() as c:
        ctx = MigrationContext.configure(c, opts={"version_table": VERSION_TABLE, "compare_type": True})
        diff = compare_metadata(ctx, orm.Base.metadata)
    engine.dispose()
    sqlite = db_url.startswith("sqlite")
    left = [d for d in diff if not (sqlite and d[0][0] == "modify_type" and "BigInteger" in repr(d[0][-1]))]
    assert left == []
    reg = open_registry(db_url)
    run = reg.get_run("alice", "r1")
    assert (run.notes, run.last_seq, run.status_reason, run.stop_requested) == ("kept", 3, "", False)
    big = reg.create_run("alice", "p")
    reg.append_metrics("alice", big.id, 2**40 + 1, {"m": {"steps": [2**40], "values": [1.0]}})
    assert reg.list_metrics("alice", big.id)[0].last_step == 2**40   # BIGINT on PostgreSQL too
    reg.store.close()
