"""The run-time commit: numbered SetValue batches of one SCO, re-validated and stored.

The browser runs the SCO against scorm-again; every value it set comes back here in a numbered commit
and is checked again with scorm.cmi (lax: everything scorm-again accepted is accepted, so nothing a
learner did is refused; what scorm-again let through and the data model refuses is reported per
element). The state of each SCO lives in its own `attempt_item` row; the attempt holds the rolled-up
status (lms_bridge.player.rollup). A commit whose number is not above the SCO's last one changes nothing.

A completed attempt is read-only: what the register recorded at completion is the attempt's result, so a
commit that arrives later (a second tab, a SCO that keeps saving after it passed, a crafted request)
changes nothing and is answered `applied: false` with the code `attempt_completed` (the browser drops it
instead of retrying). The same holds inside one request: commits after the one that completed the
attempt are not applied.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from lms_bridge.catalog.models import Course
from lms_bridge.errors import Forbidden, NotFound
from lms_bridge.packages.models import PackageVersion
from lms_bridge.player.attempts import new_item
from lms_bridge.player.completion import is_recorded, roll_up, store_state
from lms_bridge.player.errors import PlayerError
from lms_bridge.player.layout import cached_layout, data_model, layout
from lms_bridge.player.models import Attempt, AttemptItem
from lms_bridge.player.schemas import CommitRequest

logger = logging.getLogger(__name__)

ATTEMPT_COMPLETED = "attempt_completed"


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
    refused: str | None = None  # ATTEMPT_COMPLETED: some commits were not applied, the attempt is read-only
    recorded: bool = False  # the attempt is completed and the register holds its completion

    def as_json(self) -> dict[str, Any]:
        attempt = self.attempt
        answer: dict[str, Any] = {
            "applied": self.applied[-1],
            "results": list(self.applied),
            "errors": [{"element": r.element, "code": r.code, "message": r.message} for r in self.rejected],
            "attempt": {
                "completion_status": attempt.completion_status,
                "success_status": attempt.success_status,
                "score": None if attempt.score is None else float(attempt.score),
                "completed": attempt.completed_at is not None,
                # the player says "recorded in the competence register" only when it was
                "recorded": self.recorded,
            },
        }
        if self.refused is not None:
            answer["code"] = self.refused
            answer["message"] = str(
                _l("Kurssi on jo suoritettu, eikä suoritusta enää muuteta: muutoksia ei tallennettu.")
            )
        return answer


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

    Idempotent on the number: one not above the SCO's last applied number changes nothing, and nothing
    changes a completed attempt (the outcome says `refused`). Raises NotFound / Forbidden (not this
    learner's attempt), PlayerError (no commits; not a SCO of the package).
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
    lay = cached_layout(storage_key) or layout(session.get_one(PackageVersion, attempt.package_version_id))
    item = lay.find(item_id) if item_id is not None else lay.find(attempt.current_item) or lay.first()
    if item is None or not item.sco:
        raise PlayerError(_l("Paketissa ei ole tätä seurattavaa osaa."))
    if attempt.completed_at is not None:
        recorded = is_recorded(session, attempt)
        return CommitOutcome(
            (False,) * len(commits), (), attempt, False, refused=ATTEMPT_COMPLETED, recorded=recorded
        )
    model = data_model(lay)
    if row is None or row.item != item.item:
        row = session.get(AttemptItem, (attempt.id, item.item))
    if row is None or row.state is None:
        row = new_item(session, attempt, lay, item, model, now=now, persist=True)
    state = row.state
    assert state is not None  # noqa: S101 - a SCO's row always has a state (_new_item)

    applied: list[bool] = []
    rejected: list[Rejected] = []
    newly_completed = False
    refused: str | None = None
    for request in commits:
        if newly_completed:  # completed by an earlier commit of this request: read-only from here on
            applied.append(False)
            refused = ATTEMPT_COMPLETED
            continue
        result = model.apply_commit(state, request.seq, request.changes, skip_invalid=True)
        applied.append(result.applied)
        if not result.applied:
            continue
        state = model.finish(result.state) if request.finish else result.state
        rejected += [Rejected(e.element, e.code, e.message) for e in result.rejected]
        store_state(row, model, state, request.seq, now)
        attempt.last_commit_seq = max(attempt.last_commit_seq, request.seq)
        attempt.updated_at = now
        # Rolled up after each commit, so the one that completes the attempt is the last one applied.
        newly_completed = roll_up(session, attempt, lay, now, row=row, passing_score=passing_score)
    if rejected:
        logger.info("Attempt %s item %s: %s values refused", attempt.id, item.item, len(rejected))
    recorded = newly_completed and is_recorded(session, attempt)
    return CommitOutcome(tuple(applied), tuple(rejected), attempt, newly_completed, refused, recorded)
