"""A course's current package version moves from course.current_version_id into the packages area's own
table, so the catalogue's course table refers to no table of the areas above it (docs/architecture.md).

Revision ID: 0006_current_version
Revises: 0005_holdings
Create Date: 2026-12-04

Runs on populated databases: every course's pointer is copied over before the column goes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_current_version"
down_revision = "0005_holdings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "current_version",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_current_version_course_id_course"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["package_version.id"],
            name=op.f("fk_current_version_version_id_package_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("course_id", name=op.f("pk_current_version")),
    )
    op.create_index(op.f("ix_current_version_version_id"), "current_version", ["version_id"])
    op.execute(
        "INSERT INTO current_version (course_id, version_id) "
        "SELECT id, current_version_id FROM course WHERE current_version_id IS NOT NULL"
    )
    with op.batch_alter_table("course") as batch:
        batch.drop_constraint(op.f("fk_course_current_version_id_package_version"), type_="foreignkey")
        batch.drop_column("current_version_id")


def downgrade() -> None:
    with op.batch_alter_table("course") as batch:
        batch.add_column(sa.Column("current_version_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_course_current_version_id_package_version"),
            "package_version",
            ["current_version_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute(
        "UPDATE course SET current_version_id = "
        "(SELECT version_id FROM current_version WHERE current_version.course_id = course.id)"
    )
    op.drop_index(op.f("ix_current_version_version_id"), table_name="current_version")
    op.drop_table("current_version")
