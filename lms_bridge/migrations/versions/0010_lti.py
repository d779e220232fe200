"""The LTI 1.3 tool: platforms, deployments, signing keys, server-side launch state, platform users,
grade targets and the score outbox.

Revision ID: 0010_lti
Revises: 0009_catalog_publishing
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_lti"
down_revision = "0009_catalog_publishing"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "lti_platform",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("client_id", sa.String(200), nullable=False),
        sa.Column("auth_login_url", sa.String(1000), nullable=False),
        sa.Column("auth_token_url", sa.String(1000), nullable=False),
        sa.Column("key_set_url", sa.String(1000), nullable=False),
        sa.Column("auth_audience", sa.String(1000), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("service_problem", sa.Text(), nullable=True),
        sa.Column("service_problem_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_platform")),
        sa.UniqueConstraint("issuer", "client_id", name=op.f("uq_lti_platform_issuer_client_id")),
    )
    op.create_table(
        "lti_deployment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.String(255), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["lti_platform.id"], name=op.f("fk_lti_deployment_platform_id_lti_platform"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_deployment")),
        sa.UniqueConstraint("platform_id", "deployment_id", name=op.f("uq_lti_deployment_platform_id_deployment_id")),
    )
    op.create_index(op.f("ix_lti_deployment_platform_id"), "lti_deployment", ["platform_id"])
    op.create_table(
        "lti_tool_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kid", sa.String(100), nullable=False),
        sa.Column("private_pem", sa.Text(), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("active_from", TZ, nullable=False),
        sa.Column("retired_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_tool_key")),
        sa.UniqueConstraint("kid", name=op.f("uq_lti_tool_key_kid")),
    )
    op.create_table(
        "lti_cache",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_lti_cache")),
    )
    op.create_index(op.f("ix_lti_cache_expires_at"), "lti_cache", ["expires_at"])
    op.create_table(
        "lti_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("sub", sa.String(255), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("matched_by", sa.String(20), nullable=True),
        sa.Column("name", sa.String(300), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("sourcedid", sa.String(100), nullable=True),
        sa.Column("username", sa.String(255), nullable=True),
        sa.Column("first_seen_at", TZ, nullable=False),
        sa.Column("last_seen_at", TZ, nullable=False),
        sa.Column("launches", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "matched_by IS NULL OR matched_by IN ('sourcedid', 'custom', 'email', 'admin')",
            name=op.f("ck_lti_user_matched_by"),
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["lti_platform.id"], name=op.f("fk_lti_user_platform_id_lti_platform"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_lti_user_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_user")),
        sa.UniqueConstraint("platform_id", "sub", name=op.f("uq_lti_user_platform_id_sub")),
        sa.UniqueConstraint("platform_id", "staff_id", name=op.f("uq_lti_user_platform_id_staff_id")),
    )
    op.create_index(op.f("ix_lti_user_staff_id"), "lti_user", ["staff_id"])
    op.create_table(
        "lti_grade_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("lti_user_id", sa.Integer(), nullable=False),
        sa.Column("lineitem_url", sa.String(2000), nullable=False),
        sa.Column("resource_link_id", sa.String(255), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempt.id"], name=op.f("fk_lti_grade_target_attempt_id_attempt"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["lti_user_id"], ["lti_user.id"], name=op.f("fk_lti_grade_target_lti_user_id_lti_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_grade_target")),
        sa.UniqueConstraint("attempt_id", "lineitem_url", name=op.f("uq_lti_grade_target_attempt_id_lineitem_url")),
    )
    op.create_index(op.f("ix_lti_grade_target_attempt_id"), "lti_grade_target", ["attempt_id"])
    op.create_table(
        "lti_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("lti_user_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("lineitem_url", sa.String(2000), nullable=False),
        sa.Column("score_given", sa.Numeric(5, 2), nullable=False),
        sa.Column("score_maximum", sa.Integer(), nullable=False),
        sa.Column("timestamp", TZ, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("next_try_at", TZ, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("sent_at", TZ, nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failing', 'rejected', 'superseded')", name=op.f("ck_lti_score_status")
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["lti_platform.id"], name=op.f("fk_lti_score_platform_id_lti_platform"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["lti_user_id"], ["lti_user.id"], name=op.f("fk_lti_score_lti_user_id_lti_user"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempt.id"], name=op.f("fk_lti_score_attempt_id_attempt"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_score")),
    )
    op.create_index(op.f("ix_lti_score_platform_id"), "lti_score", ["platform_id"])
    op.create_index("ix_lti_score_due", "lti_score", ["status", "next_try_at"])
    op.create_index("ix_lti_score_target", "lti_score", ["lti_user_id", "lineitem_url"])


def downgrade() -> None:
    for table in (
        "lti_score",
        "lti_grade_target",
        "lti_user",
        "lti_cache",
        "lti_tool_key",
        "lti_deployment",
        "lti_platform",
    ):
        op.drop_table(table)
