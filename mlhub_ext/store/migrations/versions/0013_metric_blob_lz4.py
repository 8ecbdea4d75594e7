"""PostgreSQL compresses the metric blobs with lz4 instead of pglz.

The packed columns of ``metric_chunks`` (steps, values, timestamps) and of
``metric_summaries`` (data, stamps) are larger than PostgreSQL's TOAST threshold (~2 KB) for
any chunk above ~85 points, so every append compressed them; with the default pglz that was
most of PostgreSQL's time in an append (40 chunks of 1,400 points: 31 ms with pglz, 3.6 ms with
lz4, for 4.5 and 4.9 bytes a point). Rows written before keep pglz (both are read alike).

Only on PostgreSQL 14 and later built with lz4 (every packaged build); elsewhere, and on
SQLite, nothing changes.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

COLUMNS = {"metric_chunks": ("steps", "values", "timestamps"), "metric_summaries": ("data", "stamps")}


def _set(method: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # In a savepoint: a server without lz4 (or before 14) refuses, and the schema stays as it was.
    try:
        with bind.begin_nested():
            for table, cols in COLUMNS.items():
                for col in cols:
                    bind.execute(sa.text(f'ALTER TABLE {table} ALTER COLUMN "{col}" SET COMPRESSION {method}'))
    except sa.exc.DBAPIError:
        pass


def upgrade() -> None:
    _set("lz4")


def downgrade() -> None:
    _set("pglz")
