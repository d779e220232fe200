"""Lists the player's pages show: the table of contents' progress, the front page's courses, the demo
sign-in's people."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_bridge.catalog.models import Course
from lms_bridge.packages.models import CurrentVersion
from lms_bridge.player.models import Attempt, AttemptItem
from lms_bridge.register.models import Staff


def item_progress(session: Session, attempt_id: int) -> dict[str, str]:
    """Each opened item's completion status ("visited" for an asset), for the table of contents."""
    rows = session.execute(
        select(AttemptItem.item, AttemptItem.state.is_(None), AttemptItem.completion_status).where(
            AttemptItem.attempt_id == attempt_id
        )
    )
    return {item: "visited" if is_asset else status for item, is_asset, status in rows}


@dataclass(frozen=True)
class CourseCard:
    course: Course
    attempt: Attempt | None


def playable_courses(session: Session, *, staff_id: int) -> list[CourseCard]:
    """Courses with a package to play, each with the learner's latest attempt."""
    courses = list(
        session.scalars(
            select(Course).join(CurrentVersion, CurrentVersion.course_id == Course.id).order_by(Course.title)
        )
    )
    latest: dict[int, Attempt] = {}
    for attempt in session.scalars(
        select(Attempt).where(Attempt.staff_id == staff_id).order_by(Attempt.course_id, Attempt.number)
    ):
        latest[attempt.course_id] = attempt
    return [CourseCard(course, latest.get(course.id)) for course in courses]


def sign_in_choices(session: Session, *, limit: int = 50) -> list[Staff]:
    """Active staff the demo sign-in offers (development only)."""
    return list(
        session.scalars(
            select(Staff)
            .where(Staff.active.is_(True))
            .order_by(Staff.last_name, Staff.first_name, Staff.employee_number)
            .limit(limit)
        )
    )
