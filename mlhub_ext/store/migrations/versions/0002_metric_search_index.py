"""Index metric series by key and last value, for run search and sort by metric.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_metric_series_key_value", "metric_series", ["key", "last_value"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_metric_series_key_value", table_name="metric_series")
