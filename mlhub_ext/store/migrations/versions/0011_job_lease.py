"""Jobs carry a lease: which ``mlhub serve`` replica follows them and until when.

- ``jobs.lease_owner``: the replica id (random per process) that submitted the job to Dask
  and follows it; only that replica writes its progress and end.
- ``jobs.lease_until`` (UTC): renewed by that replica every few seconds; a queued or running
  job whose lease has passed (its replica died) is marked failed by any other replica, never
  submitted again. Rows from before this revision keep NULL in both (their ``updated_at``
  stands in for the lease).

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

from mlhub_ext.store.orm import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(64), nullable=True))
        batch.add_column(sa.Column("lease_until", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
