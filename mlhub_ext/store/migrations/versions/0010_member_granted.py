"""Member rows remember when their role was granted and by whom (the home's "shared with you").

- ``project_members``, ``dataset_members``, ``model_members``: ``granted_at`` (UTC) is set
  each time ``PUT …/members/{user}`` grants or changes the role, ``granted_by`` the user who
  did it. Rows granted before this revision keep NULL in both (the time is not known, and
  inventing one would put old shares at the top of everyone's activity).

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

from mlhub_ext.store.orm import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = ("project_members", "dataset_members", "model_members")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("granted_at", UTCDateTime(), nullable=True))
            batch.add_column(sa.Column("granted_by", sa.String(128), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("granted_by")
            batch.drop_column("granted_at")
