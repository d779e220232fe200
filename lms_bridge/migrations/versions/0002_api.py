"""API for HR systems: hashed bearer tokens, and updated_at on units, staff and competences for changed_since.

Revision ID: 0002_api
Revises: 0001_register
Create Date: 2026-11-23

Runs on populated databases: updated_at is added nullable, backfilled from created_at, then made NOT NULL
(SQLite gets a batch table copy for that step).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_api"
down_revision = "0001_register"
branch_labels = None
depends_on = None

CHANGE_TRACKED = ("org_unit", "staff", "competence")


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("name", name=op.f("uq_api_token_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    for table in CHANGE_TRACKED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        op.execute(sa.text(f"UPDATE {table} SET updated_at = created_at"))  # noqa: S608 - constant names
        with op.batch_alter_table(table) as batch:
            batch.alter_column("updated_at", existing_type=sa.DateTime(timezone=True), nullable=False)
            batch.create_index(op.f(f"ix_{table}_updated_at"), ["updated_at"])


def downgrade() -> None:
    for table in CHANGE_TRACKED:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(op.f(f"ix_{table}_updated_at"))
            batch.drop_column("updated_at")
    op.drop_table("api_token")
