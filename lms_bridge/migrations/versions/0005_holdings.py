"""Holdings: per (person, competence), what the effective completions add up to, for the status query.

Revision ID: 0005_holdings
Revises: 0004_player
Create Date: 2026-11-23

Runs on populated databases: the table is filled from the existing completions with the aggregation of
`lms_bridge.register.holdings.held_aggregate` (written out here, as migrations do not import app code).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_holdings"
down_revision = "0004_player"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "holding",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("competence_id", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("permanent", sa.Boolean(), nullable=False),
        sa.Column("last_recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["competence_id"], ["competence.id"], name=op.f("fk_holding_competence_id_competence")
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_holding_staff_id_staff")),
        sa.PrimaryKeyConstraint("staff_id", "competence_id", name=op.f("pk_holding")),
    )
    # effective completions: not voided, not superseded by a correction
    op.execute(
        sa.text(
            "INSERT INTO holding (staff_id, competence_id, completed_at, expires_at, permanent, "
            "last_recorded_at) "
            "SELECT c.staff_id, c.competence_id, max(c.completed_at), max(c.expires_at), "
            "count(c.expires_at) < count(*), max(c.recorded_at) "
            "FROM completion c "
            "WHERE c.voided = false AND NOT EXISTS "
            "(SELECT 1 FROM completion s WHERE s.supersedes_id IS NOT NULL AND s.supersedes_id = c.id) "
            "GROUP BY c.staff_id, c.competence_id "
            # in primary-key order: a person's holdings share pages (the status query reads them by person)
            "ORDER BY c.staff_id, c.competence_id"
        )
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.text("ANALYZE holding"))


def downgrade() -> None:
    op.drop_table("holding")
