"""Sync runs and the unmatched-users list, as admins see them. Services flush, never commit."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from lms_bridge.db import utcnow
from lms_bridge.moodle.models import MoodleSyncRun, MoodleUnmatchedUser


def start_run(session: Session, site_id: int, *, started_by: str) -> MoodleSyncRun:
    run = MoodleSyncRun(
        site_id=site_id, started_by=started_by, started_at=utcnow(), status="running", errors=[]
    )
    session.add(run)
    session.flush()
    return run


def finish_run(run: MoodleSyncRun, *, failed: bool) -> None:
    run.finished_at = utcnow()
    run.status = "failed" if failed or run.status == "failed" else "ok"


def last_runs(session: Session) -> dict[int, MoodleSyncRun]:
    """Each site's latest run, by site id."""
    latest = select(MoodleSyncRun.site_id, func.max(MoodleSyncRun.id).label("id")).group_by(
        MoodleSyncRun.site_id
    )
    sub = latest.subquery()
    runs = session.scalars(select(MoodleSyncRun).join(sub, sub.c.id == MoodleSyncRun.id))
    return {run.site_id: run for run in runs}


def recent_runs(session: Session, site_id: int, *, limit: int = 10) -> list[MoodleSyncRun]:
    return list(
        session.scalars(
            select(MoodleSyncRun)
            .where(MoodleSyncRun.site_id == site_id)
            .order_by(MoodleSyncRun.id.desc())
            .limit(limit)
        )
    )


def replace_unmatched(session: Session, site_id: int, users: Iterable[MoodleUnmatchedUser]) -> None:
    """The site's unmatched list becomes `users` (a complete sync saw every mapped course)."""
    session.execute(delete(MoodleUnmatchedUser).where(MoodleUnmatchedUser.site_id == site_id))
    session.add_all(users)
    session.flush()


def unmatched_users(session: Session, site_id: int) -> list[MoodleUnmatchedUser]:
    return list(
        session.scalars(
            select(MoodleUnmatchedUser)
            .where(MoodleUnmatchedUser.site_id == site_id)
            .order_by(MoodleUnmatchedUser.fullname, MoodleUnmatchedUser.moodle_user_id)
        )
    )
