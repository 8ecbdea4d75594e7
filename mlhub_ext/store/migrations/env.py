"""Alembic environment for ML Hub (run through mlhub_ext.store.schema, never by hand)."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from mlhub_ext.store.orm import Base
from mlhub_ext.store.schema import VERSION_TABLE

config = context.config
url = config.get_main_option("sqlalchemy.url")
engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
