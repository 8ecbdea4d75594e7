"""What the stream subscribers of each registry replica follow, so that metric points are
sent to the other replicas (PostgreSQL ``NOTIFY``) only where somebody follows them.

``stream_interest``: one row per ``mlhub serve`` replica that has stream subscribers
(``origin``: its random id), the runs and projects they are subscribed to (JSON lists), and
until when this holds (UTC; renewed by the live replica, so the row of a replica that died
stops counting). Written and read by ``mlhub_ext/services/fanout.py`` on PostgreSQL only.

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

from mlhub_ext.store.orm import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stream_interest",
        sa.Column("origin", sa.String(32), primary_key=True),
        sa.Column("runs", sa.JSON(), nullable=False),
        sa.Column("projects", sa.JSON(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("stream_interest")
