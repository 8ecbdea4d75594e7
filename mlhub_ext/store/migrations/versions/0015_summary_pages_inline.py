"""PostgreSQL keeps the summary pages inline and uncompressed.

A page of ``metric_summaries`` is at most 64 records (3,328 + 1,024 bytes of blobs: about
4.4 KB a row), and an append rewrites the last page of each level of every series it
touches. Above PostgreSQL's default TOAST target (~2 KB) each rewritten row had its blobs
compressed (random floats barely compress) and moved to the TOAST table, with its index, so
a group of 64 posts wrote and WAL-logged every page twice over. With ``toast_tuple_target``
at its maximum (8,160 bytes) a page row stays whole in the table's own heap page; a row
larger than that (none is) would still be TOASTed. Rows written before stay as they are
until rewritten.

Only on PostgreSQL; SQLite keeps rows whole anyway.

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("ALTER TABLE metric_summaries SET (toast_tuple_target = 8160)"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("ALTER TABLE metric_summaries RESET (toast_tuple_target)"))
