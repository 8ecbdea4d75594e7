"""Models: catalogue, members, tags, versions, aliases and their history, evaluations, jobs, inferences.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("task", sa.String(length=32), nullable=True),
        sa.Column("model_type", sa.String(length=32), nullable=False),
        sa.Column("estimator", sa.String(length=256), nullable=False),
        sa.Column("developer", sa.String(length=128), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["owner"], ["users.name"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_index(op.f("ix_models_owner"), "models", ["owner"], unique=False)
    op.create_table(
        "model_members",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("user", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["user"], ["users.name"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("model_id", "user"),
    )
    op.create_index(op.f("ix_model_members_user"), "model_members", ["user"], unique=False)
    op.create_table(
        "model_tags",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("model_id", "tag"),
    )
    op.create_index(op.f("ix_model_tags_tag"), "model_tags", ["tag"], unique=False)
    op.create_table(
        "model_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("model_type", sa.String(length=32), nullable=False),
        sa.Column("estimator", sa.String(length=256), nullable=False),
        sa.Column("task", sa.String(length=32), nullable=True),
        sa.Column("param_count", sa.BigInteger(), nullable=False),
        sa.Column("developer", sa.String(length=128), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("dataset_name", sa.String(length=128), nullable=True),
        sa.Column("dataset_version", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(length=256), nullable=True),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.Column("project", sa.String(length=128), nullable=True),
        sa.Column("job_id", sa.String(length=64), nullable=True),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("input_schema", sa.JSON(), nullable=False),
        sa.Column("classes", sa.JSON(), nullable=True),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("evaluation", sa.JSON(), nullable=True),
        sa.Column("artifact_sha256", sa.String(length=64), nullable=False),
        sa.Column("artifact_size", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["users.name"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("model_id", "version", name="uq_model_versions_model_version"),
    )
    op.create_index(op.f("ix_model_versions_dataset_name"), "model_versions", ["dataset_name"], unique=False)
    op.create_index(op.f("ix_model_versions_artifact_sha256"), "model_versions", ["artifact_sha256"], unique=False)
    op.create_table(
        "model_aliases",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("model_id", "stage"),
    )
    op.create_table(
        "alias_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("previous", sa.Integer(), nullable=True),
        sa.Column("user", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_alias_history_model_id"), "alias_history", ["model_id"], unique=False)
    op.create_table(
        "model_evaluations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("dataset_name", sa.String(length=128), nullable=False),
        sa.Column("dataset_version", sa.Integer(), nullable=True),
        sa.Column("job_id", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("evaluation", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_model_evaluations_model_version", "model_evaluations", ["model_id", "version"], unique=False)
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("model", sa.String(length=128), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("dataset_name", sa.String(length=128), nullable=True),
        sa.Column("dataset_version", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(length=256), nullable=True),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.Column("project", sa.String(length=128), nullable=True),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("parent", sa.String(length=64), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["owner"], ["users.name"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_jobs_state"), "jobs", ["state"], unique=False)
    op.create_index(op.f("ix_jobs_owner"), "jobs", ["owner"], unique=False)
    op.create_index(op.f("ix_jobs_model"), "jobs", ["model"], unique=False)
    op.create_index(op.f("ix_jobs_parent"), "jobs", ["parent"], unique=False)
    op.create_table(
        "inferences",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=128), nullable=True),
        sa.Column("user", sa.String(length=128), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("outputs", sa.JSON(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inferences_model_version", "inferences", ["model_id", "version", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_inferences_model_version", table_name="inferences")
    op.drop_table("inferences")
    op.drop_index(op.f("ix_jobs_state"), table_name="jobs")
    op.drop_index(op.f("ix_jobs_owner"), table_name="jobs")
    op.drop_index(op.f("ix_jobs_model"), table_name="jobs")
    op.drop_index(op.f("ix_jobs_parent"), table_name="jobs")
    op.drop_table("jobs")
    op.drop_index("ix_model_evaluations_model_version", table_name="model_evaluations")
    op.drop_table("model_evaluations")
    op.drop_index(op.f("ix_alias_history_model_id"), table_name="alias_history")
    op.drop_table("alias_history")
    op.drop_table("model_aliases")
    op.drop_index(op.f("ix_model_versions_dataset_name"), table_name="model_versions")
    op.drop_index(op.f("ix_model_versions_artifact_sha256"), table_name="model_versions")
    op.drop_table("model_versions")
    op.drop_index(op.f("ix_model_tags_tag"), table_name="model_tags")
    op.drop_table("model_tags")
    op.drop_index(op.f("ix_model_members_user"), table_name="model_members")
    op.drop_table("model_members")
    op.drop_index(op.f("ix_models_owner"), table_name="models")
    op.drop_table("models")
