"""Runs say why they ended and whether a stop was asked for; 64-bit steps and seqs.

- ``runs.status_reason``: what ended the run ("kernel shut down", "ValueError: ...",
  "stopped from the lab"); "" while running and for existing runs.
- ``runs.stop_requested``: set by ``POST /runs/{id}/stop``; the logging process ends its
  loop at its next ``log`` call.
- ``metric_series.last_step``, ``runs.last_seq`` and ``run_batches.seq`` become BIGINT on
  PostgreSQL: the SDK allows steps up to 2**63-1 and an attached writer's seqs start at
  ``writer << 32``. (SQLite's INTEGER is 64-bit already.)

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_WIDENED = [("metric_series", "last_step"), ("runs", "last_seq"), ("run_batches", "seq")]


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("status_reason", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("stop_requested", sa.Boolean(), nullable=False, server_default=sa.false()))
    if op.get_bind().dialect.name == "postgresql":
        for table, column in _WIDENED:
            op.alter_column(table, column, type_=sa.BigInteger(), existing_type=sa.Integer(),
                            existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, column in _WIDENED:
            op.alter_column(table, column, type_=sa.Integer(), existing_type=sa.BigInteger(),
                            existing_nullable=False)
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("stop_requested")
        batch.drop_column("status_reason")
