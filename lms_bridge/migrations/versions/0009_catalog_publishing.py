"""Course catalogue: draft / published / hidden / retired, audience, order, competences decided.

Revision ID: 0009_catalog_publishing
Revises: 0008_reports
Create Date: 2026-12-04

Courses that exist already (the built-in modules, earlier uploads) were shown to every learner: they stay
published to everyone, and the competences they grant count as decided when they grant any.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_catalog_publishing"
down_revision = "0008_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("course") as batch:
        batch.add_column(sa.Column("status", sa.String(length=20), nullable=False, server_default="draft"))
        batch.add_column(sa.Column("for_everyone", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("position", sa.Integer(), nullable=False, server_default="1000"))
        batch.add_column(
            sa.Column("competences_decided", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_check_constraint("status", "status IN ('draft', 'published', 'hidden', 'retired')")
    op.execute("UPDATE course SET status = 'published', for_everyone = true")
    op.execute(
        "UPDATE course SET competences_decided = true "
        "WHERE id IN (SELECT course_id FROM course_competence)"
    )
    op.create_table(
        "course_audience",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=50), nullable=True),
        sa.Column("job_title", sa.String(length=100), nullable=True),
        sa.CheckConstraint("unit_code IS NOT NULL OR job_title IS NOT NULL", name=op.f("ck_course_audience_target")),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_course_audience_course_id_course"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_audience")),
        sa.UniqueConstraint(
            "course_id", "unit_code", "job_title", name=op.f("uq_course_audience_course_id_unit_code_job_title")
        ),
    )
    op.create_index(op.f("ix_course_audience_course_id"), "course_audience", ["course_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_course_audience_course_id"), table_name="course_audience")
    op.drop_table("course_audience")
    with op.batch_alter_table("course") as batch:
        batch.drop_constraint(op.f("ck_course_status"), type_="check")
        batch.drop_column("competences_decided")
        batch.drop_column("position")
        batch.drop_column("for_everyone")
        batch.drop_column("status")
