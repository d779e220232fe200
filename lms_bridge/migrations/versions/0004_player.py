"""The player's attempts and each SCO's run-time state.

Revision ID: 0004_player
Revises: 0003_packages_accounts
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_player"
down_revision = "0003_packages_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("package_version_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("launched_via", sa.String(length=10), nullable=False),
        sa.Column("completion_status", sa.String(length=20), nullable=False),
        sa.Column("success_status", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Numeric(5, 2), nullable=True),
        sa.Column("last_commit_seq", sa.BigInteger(), nullable=False),
        sa.Column("current_item", sa.String(length=300), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lti_resource_link", sa.String(length=255), nullable=True),
        sa.Column("lti_lineitem_url", sa.String(length=2000), nullable=True),
        sa.CheckConstraint("launched_via IN ('dev', 'lti')", name=op.f("ck_attempt_launched_via")),
        sa.CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name=op.f("ck_attempt_score")),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_attempt_course_id_course")),
        sa.ForeignKeyConstraint(
            ["package_version_id"],
            ["package_version.id"],
            name=op.f("fk_attempt_package_version_id_package_version"),
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_attempt_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt")),
        sa.UniqueConstraint("staff_id", "course_id", "number", name=op.f("uq_attempt_staff_id_course_id_number")),
    )
    op.create_index(op.f("ix_attempt_staff_id"), "attempt", ["staff_id"])
    op.create_index(op.f("ix_attempt_course_id"), "attempt", ["course_id"])
    op.create_table(
        "attempt_item",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=300), nullable=False),
        sa.Column("state", sa.JSON(), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("completion_status", sa.String(length=20), nullable=False),
        sa.Column("success_status", sa.String(length=20), nullable=False),
        sa.Column("score_scaled", sa.Float(), nullable=True),
        sa.Column("first_opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempt.id"], name=op.f("fk_attempt_item_attempt_id_attempt"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("attempt_id", "item", name=op.f("pk_attempt_item")),
    )


def downgrade() -> None:
    op.drop_table("attempt_item")
    op.drop_index(op.f("ix_attempt_course_id"), table_name="attempt")
    op.drop_index(op.f("ix_attempt_staff_id"), table_name="attempt")
    op.drop_table("attempt")
