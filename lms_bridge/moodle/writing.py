"""What a sync batch writes: completions through the register's writers, and the cursor rows.

Both in the caller's transaction (flushed, not committed), so a batch's records and its cursor commit or
roll back together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lms_bridge.catalog.models import Competence
from lms_bridge.errors import DomainError
from lms_bridge.moodle.models import MoodleSyncState
from lms_bridge.register.service import NewCompletion, record_completion, record_completions_bulk

_STATE_CHUNK = 1000


def record_events(
    session: Session, events: Sequence[NewCompletion], *, recorded_by: str, on_refused: Callable[[str], None]
) -> int:
    """Record through the register and return how many were new. A batch the register refuses (a key
    recorded with other data, a date in the future) is recorded one by one; each refusal goes to
    `on_refused` as "<source_ref>: <message>" and the rest are kept."""
    if not events:
        return 0
    try:
        with session.begin_nested():
            return len(record_completions_bulk(session, events, recorded_by=recorded_by).new)
    except DomainError:
        pass
    added = 0
    codes = {c.id: c.code for c in session.scalars(select(Competence))}
    for event in events:
        try:
            with session.begin_nested():
                result = record_completion(
                    session,
                    staff_id=event.staff_id,
                    competence_code=codes[event.competence_id],
                    completed_at=event.completed_at,
                    source=event.source,
                    source_ref=event.source_ref,
                    score=event.score,
                    recorded_by=recorded_by,
                )
            added += int(result.created)
        except DomainError as error:
            on_refused(f"{event.source_ref}: {error.message}")
    return added


def save_states(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or update cursor rows (moodle_sync_state), keyed by site, Moodle course and user."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(MoodleSyncState)
    stmt = stmt.on_conflict_do_update(
        index_elements=["site_id", "moodle_course_id", "moodle_user_id"],
        set_={
            "signature": stmt.excluded.signature,
            "checked_at": stmt.excluded.checked_at,
            "course_completed": stmt.excluded.course_completed,
            "last_activity_at": stmt.excluded.last_activity_at,
        },
    )
    for start in range(0, len(rows), _STATE_CHUNK):
        session.execute(stmt, list(rows[start : start + _STATE_CHUNK]))
