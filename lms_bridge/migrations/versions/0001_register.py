"""The competence register: unit tree, staff, competence framework, requirements, courses, completions, audit.

Revision ID: 0001_register
Revises:
Create Date: 2026-11-23

Hand-written from the models. Constraint names follow lms_bridge.db.NAMING_CONVENTION so later batch
migrations on SQLite can find them by name.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_register"
down_revision = None
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "org_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint("kind IN ('region', 'service_area', 'unit', 'team')", name=op.f("ck_org_unit_kind")),
        sa.ForeignKeyConstraint(["parent_id"], ["org_unit.id"], name=op.f("fk_org_unit_parent_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_unit")),
        sa.UniqueConstraint("code", name=op.f("uq_org_unit_code")),
    )
    op.create_index(op.f("ix_org_unit_parent_id"), "org_unit", ["parent_id"])
    # Subtree queries are `path LIKE '/1/7/%'`; on PostgreSQL only text_pattern_ops serves LIKE prefixes.
    op.create_index("ix_org_unit_path", "org_unit", ["path"], postgresql_ops={"path": "text_pattern_ops"})

    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_number", sa.String(length=50), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("job_title", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_staff_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("employee_number", name=op.f("uq_staff_employee_number")),
    )
    op.create_index(op.f("ix_staff_job_title"), "staff", ["job_title"])
    op.create_index(op.f("ix_staff_unit_id"), "staff", ["unit_id"])

    op.create_table(
        "competence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name_fi", sa.String(length=200), nullable=False),
        sa.Column("name_sv", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("validity_months", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint(
            "validity_months IS NULL OR validity_months > 0", name=op.f("ck_competence_validity")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competence")),
        sa.UniqueConstraint("code", name=op.f("uq_competence_code")),
    )

    op.create_table(
        "requirement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competence_id", sa.Integer(), nullable=False),
        sa.Column("job_title", sa.String(length=100), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint("job_title IS NOT NULL OR unit_id IS NOT NULL", name=op.f("ck_requirement_target")),
        sa.ForeignKeyConstraint(
            ["competence_id"], ["competence.id"], name=op.f("fk_requirement_competence_id_competence")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_requirement_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requirement")),
        sa.UniqueConstraint(
            "competence_id", "job_title", "unit_id", name=op.f("uq_requirement_competence_id_job_title_unit_id")
        ),
    )
    op.create_index(op.f("ix_requirement_unit_id"), "requirement", ["unit_id"])

    op.create_table(
        "course",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course")),
        sa.UniqueConstraint("slug", name=op.f("uq_course_slug")),
    )

    op.create_table(
        "course_competence",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("competence_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["competence_id"], ["competence.id"], name=op.f("fk_course_competence_competence_id_competence")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_course_competence_course_id_course"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("course_id", "competence_id", name=op.f("pk_course_competence")),
    )

    op.create_table(
        "completion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("competence_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=True),
        sa.Column("score", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("source_ref", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTC_DATETIME, nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name=op.f("ck_completion_score")),
        sa.ForeignKeyConstraint(
            ["competence_id"], ["competence.id"], name=op.f("fk_completion_competence_id_competence")
        ),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_completion_course_id_course")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_completion_staff_id_staff")),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["completion.id"], name=op.f("fk_completion_supersedes_id_completion")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_completion")),
        # The idempotency key of record_completion: one row per event, even under concurrent writers.
        sa.UniqueConstraint("source", "source_ref", name=op.f("uq_completion_source_source_ref")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_completion_supersedes_id")),
    )
    op.create_index(op.f("ix_completion_competence_id"), "completion", ["competence_id"])
    op.create_index(op.f("ix_completion_recorded_at"), "completion", ["recorded_at"])
    op.create_index(
        "ix_completion_staff_competence", "completion", ["staff_id", "competence_id", "completed_at"]
    )

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", UTC_DATETIME, nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("subject_type", sa.String(length=50), nullable=False),
        sa.Column("subject_id", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.String(length=2000), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_index("ix_audit_event_subject", "audit_event", ["subject_type", "subject_id"])


def downgrade() -> None:
    op.drop_table("audit_event")
    op.drop_table("completion")
    op.drop_table("course_competence")
    op.drop_table("course")
    op.drop_table("requirement")
    op.drop_table("competence")
    op.drop_table("staff")
    op.drop_table("org_unit")
