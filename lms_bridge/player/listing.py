"""Lists the player's pages show: the table of contents' progress, the front page's courses, the demo
sign-in's people."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_bridge.catalog.models import Course
from lms_bridge.catalog.service import courses_by_competence, courses_for_learner
from lms_bridge.db import utcnow
from lms_bridge.errors import NotFound
from lms_bridge.packages.service import current_versions
from lms_bridge.player.models import Attempt, AttemptItem
from lms_bridge.register.lookups import unit_codes_on_path
from lms_bridge.register.models import Staff
from lms_bridge.register.status import StatusFilter, competence_statuses


def item_progress(session: Session, attempt_id: int) -> dict[str, str]:
    """Each opened item's completion status ("visited" for an asset), for the table of contents."""
    rows = session.execute(
        select(AttemptItem.item, AttemptItem.state.is_(None), AttemptItem.completion_status).where(
            AttemptItem.attempt_id == attempt_id
        )
    )
    return {item: "visited" if is_asset else status for item, is_asset, status in rows}


# How urgent a competence a course grants is for the learner; the list puts the most urgent first.
_URGENCY = {"expired": 0, "missing": 1, "expiring": 2, "valid": 3, "not_required": 4}


@dataclass(frozen=True)
class CourseCard:
    course: Course
    attempt: Attempt | None
    status: str | None  # the most urgent status among the competences the course grants (None: grants none)
    expires_at: dt.datetime | None  # when what the learner holds of it expires

    @property
    def due(self) -> bool:
        """Required of the learner and not valid: missing, expired or about to expire."""
        return self.status in ("missing", "expired", "expiring")


def playable_courses(
    session: Session, *, staff_id: int, now: dt.datetime | None = None, expiring_within_days: int = 60
) -> list[CourseCard]:
    """The published courses meant for the learner that have a package, what is required of them first
    (expired, missing, expiring), then in the catalogue's order; each with the learner's latest attempt."""
    staff = session.get(Staff, staff_id)
    if staff is None:
        return []
    now = now or utcnow()
    courses = courses_for_learner(
        session, unit_codes=unit_codes_on_path(session, staff.unit_id), job_title=staff.job_title
    )
    playable = set(current_versions(session))
    courses = [course for course in courses if course.id in playable]
    latest: dict[int, Attempt] = {}
    for attempt in session.scalars(
        select(Attempt).where(Attempt.staff_id == staff_id).order_by(Attempt.course_id, Attempt.number)
    ):
        latest[attempt.course_id] = attempt
    statuses = {
        row.competence_id: row
        for row in competence_statuses(
            session, now=now, expiring_within_days=expiring_within_days, flt=StatusFilter(staff_id=staff_id)
        )
    }
    grants: dict[int, list[int]] = {}
    for competence_id, granting in courses_by_competence(session).items():
        for course in granting:
            grants.setdefault(course.id, []).append(competence_id)
    cards = []
    for course in courses:
        rows = [statuses[c] for c in grants.get(course.id, []) if c in statuses]
        worst = min(rows, key=lambda r: _URGENCY[r.status], default=None)
        cards.append(
            CourseCard(
                course,
                latest.get(course.id),
                worst.status if worst else None,
                worst.expires_at if worst else None,
            )
        )
    cards.sort(key=lambda card: (0 if card.due else 1, card.course.position, card.course.title))
    return cards


def course_for_learner(session: Session, *, staff_id: int, slug: str) -> Course:
    """A course the learner may open: published and meant for them. Raises NotFound otherwise (a draft,
    another unit's course), as for a course that does not exist."""
    staff = session.get(Staff, staff_id)
    if staff is not None:
        for course in courses_for_learner(
            session, unit_codes=unit_codes_on_path(session, staff.unit_id), job_title=staff.job_title
        ):
            if course.slug == slug:
                return course
    raise NotFound(_l("Kurssia %(slug)s ei löydy.", slug=slug))
