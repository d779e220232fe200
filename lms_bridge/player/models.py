"""Attempts: one learner's run through one package version of a course, and each SCO's run-time state.

The player (attempts, commits and completion in lms_bridge.player) is the only writer of both tables.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms_bridge.catalog.models import Course
from lms_bridge.db import Base, utcnow
from lms_bridge.packages.models import PackageVersion
from lms_bridge.register.models import Staff

LAUNCHED_VIA = ("dev", "lti")


class Attempt(Base):
    """A learner's attempt at a course. It keeps the package version it started with, so re-importing
    the course never changes an attempt in progress; completion, success and score roll up from its SCOs."""

    __tablename__ = "attempt"
    __table_args__ = (
        UniqueConstraint("staff_id", "course_id", "number"),
        CheckConstraint("launched_via IN ('dev', 'lti')", name="launched_via"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    package_version_id: Mapped[int] = mapped_column(ForeignKey("package_version.id"))
    # 1, 2, ... per learner and course
    number: Mapped[int]
    launched_via: Mapped[str] = mapped_column(String(10))
    # The package's rolled-up status in SCORM 2004's words (see player.rollup).
    completion_status: Mapped[str] = mapped_column(String(20), default="not attempted")
    success_status: Mapped[str] = mapped_column(String(20), default="unknown")
    # per cent, 0..100
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    # The highest commit number applied to any of the attempt's SCOs (clock-based, so 64 bits).
    last_commit_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    # The TOC item the learner last opened; the next launch opens it again.
    current_item: Mapped[str | None] = mapped_column(String(300))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # When the attempt met the course's completion rule and went into the register; None until then.
    completed_at: Mapped[dt.datetime | None]
    # For the LTI launch (the LTI issue fills these): the Moodle resource link that launched the attempt
    # and the AGS line item its score goes to. The dev sign-in leaves them empty.
    lti_resource_link: Mapped[str | None] = mapped_column(String(255))
    lti_lineitem_url: Mapped[str | None] = mapped_column(String(2000))

    staff: Mapped[Staff] = relationship(lazy="raise")
    course: Mapped[Course] = relationship(lazy="raise")
    version: Mapped[PackageVersion] = relationship(lazy="raise")


class AttemptItem(Base):
    """One TOC item of an attempt: a SCO's run-time state (scorm.cmi), or an asset's first visit."""

    __tablename__ = "attempt_item"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"), primary_key=True)
    # the manifest's item identifier
    item: Mapped[str] = mapped_column(String(300), primary_key=True)
    # scorm.cmi state of a SCO; None for an asset, which has no run-time data
    state: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    completion_status: Mapped[str] = mapped_column(String(20), default="not attempted")
    success_status: Mapped[str] = mapped_column(String(20), default="unknown")
    score_scaled: Mapped[float | None] = mapped_column(Float)
    first_opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
