"""Metric series summaries: chunk step bounds, a series' first point, and a stored pyramid.

- ``metric_chunks.first_step`` / ``last_step`` (the lowest and highest step of the chunk) and
  the index ``ix_metric_chunks_series_steps`` (series_id, first_step, last_step): a range read
  skips the chunks outside it;
- ``metric_series.first_step`` / ``first_value`` / ``first_ts`` / ``last_ts``: the series' first
  point (lowest step) and the last point's wall time; NULL until the summary is built;
- ``metric_summaries``: the summary pages of each series (mlhub_ext/store/series_summary.py).

The upgrade backfills all three for every existing series, a batch of series at a time and
each series a slice of chunks at a time (never the whole table in memory).

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BATCH = 100   # series per statement that lists them


def upgrade() -> None:
    op.add_column("metric_chunks", sa.Column("first_step", sa.BigInteger(), nullable=True))
    op.add_column("metric_chunks", sa.Column("last_step", sa.BigInteger(), nullable=True))
    op.create_index("ix_metric_chunks_series_steps", "metric_chunks", ["series_id", "first_step", "last_step"])
    for name, kind in (("first_step", sa.BigInteger()), ("first_value", sa.Float()), ("first_ts", sa.Float()),
                       ("last_ts", sa.Float())):
        op.add_column("metric_series", sa.Column(name, kind, nullable=True))
    op.create_table(
        "metric_summaries",
        sa.Column("series_id", sa.Integer(), sa.ForeignKey("metric_series.id", ondelete="CASCADE"), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("page", sa.BigInteger(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("stamps", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("series_id", "level", "page"),
    )
    _backfill(op.get_bind())


def _backfill(conn: sa.Connection) -> None:
    from mlhub_ext.store.series_summary import rebuild

    series = sa.table("metric_series", sa.column("id"))
    after = -1
    while True:
        ids = list(conn.execute(sa.select(series.c.id).where(series.c.id > after)
                                .order_by(series.c.id).limit(BATCH)).scalars())
        if not ids:
            return
        rebuild(conn, ids)
        after = ids[-1]


def downgrade() -> None:
    op.drop_table("metric_summaries")
    with op.batch_alter_table("metric_series") as batch:
        for name in ("last_ts", "first_ts", "first_value", "first_step"):
            batch.drop_column(name)
    op.drop_index("ix_metric_chunks_series_steps", table_name="metric_chunks")
    with op.batch_alter_table("metric_chunks") as batch:
        batch.drop_column("last_step")
        batch.drop_column("first_step")
