"""What there is to learn: courses, the competence framework, and which competences a course grants.

The lowest area above the base: packages (a course's versions and files), the register (who holds
what) and everything above them refer to these tables; these tables refer to none of theirs.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms_bridge.db import Base, utcnow


class Course(Base):
    __tablename__ = "course"
    __table_args__ = (
        CheckConstraint(
            "passing_score IS NULL OR (passing_score >= 0 AND passing_score <= 100)", name="passing"
        ),
        CheckConstraint("status IN ('draft', 'published', 'hidden', 'retired')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The admin's passing rule (per cent) where the package sets no mastery score.
    passing_score: Mapped[int | None]
    # Whether a launch after a completed attempt starts a new attempt (else the completed one is reviewed).
    new_attempt_after_completion: Mapped[bool] = mapped_column(default=False)
    # draft: only admins see it (every upload starts so); published: its audience sees it; hidden: off the
    # learners' lists but its attempts and completions stay; retired: the same, for good.
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # Published to everyone, or only to the audience rows (units with their sub-units, job titles).
    for_everyone: Mapped[bool] = mapped_column(default=False)
    # Learners' lists are in this order (then by title): the four modules in their teaching order.
    position: Mapped[int] = mapped_column(default=1000)
    # An admin (or a built-in module's course.yaml) has said which competences it grants — possibly none.
    # A course cannot be published before, so no completion is made that the register never hears of.
    competences_decided: Mapped[bool] = mapped_column(default=False)


class Competence(Base):
    """A competence of the framework (data/competences.yaml): what a person can hold and for how long."""

    __tablename__ = "competence"
    __table_args__ = (CheckConstraint("validity_months IS NULL OR validity_months > 0", name="validity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name_fi: Mapped[str] = mapped_column(String(200))
    name_sv: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    # None: the competence never expires
    validity_months: Mapped[int | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)


class CourseCompetence(Base):
    """Which competences completing a course grants."""

    __tablename__ = "course_competence"

    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), primary_key=True)
    competence_id: Mapped[int] = mapped_column(ForeignKey("competence.id"), primary_key=True)


class CourseAudience(Base):
    """Who a published course is for, when not everyone: a unit (by its HR code, with its sub-units), a job
    title, or both (that job title in that unit). Codes, not ids: the unit tree is the register's, above."""

    __tablename__ = "course_audience"
    __table_args__ = (
        CheckConstraint("unit_code IS NOT NULL OR job_title IS NOT NULL", name="target"),
        UniqueConstraint("course_id", "unit_code", "job_title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    unit_code: Mapped[str | None] = mapped_column(String(50))
    job_title: Mapped[str | None] = mapped_column(String(100))
