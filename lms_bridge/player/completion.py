"""A SCO's stored state, the attempt's rolled-up status, and what a completed attempt records.

When an attempt first meets its course's completion rule, `register.record_completion` is called for
every competence the course grants, and then the `attempt_completed` signal is sent inside the same
transaction (the LTI score passback connects to it). A receiver must not raise for a remote failure
(queue the work instead), or the learner's commit would be rolled back.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_bridge import signals
from lms_bridge.catalog.models import Course
from lms_bridge.catalog.service import course_competence_codes
from lms_bridge.player import rollup
from lms_bridge.player.layout import Layout
from lms_bridge.player.models import Attempt, AttemptItem
from lms_bridge.register.lookups import has_completion_from
from lms_bridge.register.service import record_completion
from scorm.cmi import DataModel, State

logger = logging.getLogger(__name__)

COMPLETION_SOURCE = "player"


def store_state(row: AttemptItem, model: DataModel, state: State, seq: int, now: dt.datetime) -> None:
    status = rollup.item_status(model, state)
    row.state = state  # a new dict: the data model never changes the one it was given
    row.seq = seq
    row.completion_status = status.completion_status
    row.success_status = status.success_status
    row.score_scaled = status.score_scaled
    row.updated_at = now


def roll_up(
    session: Session,
    attempt: Attempt,
    lay: Layout,
    now: dt.datetime,
    *,
    row: AttemptItem,
    passing_score: int | None,
) -> bool:
    """Update the attempt's status from its items (`row` just changed); record the completion the first
    time the course's rule is met — with its score: while the SCO that met it still runs without one, the
    completion waits."""
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
    if result.score is None and row.state is not None and row.state["_meta"]["open"]:
        # The rule is met but the SCO is still running without a score: our modules commit the final
        # status before the score (so Moodle 4.3 counts them, issue 11). Wait for its next commit or its
        # finish; a completed attempt is read-only, and the register would keep no score.
        return False
    attempt.completed_at = now
    session.flush()
    record_attempt(session, attempt, course_competence_codes(session, attempt.course_id))
    logger.info("Attempt %s completed (staff %s, course %s)", attempt.id, attempt.staff_id, attempt.course_id)
    signals.attempt_completed.send(attempt, session=session)
    return True


def attempt_source_ref(attempt_id: int, competence_code: str) -> str:
    # (source, source_ref) is recorded once, so each competence the course grants has its own key
    return f"attempt:{attempt_id}:{competence_code}"


def is_recorded(session: Session, attempt: Attempt) -> bool:
    """Whether the register holds the attempt's completion (for any competence): what the learner is told
    when the attempt completes. A course that grants no competence records nothing."""
    return has_completion_from(session, COMPLETION_SOURCE, attempt_source_ref(attempt.id, ""))


def record_attempt(session: Session, attempt: Attempt, codes: list[str]) -> int:
    """Record a completed attempt in the register for these competences; returns how many are new."""
    assert attempt.completed_at is not None  # noqa: S101 - only completed attempts are recorded
    created = 0
    for code in codes:
        result = record_completion(
            session,
            staff_id=attempt.staff_id,
            competence_code=code,
            completed_at=attempt.completed_at,
            source=COMPLETION_SOURCE,
            source_ref=attempt_source_ref(attempt.id, code),
            course_id=attempt.course_id,
            score=attempt.score,
            recorded_by=f"player:attempt:{attempt.id}",
        )
        created += result.created
    return created


def record_earlier_attempts(sender: Course, *, session: Session, added: list[str]) -> None:
    """A course now grants more competences: its attempts completed before are recorded for them too
    (idempotent, as every register write), so a completion made while the course granted nothing is not
    lost."""
    attempts = session.scalars(
        select(Attempt).where(Attempt.course_id == sender.id, Attempt.completed_at.is_not(None))
    ).all()
    recorded = sum(record_attempt(session, attempt, added) for attempt in attempts)
    logger.info(
        "Course %s grants %s more competences: %s earlier completions recorded",
        sender.id,
        len(added),
        recorded,
    )
