"""API tokens get a scope and a last-used time.

- ``api_tokens.scope``: ``"write"`` (read and write, what every existing token could do)
  or ``"read"`` (a read-only token: any request that changes something gets 403).
- ``api_tokens.last_used_at``: when the token last authenticated a request (updated at
  most once a minute per token); NULL until first use.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("scope", sa.String(length=16), nullable=False, server_default="write"))
        batch.add_column(sa.Column("last_used_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("last_used_at")
        batch.drop_column("scope")
