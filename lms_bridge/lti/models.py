"""The LTI tool's tables: registered platforms and deployments, the tool's signing keys, server-side
launch state, Moodle users and their link to staff, where an attempt's score goes, and the score outbox.

The lti area (lms_bridge/lti/) is the only writer of all of them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms_bridge.db import Base, utcnow

SCORE_STATES = ("pending", "sent", "failing", "rejected", "superseded")


class LtiPlatform(Base):
    """An LMS (a Moodle site) registered to launch the tool: the values Moodle shows the admin."""

    __tablename__ = "lti_platform"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Moodle's "Platform ID" (its wwwroot) and the tool's "Client ID" there
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(200))
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    key_set_url: Mapped[str] = mapped_column(String(1000))
    # Optional audience of the client assertion (Moodle: the token URL, which is the default)
    auth_audience: Mapped[str | None] = mapped_column(String(1000))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The last refusal of the platform's services (401/403: services not enabled for the tool), shown to
    # admins with what to switch on; cleared by the next successful call.
    service_problem: Mapped[str | None] = mapped_column(Text)
    service_problem_at: Mapped[dt.datetime | None]


class LtiDeployment(Base):
    """A deployment of the tool on a platform (Moodle: the tool type id, "1")."""

    __tablename__ = "lti_deployment"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"), index=True)
    deployment_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ToolKey(Base):
    """An RSA key the tool signs with (client assertions, deep-linking responses).

    Published in /lti/jwks.json from `created_at` on, used for signing from `active_from` on (so a
    platform that caches our key set has seen it first), and published until `retired_at`, when nothing
    signed with it can still be checked.
    """

    __tablename__ = "lti_tool_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(100), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    active_from: Mapped[dt.datetime]
    retired_at: Mapped[dt.datetime | None]


class LtiCacheEntry(Base):
    """Server-side launch data (pylti1p3's launch data storage): nonces, states, launches, key sets.

    In the database so that any app process can serve any step of a launch; expired rows are ignored
    and swept at the next login.
    """

    __tablename__ = "lti_cache"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)


class LtiUser(Base):
    """A platform user, keyed on (platform, sub), and the staff member they were linked to (remembered).

    staff_id is None while no rule matched: such users can still learn, and admins see them listed.
    """

    __tablename__ = "lti_user"
    __table_args__ = (
        UniqueConstraint("platform_id", "sub"),
        # One staff member is one user per platform: a second Moodle account claiming the same e-mail
        # or number is not linked by a rule (an admin decides).
        UniqueConstraint("platform_id", "staff_id"),
        CheckConstraint(
            "matched_by IS NULL OR matched_by IN ('sourcedid', 'custom', 'email', 'admin')", name="matched_by"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    sub: Mapped[str] = mapped_column(String(255))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    matched_by: Mapped[str | None] = mapped_column(String(20))
    # What the platform last said, so an admin can tell who an unmatched user is.
    name: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    sourcedid: Mapped[str | None] = mapped_column(String(100))
    username: Mapped[str | None] = mapped_column(String(255))
    first_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    launches: Mapped[int] = mapped_column(default=0)


class LtiGradeTarget(Base):
    """A line item an attempt's score goes to: written at every launch that opens the attempt."""

    __tablename__ = "lti_grade_target"
    __table_args__ = (UniqueConstraint("attempt_id", "lineitem_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"), index=True)
    lti_user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    lineitem_url: Mapped[str] = mapped_column(String(2000))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LtiScore(Base):
    """The score outbox: a score to post to a line item, kept until the platform took it.

    Queued in the transaction that completed the attempt; sent after the commit and by the retry worker
    (`lms-bridge lti scores send`) with backoff. `timestamp` is what the platform sees: strictly newer
    than the last one sent for the same line item and user, in whole seconds (Moodle stores seconds and
    answers 409 to an older or equal timestamp).
    """

    __tablename__ = "lti_score"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failing', 'rejected', 'superseded')", name="status"),
        Index("ix_lti_score_due", "status", "next_try_at"),
        Index("ix_lti_score_target", "lti_user_id", "lineitem_url"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"), index=True)
    lti_user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempt.id", ondelete="SET NULL"))
    lineitem_url: Mapped[str] = mapped_column(String(2000))
    score_given: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    score_maximum: Mapped[int] = mapped_column(default=100)
    timestamp: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(20), default="pending")
    tries: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[dt.datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
