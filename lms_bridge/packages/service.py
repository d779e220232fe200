"""Writes to the package store's tables; other areas call these instead of touching `course` themselves."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_bridge.packages.models import Course


def get_course_by_slug(session: Session, slug: str) -> Course | None:
    return session.scalars(select(Course).where(Course.slug == slug)).one_or_none()


def ensure_course(session: Session, *, slug: str, title: str) -> Course:
    """Return the course with this slug, creating it when missing (flushed, not committed)."""
    course = get_course_by_slug(session, slug)
    if course is None:
        course = Course(slug=slug, title=title)
        session.add(course)
        session.flush()
    return course
