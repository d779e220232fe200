"""Package versions (re-import, current version, rollback) and accounts for the admin pages.

Revision ID: 0003_packages_accounts
Revises: 0002_api
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_packages_accounts"
down_revision = "0002_api"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "package_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("standard", sa.String(length=10), nullable=False),
        sa.Column("scorm_version", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("manifest_identifier", sa.String(length=300), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=False),
        sa.Column("launch_href", sa.String(length=2000), nullable=False),
        sa.Column("sco_count", sa.Integer(), nullable=False),
        sa.Column("file_count", sa.Integer(), nullable=False),
        sa.Column("total_bytes", sa.Integer(), nullable=False),
        sa.Column("mastery_score", sa.Numeric(6, 2, asdecimal=False), nullable=True),
        sa.Column("has_sequencing", sa.Boolean(), nullable=False),
        sa.Column("structure", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("standard IN ('scorm12', 'scorm2004')", name=op.f("ck_package_version_standard")),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_package_version_course_id_course"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package_version")),
        sa.UniqueConstraint("course_id", "number", name=op.f("uq_package_version_course_id_number")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_package_version_storage_key")),
    )
    op.create_index(op.f("ix_package_version_course_id"), "package_version", ["course_id"])
    op.create_index(op.f("ix_package_version_checksum"), "package_version", ["checksum"])
    with op.batch_alter_table("course") as batch:
        batch.add_column(sa.Column("current_version_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("passing_score", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("new_attempt_after_completion", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_foreign_key(
            op.f("fk_course_current_version_id_package_version"),
            "package_version",
            ["current_version_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_check_constraint(
            "passing", "passing_score IS NULL OR (passing_score >= 0 AND passing_score <= 100)"
        )

    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('admin', 'supervisor')", name=op.f("ck_account_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("username", name=op.f("uq_account_username")),
    )
    op.create_table(
        "account_unit",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_account_unit_account_id_account"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_account_unit_unit_id_org_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("account_id", "unit_id", name=op.f("pk_account_unit")),
    )


def downgrade() -> None:
    op.drop_table("account_unit")
    op.drop_table("account")
    with op.batch_alter_table("course") as batch:
        batch.drop_constraint(op.f("ck_course_passing"), type_="check")
        batch.drop_constraint(op.f("fk_course_current_version_id_package_version"), type_="foreignkey")
        batch.drop_column("new_attempt_after_completion")
        batch.drop_column("passing_score")
        batch.drop_column("current_version_id")
    op.drop_index(op.f("ix_package_version_checksum"), table_name="package_version")
    op.drop_index(op.f("ix_package_version_course_id"), table_name="package_version")
    op.drop_table("package_version")
