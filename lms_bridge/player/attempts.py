"""Which attempt a launch opens, and opening one of its items: a SCO's state, an asset's first visit."""

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


def latest_attempt(session: Session, *, staff_id: int, course_id: int) -> Attempt | None:
    return session.scalars(
        select(Attempt)
        .where(Attempt.staff_id == staff_id, Attempt.course_id == course_id)
        .order_by(Attempt.number.desc())
        .limit(1)
    ).first()


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
        if latest is not None and (latest.completed_at is None or not course.new_attempt_after_completion):
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
class OpenedItem:
    course: Course
    layout: Layout
    item: TocItem
    review: bool
    elements: dict[str, str]  # the SCO's state by dotted name, for scorm-again (empty for an asset)
    seq: int  # the last commit number applied to the SCO


def open_item(session: Session, attempt: Attempt, item_id: str | None, *, now: dt.datetime) -> OpenedItem:
    """Prepare one TOC item for the learner: a SCO's state (a session the browser never finished is
    finished now, as the run-time would have at LMSFinish), an asset's first visit.

    Raises NotPlayable for an item the package does not have.
    """
    lay = layout(session.get_one(PackageVersion, attempt.package_version_id))
    course = session.get_one(Course, attempt.course_id)
    if item_id is not None:
        item = lay.find(item_id)
        if item is None:
            raise NotPlayable(_l("Paketissa ei ole tätä osaa."))
    else:
        item = lay.find(attempt.current_item) or lay.first()
    review = is_review(attempt)
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
