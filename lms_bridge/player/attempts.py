"""Which attempt a launch opens, and opening one of its items: a SCO's state, an asset's first visit.

Reading is kept apart from writing because a GET must change nothing (a link previewer or a prefetcher
fetches pages nobody opened): `plan_launch` and `view_item` only read, for the pages; `resolve_attempt`
and `open_item` write, behind POSTs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms_bridge.catalog.models import Course
from lms_bridge.errors import Forbidden, NotFound
from lms_bridge.packages.models import PackageVersion
from lms_bridge.packages.service import current_version_id
from lms_bridge.player.completion import roll_up, store_state
from lms_bridge.player.errors import NotPlayable, PlayerError
from lms_bridge.player.layout import Layout, TocItem, data_model, layout
from lms_bridge.player.models import Attempt, AttemptItem
from lms_bridge.register.models import Staff
from scorm.cmi import DataModel

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Launch:
    attempt: Attempt
    created: bool


@dataclass(frozen=True)
class LaunchPlan:
    """What launching the course would do now: resume or review `latest`, or start attempt `number`."""

    latest: Attempt | None
    action: str  # "start" (a first attempt), "resume", "review" or "new" (after a completed one)


def latest_attempt(session: Session, *, staff_id: int, course_id: int) -> Attempt | None:
    return session.scalars(
        select(Attempt)
        .where(Attempt.staff_id == staff_id, Attempt.course_id == course_id)
        .order_by(Attempt.number.desc())
        .limit(1)
    ).first()


def _needs_new_attempt(latest: Attempt | None, course: Course) -> bool:
    return latest is None or (latest.completed_at is not None and course.new_attempt_after_completion)


def plan_launch(session: Session, *, staff_id: int, course: Course) -> LaunchPlan:
    """What a launch would open, changing nothing. Raises NotPlayable as resolve_attempt would."""
    latest = latest_attempt(session, staff_id=staff_id, course_id=course.id)
    if _needs_new_attempt(latest, course):
        if current_version_id(session, course.id) is None:
            raise NotPlayable(_l("Kurssilla %(title)s ei ole vielä sisältöä.", title=course.title))
        return LaunchPlan(latest, "start" if latest is None else "new")
    assert latest is not None  # noqa: S101 - _needs_new_attempt is true without one
    return LaunchPlan(latest, "review" if is_review(latest) else "resume")


def resolve_attempt(
    session: Session,
    *,
    staff_id: int,
    course: Course,
    launched_via: str,
    now: dt.datetime,
    lti_resource_link: str | None = None,
    lti_lineitem_url: str | None = None,
) -> Launch:
    """The attempt a launch opens: the incomplete one (resumed), else the completed one (reviewed) or a new
    one with the course's current version, as Course.new_attempt_after_completion says.

    Raises NotPlayable when a new attempt is needed and the course has no package.
    """
    for _ in range(2):  # a concurrent launch may create the same attempt number first: then use that one
        latest = latest_attempt(session, staff_id=staff_id, course_id=course.id)
        if latest is not None and not _needs_new_attempt(latest, course):
            return Launch(latest, created=False)
        version_id = current_version_id(session, course.id)
        if version_id is None:
            raise NotPlayable(_l("Kurssilla %(title)s ei ole vielä sisältöä.", title=course.title))
        attempt = Attempt(
            staff_id=staff_id,
            course_id=course.id,
            package_version_id=version_id,
            number=latest.number + 1 if latest else 1,
            launched_via=launched_via,
            started_at=now,
            updated_at=now,
            lti_resource_link=lti_resource_link,
            lti_lineitem_url=lti_lineitem_url,
        )
        try:
            with session.begin_nested():
                session.add(attempt)
                session.flush()
        except IntegrityError:
            continue
        logger.info("Attempt %s started (staff %s, course %s)", attempt.id, staff_id, course.id)
        return Launch(attempt, created=True)
    raise PlayerError(_l("Suorituskertaa ei voitu aloittaa. Yritä uudelleen."), status=409)


def require_attempt(
    session: Session, attempt_id: int, *, staff_id: int | None, lock: bool = False
) -> Attempt:
    """The attempt, if it is this learner's. Raises NotFound, and Forbidden for anyone else's."""
    attempt = session.get(Attempt, attempt_id, with_for_update=lock, populate_existing=lock)
    if attempt is None:
        raise NotFound(_l("Suorituskertaa ei löydy."))
    if staff_id is None or attempt.staff_id != staff_id:
        raise Forbidden(_l("Suorituskerta kuuluu toiselle käyttäjälle."))
    return attempt


def storage_key(session: Session, attempt: Attempt) -> str:
    """Where the attempt's package version lies in the store."""
    return session.get_one(PackageVersion, attempt.package_version_id).storage_key


def is_review(attempt: Attempt) -> bool:
    """A completed attempt opens for review: nothing the learner does changes it."""
    return attempt.completed_at is not None


@dataclass(frozen=True)
class ItemView:
    """One TOC item of an attempt as its page shows it (read only)."""

    course: Course
    layout: Layout
    item: TocItem
    review: bool


@dataclass(frozen=True)
class OpenedItem(ItemView):
    elements: dict[str, str]  # the SCO's state by dotted name, for scorm-again (empty for an asset)
    seq: int  # the last commit number applied to the SCO


def view_item(session: Session, attempt: Attempt, item_id: str | None) -> ItemView:
    """The item a page shows: the one asked for, else where the learner was, else the first. Changes
    nothing. Raises NotPlayable for an item the package does not have."""
    lay = layout(session.get_one(PackageVersion, attempt.package_version_id))
    course = session.get_one(Course, attempt.course_id)
    if item_id is not None:
        item = lay.find(item_id)
        if item is None:
            raise NotPlayable(_l("Paketissa ei ole tätä osaa."))
    else:
        item = lay.find(attempt.current_item) or lay.first()
    return ItemView(course, lay, item, is_review(attempt))


def open_item(session: Session, attempt: Attempt, item_id: str | None, *, now: dt.datetime) -> OpenedItem:
    """Open one TOC item for the learner, as the page is about to run it: the learner's place, a SCO's
    state (a session the browser never finished is finished now, as the run-time would have at
    LMSFinish), an asset's first visit. A completed attempt (review) is only read.

    Raises NotPlayable for an item the package does not have.
    """
    view = view_item(session, attempt, item_id)
    course, lay, item, review = view.course, view.layout, view.item, view.review
    row = session.get(AttemptItem, (attempt.id, item.item))
    if not review:
        attempt.current_item = item.item
    if not item.sco:
        if row is None and not review:
            visit = AttemptItem(attempt_id=attempt.id, item=item.item, state=None, first_opened_at=now)
            # Another tab may record the same first visit at the same moment: one row is enough.
            with contextlib.suppress(IntegrityError), session.begin_nested():
                session.add(visit)
                session.flush()
        return OpenedItem(course, lay, item, review, {}, 0)

    model = data_model(lay)
    if row is None:
        row = new_item(session, attempt, lay, item, model, now=now, persist=not review)
    elif not review and row.state is not None and row.state["_meta"]["open"]:
        store_state(row, model, model.finish(row.state), row.seq, now)
        roll_up(session, attempt, lay, now, row=row, passing_score=course.passing_score)
    state = row.state or {}
    elements = dict(model.elements(state))
    if review:
        mode, credit = (
            ("cmi.core.lesson_mode", "cmi.core.credit")
            if lay.cmi_version == "1.2"
            else ("cmi.mode", "cmi.credit")
        )
        elements[mode], elements[credit] = "review", "no-credit"
    session.flush()
    return OpenedItem(course, lay, item, review, elements, row.seq)


def new_item(
    session: Session,
    attempt: Attempt,
    lay: Layout,
    item: TocItem,
    model: DataModel,
    *,
    now: dt.datetime,
    persist: bool,
) -> AttemptItem:
    staff = session.get_one(Staff, attempt.staff_id)
    # The package's mastery score for the SCO; else the course's passing score, so the SCO and the
    # register judge the learner by the same rule.
    passing_score = session.get_one(Course, attempt.course_id).passing_score
    mastery = item.mastery_score if item.mastery_score is not None else passing_score
    learner_id, learner_name = staff.employee_number, f"{staff.last_name}, {staff.first_name}"
    if lay.cmi_version == "1.2":
        state = model.initial_state(learner_id=learner_id, learner_name=learner_name, mastery_score=mastery)
    else:
        scaled = None if mastery is None else mastery / 100
        state = model.initial_state(
            learner_id=learner_id, learner_name=learner_name, scaled_passing_score=scaled
        )
    row = AttemptItem(
        attempt_id=attempt.id, item=item.item, state=state, seq=0, first_opened_at=now, updated_at=now
    )
    if persist:
        try:
            with session.begin_nested():  # a second tab may open the same SCO at the same moment
                session.add(row)
                session.flush()
        except IntegrityError:
            return session.get_one(AttemptItem, (attempt.id, item.item))
    return row
