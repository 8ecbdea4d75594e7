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
