"""Projects keep free-form tags and a soft-delete mark (MLflow's experiment tags and lifecycle).

- ``projects.tags``: JSON object ``{key: value}`` of strings (MLflow's experiment tags other
  than ``mlflow.note.content``, which stays the project's description); NULL reads as ``{}``.
- ``projects.deleted_at``: when the project was soft-deleted (MLflow's ``lifecycle_stage
  "deleted"``); NULL while active. Nothing of a deleted project is removed.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

from mlhub_ext.store.orm import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("tags", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("deleted_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("deleted_at")
        batch.drop_column("tags")
