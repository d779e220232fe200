"""Attempts and the run-time commit: which attempt a launch opens, each SCO's state, and what a completed
attempt records.

The browser runs the SCO against scorm-again; every value it set comes back here in a numbered commit
and is checked again with scorm.cmi (lax: everything scorm-again accepted is accepted, so nothing a
learner did is refused; what scorm-again let through and the data model refuses is reported per
element). The state of each SCO lives in its own `attempt_item` row; the attempt holds the rolled-up
status (lms_bridge.player.rollup). A commit whose number is not above the SCO's last one changes nothing.

When an attempt first meets the course's completion rule, `register.record_completion` is called for
every competence the course grants, and then every function in `on_attempt_completed`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms_bridge.errors import Forbidden, NotFound
from lms_bridge.packages.models import Course, PackageVersion
from lms_bridge.player import rollup
from lms_bridge.player.errors import NotPlayable, PlayerError
from lms_bridge.player.models import Attempt, AttemptItem
from lms_bridge.player.schemas import CommitRequest
from lms_bridge.register.framework import course_competence_codes
from lms_bridge.register.models import Staff
from lms_bridge.register.service import record_completion
from scorm.cmi import DataModel, State

logger = logging.getLogger(__name__)

COMPLETION_SOURCE = "player"

# Called as hook(session, attempt) inside the transaction of the commit that completed the attempt, after
# the register has the completion. The LTI issue appends its AGS score passback here; a hook must not
# raise for a remote failure (queue the work instead), or the learner's commit would be rolled back.
on_attempt_completed: list[Callable[[Session, Attempt], None]] = []


@dataclass(frozen=True)
class TocItem:
    item: str
    title: str
    href: str | None  # None: a heading without content
    sco: bool
    depth: int
    mastery_score: float | None  # per cent


@dataclass(frozen=True)
class Layout:
    """What the player needs of a package version; versions never change once imported, so it is cached."""

    version_id: int
    cmi_version: str  # "1.2" or "2004"
    storage_key: str
    items: tuple[TocItem, ...]
    has_sequencing: bool

    @property
    def launchable(self) -> tuple[TocItem, ...]:
        return tuple(item for item in self.items if item.href)

    @property
    def sco_ids(self) -> tuple[str, ...]:
        return tuple(item.item for item in self.items if item.sco and item.href)

    @property
    def mastery_applies(self) -> bool:
        return any(item.mastery_score is not None for item in self.items if item.sco)

    def find(self, item_id: str | None) -> TocItem | None:
        return next((i for i in self.launchable if i.item == item_id), None) if item_id else None

    def first(self) -> TocItem:
        return self.launchable[0]

    def neighbours(self, item_id: str) -> tuple[TocItem | None, TocItem | None]:
        """The launchable items before and after one, in document order (flow navigation)."""
        items = self.launchable
        index = next(i for i, item in enumerate(items) if item.item == item_id)
        return (items[index - 1] if index else None, items[index + 1] if index + 1 < len(items) else None)


# By storage key: unique for every version ever stored, also one whose transaction was rolled back.
_LAYOUTS: dict[str, Layout] = {}


def layout(version: PackageVersion) -> Layout:
    found = _LAYOUTS.get(version.storage_key)
    if found is None:
        items = tuple(
            TocItem(
                item=str(row["item"]),
                title=str(row.get("title") or row["item"]),
                href=row.get("href") or None,
                sco=bool(row.get("sco")),
                depth=int(row.get("depth") or 0),
                mastery_score=None if row.get("mastery_score") is None else float(row["mastery_score"]),
            )
            for row in version.structure
        )
        if not any(item.href for item in items):  # a manifest without a usable organization
            item = TocItem("_launch", version.title, version.launch_href, version.sco_count > 0, 0, None)
            items = (item,)
        found = Layout(
            version_id=version.id,
            cmi_version="1.2" if version.standard == "scorm12" else "2004",
            storage_key=version.storage_key,
            items=items,
            has_sequencing=version.has_sequencing,
        )
        _LAYOUTS[version.storage_key] = found
    return found


def data_model(lay: Layout) -> DataModel:
    # Lax: third-party content is not refused what scorm-again accepted from it (see scorm.cmi).
    return DataModel.for_version(lay.cmi_version, strict=False)


# ----------------------------------------------------------------------------------- launching


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
        if course.current_version_id is None:
            raise NotPlayable(_l("Kurssilla %(title)s ei ole vielä sisältöä.", title=course.title))
        attempt = Attempt(
            staff_id=staff_id,
            course_id=course.id,
            package_version_id=course.current_version_id,
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


def is_review(attempt: Attempt) -> bool:
    """A completed attempt opens for review: nothing the learner does changes it."""
    return attempt.completed_at is not None


@dataclass(frozen=True)
class OpenedItem:
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
    lay = layout(attempt.version)
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
        return OpenedItem(lay, item, review, {}, 0)

    model = data_model(lay)
    if row is None:
        row = _new_item(session, attempt, lay, item, model, now=now, persist=not review)
    elif not review and row.state is not None and row.state["_meta"]["open"]:
        _store(row, model, model.finish(row.state), row.seq, now)
        _roll_up(session, attempt, lay, now, row=row, passing_score=attempt.course.passing_score)
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
    return OpenedItem(lay, item, review, elements, row.seq)


def _new_item(
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
    mastery = item.mastery_score if item.mastery_score is not None else attempt.course.passing_score
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


def _store(row: AttemptItem, model: DataModel, state: State, seq: int, now: dt.datetime) -> None:
    status = rollup.item_status(model, state)
    row.state = state  # a new dict: the data model never changes the one it was given
    row.seq = seq
    row.completion_status = status.completion_status
    row.success_status = status.success_status
    row.score_scaled = status.score_scaled
    row.updated_at = now


# ----------------------------------------------------------------------------------- committing


@dataclass(frozen=True)
class Rejected:
    element: str
    code: int
    message: str


@dataclass(frozen=True)
class CommitOutcome:
    applied: tuple[bool, ...]  # per commit, in order: False for a number already applied (nothing changed)
    rejected: tuple[Rejected, ...]  # values the data model refused, in every commit applied
    attempt: Attempt
    newly_completed: bool

    def as_json(self) -> dict[str, Any]:
        attempt = self.attempt
        return {
            "applied": self.applied[-1],
            "results": list(self.applied),
            "errors": [{"element": r.element, "code": r.code, "message": r.message} for r in self.rejected],
            "attempt": {
                "completion_status": attempt.completion_status,
                "success_status": attempt.success_status,
                "score": None if attempt.score is None else float(attempt.score),
                "completed": attempt.completed_at is not None,
            },
        }


# What a commit needs, in one query, built once (statement construction is a good part of a commit's
# cost). The row lock serialises commits to one attempt (two tabs) on PostgreSQL; SQLite's BEGIN IMMEDIATE
# already serialises every writer.
_COMMIT_QUERY = (
    select(Attempt, PackageVersion.storage_key, Course.passing_score, AttemptItem)
    .join(PackageVersion, PackageVersion.id == Attempt.package_version_id)
    .join(Course, Course.id == Attempt.course_id)
    .outerjoin(AttemptItem, and_(AttemptItem.attempt_id == Attempt.id, AttemptItem.item == bindparam("item")))
    .where(Attempt.id == bindparam("attempt_id"))
    .with_for_update(of=Attempt)
)


def commit(
    session: Session,
    *,
    attempt_id: int,
    staff_id: int,
    item_id: str | None,
    commits: Sequence[CommitRequest],
    now: dt.datetime,
) -> CommitOutcome:
    """Apply numbered commits of one SCO's SetValue calls (each with its LMSFinish/Terminate when
    `finish`), in order.

    Idempotent on the number: one not above the SCO's last applied number changes nothing. Raises NotFound
    / Forbidden (not this learner's attempt), PlayerError (no commits; not a SCO of the package).
    """
    if not commits:
        raise PlayerError(_l("Tallennuksessa ei ole muutoksia."))
    found = session.execute(_COMMIT_QUERY, {"attempt_id": attempt_id, "item": item_id or ""}).first()
    if found is None:
        raise NotFound(_l("Suorituskertaa ei löydy."))
    attempt, storage_key, passing_score, joined = found
    row: AttemptItem | None = joined
    if attempt.staff_id != staff_id:
        raise Forbidden(_l("Suorituskerta kuuluu toiselle käyttäjälle."))
    lay = _LAYOUTS.get(storage_key) or layout(attempt.version)
    item = lay.find(item_id) if item_id is not None else lay.find(attempt.current_item) or lay.first()
    if item is None or not item.sco:
        raise PlayerError(_l("Paketissa ei ole tätä seurattavaa osaa."))
    model = data_model(lay)
    if row is None or row.item != item.item:
        row = session.get(AttemptItem, (attempt.id, item.item))
    if row is None or row.state is None:
        row = _new_item(session, attempt, lay, item, model, now=now, persist=True)
    state = row.state
    assert state is not None  # noqa: S101 - a SCO's row always has a state (_new_item)

    applied: list[bool] = []
    rejected: list[Rejected] = []
    seq = row.seq
    for request in commits:
        result = model.apply_commit(state, request.seq, request.changes, skip_invalid=True)
        applied.append(result.applied)
        if not result.applied:
            continue
        state = model.finish(result.state) if request.finish else result.state
        seq = request.seq
        rejected += [Rejected(e.element, e.code, e.message) for e in result.rejected]
    if not any(applied):
        return CommitOutcome(tuple(applied), (), attempt, newly_completed=False)
    _store(row, model, state, seq, now)
    attempt.last_commit_seq = max(attempt.last_commit_seq, seq)
    attempt.updated_at = now
    if rejected:
        logger.info("Attempt %s item %s: %s values refused", attempt.id, item.item, len(rejected))
    newly_completed = _roll_up(session, attempt, lay, now, row=row, passing_score=passing_score)
    return CommitOutcome(tuple(applied), tuple(rejected), attempt, newly_completed)


def _roll_up(
    session: Session,
    attempt: Attempt,
    lay: Layout,
    now: dt.datetime,
    *,
    row: AttemptItem,
    passing_score: int | None,
) -> bool:
    """Update the attempt's status from its items (`row` just changed); record the completion the first
    time the course's rule is met."""
    statuses = {row.item: rollup.ItemStatus(row.completion_status, row.success_status, row.score_scaled)}
    if len(lay.sco_ids) > 1:  # the others from the database; a one-SCO package needs no query
        others = session.execute(
            select(
                AttemptItem.item,
                AttemptItem.completion_status,
                AttemptItem.success_status,
                AttemptItem.score_scaled,
            ).where(AttemptItem.attempt_id == attempt.id, AttemptItem.item != row.item)
        )
        statuses.update({item: rollup.ItemStatus(c, s, score) for item, c, s, score in others})
    result = rollup.roll_up(
        statuses,
        sco_ids=lay.sco_ids,
        mastery_applies=lay.mastery_applies,
        passing_score=passing_score,
    )
    attempt.completion_status = result.completion_status
    attempt.success_status = result.success_status
    attempt.score = result.score
    if not result.completed or attempt.completed_at is not None:
        return False
    attempt.completed_at = now
    session.flush()
    for code in course_competence_codes(session, attempt.course_id):
        record_completion(
            session,
            staff_id=attempt.staff_id,
            competence_code=code,
            completed_at=now,
            source=COMPLETION_SOURCE,
            # (source, source_ref) is recorded once, so each competence the course grants has its own key
            source_ref=f"attempt:{attempt.id}:{code}",
            course_id=attempt.course_id,
            score=attempt.score,
            recorded_by=f"player:attempt:{attempt.id}",
        )
    logger.info("Attempt %s completed (staff %s, course %s)", attempt.id, attempt.staff_id, attempt.course_id)
    for hook in on_attempt_completed:
        hook(session, attempt)
    return True


# ----------------------------------------------------------------------------------- commit token


def commit_token(secret_key: str, *, attempt_id: int, staff_id: int) -> str:
    """The attempt's CSRF token: only a page the server rendered for this learner and attempt knows it."""
    message = f"player-commit:{attempt_id}:{staff_id}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def check_commit_token(secret_key: str, token: object, *, attempt_id: int, staff_id: int) -> bool:
    expected = commit_token(secret_key, attempt_id=attempt_id, staff_id=staff_id)
    return isinstance(token, str) and hmac.compare_digest(token, expected)


# ----------------------------------------------------------------------------------- lists


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
        session.scalars(select(Course).where(Course.current_version_id.is_not(None)).order_by(Course.title))
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
