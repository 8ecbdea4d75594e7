"""Indexes for the home overview's recent-activity lists and the caller's running runs.

- ``ix_runs_created_at``: the newest runs across every readable project (``ORDER BY
  created_at DESC LIMIT n`` reads the index backwards instead of sorting every run).
- ``ix_runs_finished_at``: the same for runs that ended.
- ``ix_runs_owner_status``: a user's running runs.

Revision ID: 0008
Revises: 0007
"""
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_runs_created_at", "runs", ["created_at"])
    op.create_index("ix_runs_finished_at", "runs", ["finished_at"])
    op.create_index("ix_runs_owner_status", "runs", ["owner", "status"])


def downgrade() -> None:
    op.drop_index("ix_runs_owner_status", table_name="runs")
    op.drop_index("ix_runs_finished_at", table_name="runs")
    op.drop_index("ix_runs_created_at", table_name="runs")
