"""Moodle sync: sites (token encrypted), mappings to competences, runs, unmatched users, the sync cursor.

Revision ID: 0011_moodle_sync
Revises: 0010_lti
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_moodle_sync"
down_revision = "0010_lti"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "moodle_site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("token_encrypted", sa.Text(), nullable=False),
        sa.Column("token_hint", sa.String(length=4), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lock_owner", sa.String(length=100), nullable=True),
        sa.Column("lock_heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moodle_site")),
        sa.UniqueConstraint("name", name=op.f("uq_moodle_site_name")),
    )
    op.create_table(
        "moodle_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("moodle_course_id", sa.Integer(), nullable=False),
        sa.Column("cmid", sa.Integer(), nullable=True),
        sa.Column("modname", sa.String(length=50), nullable=True),
        sa.Column("activity_name", sa.String(length=300), nullable=True),
        sa.Column("competence_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('course', 'activity')", name=op.f("ck_moodle_mapping_kind")),
        sa.CheckConstraint("kind = 'course' OR cmid IS NOT NULL", name=op.f("ck_moodle_mapping_activity_cmid")),
        sa.ForeignKeyConstraint(
            ["competence_id"], ["competence.id"], name=op.f("fk_moodle_mapping_competence_id_competence")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["moodle_site.id"], name=op.f("fk_moodle_mapping_site_id_moodle_site"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moodle_mapping")),
        sa.UniqueConstraint(
            "site_id",
            "kind",
            "moodle_course_id",
            "cmid",
            "competence_id",
            name=op.f("uq_moodle_mapping_site_id_kind_moodle_course_id_cmid_competence_id"),
        ),
    )
    op.create_index(op.f("ix_moodle_mapping_site_id"), "moodle_mapping", ["site_id"])
    op.create_table(
        "moodle_sync_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("started_by", sa.String(length=200), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.Column("users_checked", sa.Integer(), nullable=False),
        sa.Column("records_added", sa.Integer(), nullable=False),
        sa.Column("unmatched_users", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.CheckConstraint("status IN ('running', 'ok', 'failed')", name=op.f("ck_moodle_sync_run_status")),
        sa.ForeignKeyConstraint(
            ["site_id"], ["moodle_site.id"], name=op.f("fk_moodle_sync_run_site_id_moodle_site"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moodle_sync_run")),
    )
    op.create_index("ix_moodle_sync_run_site_started", "moodle_sync_run", ["site_id", "started_at"])
    op.create_table(
        "moodle_unmatched_user",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("moodle_user_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=True),
        sa.Column("fullname", sa.String(length=300), nullable=False),
        sa.Column("idnumber", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("course_ids", sa.JSON(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["moodle_site.id"],
            name=op.f("fk_moodle_unmatched_user_site_id_moodle_site"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", "moodle_user_id", name=op.f("pk_moodle_unmatched_user")),
    )
    op.create_table(
        "moodle_sync_state",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("moodle_course_id", sa.Integer(), nullable=False),
        sa.Column("moodle_user_id", sa.Integer(), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("course_completed", sa.Boolean(), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["site_id"], ["moodle_site.id"], name=op.f("fk_moodle_sync_state_site_id_moodle_site"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("site_id", "moodle_course_id", "moodle_user_id", name=op.f("pk_moodle_sync_state")),
    )


def downgrade() -> None:
    op.drop_table("moodle_sync_state")
    op.drop_table("moodle_unmatched_user")
    op.drop_index("ix_moodle_sync_run_site_started", table_name="moodle_sync_run")
    op.drop_table("moodle_sync_run")
    op.drop_index(op.f("ix_moodle_mapping_site_id"), table_name="moodle_mapping")
    op.drop_table("moodle_mapping")
    op.drop_table("moodle_site")
