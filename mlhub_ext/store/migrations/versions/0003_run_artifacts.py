"""Artifacts logged with runs (names pointing at content-addressed blobs).

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_artifacts",
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id", "name"),
    )
    op.create_index(op.f("ix_run_artifacts_sha256"), "run_artifacts", ["sha256"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_run_artifacts_sha256"), table_name="run_artifacts")
    op.drop_table("run_artifacts")
