"""Supervisor reports: who supervises which unit (HR), accounts linked to staff, reminders sent.

Revision ID: 0008_reports
Revises: 0007_sign_in_security
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_reports"
down_revision = "0007_sign_in_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supervisor_assignment",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_supervisor_assignment_staff_id_staff"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_supervisor_assignment_unit_id_org_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("staff_id", "unit_id", name=op.f("pk_supervisor_assignment")),
    )
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("employee_number", sa.String(length=50), nullable=True))
        batch.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("weekly_digest", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index(op.f("ix_account_employee_number"), "account", ["employee_number"])
    op.create_table(
        "digest_sent",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=10), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_digest_sent_account_id_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("account_id", "week", name=op.f("pk_digest_sent")),
    )
    op.create_table(
        "reminder_sent",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("competence_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["competence_id"], ["competence.id"], name=op.f("fk_reminder_sent_competence_id_competence")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_reminder_sent_staff_id_staff"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("staff_id", "competence_id", "expires_at", name=op.f("pk_reminder_sent")),
    )


def downgrade() -> None:
    op.drop_table("reminder_sent")
    op.drop_table("digest_sent")
    op.drop_index(op.f("ix_account_employee_number"), table_name="account")
    with op.batch_alter_table("account") as batch:
        batch.drop_column("weekly_digest")
        batch.drop_column("email")
        batch.drop_column("employee_number")
    op.drop_table("supervisor_assignment")
